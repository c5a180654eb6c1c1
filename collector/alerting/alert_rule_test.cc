#include "collector/alerting/alert_rule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

namespace llmtap::collector {
namespace {

using ::testing::HasSubstr;

v1::AlertRule Parse(const std::string& text) {
  v1::AlertRule r;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &r)) << text;
  return r;
}

absl::Status Check(const std::string& text) {
  return ValidateAlertRule(Parse(text), {"ops", "slack"});
}

TEST(ValidateAlertRule, AcceptsEachKind) {
  EXPECT_TRUE(Check(R"(name: "a" kind: ALERT_KIND_SCORE_BELOW rubric: "q" warn_below: 0.8
                      alert_below: 0.5)").ok());
  EXPECT_TRUE(Check(R"(name: "b" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 500
                      webhooks: "ops" group_by: "app" group_by: "model")").ok());
  EXPECT_TRUE(Check(R"(name: "c" kind: ALERT_KIND_ERROR_RATE_ABOVE warn_above: 0.05)").ok());
  EXPECT_TRUE(Check(R"(name: "d" kind: ALERT_KIND_DRIFT rubric: "q" alert_above: 3
                      baseline_window_s: 3600 no_data: NO_DATA_ALERT)").ok());
}

TEST(ValidateAlertRule, NamesTheFieldOfEachProblem) {
  struct Case {
    std::string text, field;
  } cases[] = {
      {R"(name: "Bad Name" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 0.1)", "name:"},
      {R"(name: "a" alert_above: 0.1)", "kind:"},
      {R"(name: "a" kind: ALERT_KIND_SCORE_BELOW alert_below: 0.5)", "rubric: required"},
      {R"(name: "a" kind: ALERT_KIND_ERROR_RATE_ABOVE rubric: "q" alert_above: 0.1)",
       "rubric: not used"},
      {R"(name: "a" kind: ALERT_KIND_ERROR_RATE_ABOVE)", "alert_above: required"},
      {R"(name: "a" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 1.5)", "alert_above: must be in [0, 1]"},
      {R"(name: "a" kind: ALERT_KIND_ERROR_RATE_ABOVE warn_above: 0.5 alert_above: 0.2)",
       "warn_above: must be <= alert_above"},
      {R"(name: "a" kind: ALERT_KIND_SCORE_BELOW rubric: "q" warn_below: 0.2 alert_below: 0.5)",
       "warn_below: must be >= alert_below"},
      {R"(name: "a" kind: ALERT_KIND_SCORE_BELOW rubric: "q" alert_above: 0.5)",
       "warn_above/alert_above: not used"},
      {R"(name: "a" kind: ALERT_KIND_DRIFT rubric: "q" alert_above: 0)", "alert_above: must be > 0"},
      {R"(name: "a" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 1 window_s: 10)", "window_s:"},
      {R"(name: "a" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 1 baseline_window_s: 600)",
       "baseline_window_s: DRIFT rules only"},
      {R"(name: "a" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 1 cooldown_s: 99999999)",
       "cooldown_s:"},
      {R"(name: "a" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 1 webhooks: "pager")",
       "webhooks: no webhook named 'pager'"},
      {R"(name: "a" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 1 group_by: "tenant")",
       "group_by: 'tenant'"},
      {R"(name: "a" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 1 group_by: "app"
          group_by: "app")", "group_by: 'app' twice"},
  };
  for (const Case& c : cases) {
    absl::Status s = Check(c.text);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.field)) << c.text;
  }
}

TEST(WithAlertDefaults, FillsUnsetFieldsOnly) {
  v1::AlertRule r = WithAlertDefaults(Parse(R"(name: "d" kind: ALERT_KIND_DRIFT rubric: "q"
                                                alert_above: 3 window_s: 120)"));
  EXPECT_EQ(r.window_s(), 120u);
  EXPECT_EQ(r.baseline_window_s(), kDefaultAlertBaselineWindowS);
  EXPECT_EQ(r.cooldown_s(), kDefaultAlertCooldownS);
  EXPECT_EQ(r.min_count(), kDefaultAlertMinCount);
  EXPECT_EQ(r.no_data(), v1::AlertRule::NO_DATA_KEEP);
  EXPECT_TRUE(r.enabled());
  ASSERT_EQ(r.group_by_size(), 1);
  EXPECT_EQ(r.group_by(0), "app");
  EXPECT_EQ(AlertSeries(r), "r:q");
}

}  // namespace
}  // namespace llmtap::collector
