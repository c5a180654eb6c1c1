#include "collector/alerting/alert_rule_store.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace llmtap::collector {
namespace {

using ::testing::HasSubstr;

v1::AlertRule Rule(const std::string& text) {
  v1::AlertRule r;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &r)) << text;
  return r;
}

std::vector<std::string> Names(const AlertRuleStore& rules) {
  std::vector<std::string> names;
  for (const auto& r : rules.List()) names.push_back(r.name());
  return names;
}

TEST(AlertRuleStore, StoredRulesReloadAndConfigRulesWin) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("alert_rule_store_test_" + std::to_string(getpid()));
  google::protobuf::RepeatedPtrField<v1::AlertRule> config;
  *config.Add() = Rule(R"(name: "cfg" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 0.5)");
  {
    auto store = Store::Open(dir.string(), v1::StorageConfig());
    ASSERT_TRUE(store.ok()) << store.status();
    AlertRuleStore rules(store->get(), {"ops"});
    ASSERT_TRUE(rules.Load(config).ok());
    ASSERT_TRUE(rules.Upsert(Rule(R"(name: "b-api" kind: ALERT_KIND_LATENCY_P95_ABOVE
                                     alert_above: 100 webhooks: "ops")")).ok());
    ASSERT_TRUE(rules.Upsert(Rule(R"(name: "a-api" kind: ALERT_KIND_LATENCY_P95_ABOVE
                                     alert_above: 200)")).ok());
    ASSERT_TRUE(rules.Upsert(Rule(R"(name: "cfg" kind: ALERT_KIND_ERROR_RATE_ABOVE
                                     alert_above: 0.1)")).ok());
    EXPECT_EQ(rules.Delete("nope").code(), absl::StatusCode::kNotFound);
    ASSERT_TRUE(rules.Delete("a-api").ok());
    EXPECT_EQ(Names(rules), (std::vector<std::string>{"b-api", "cfg"}));
  }
  {
    auto store = Store::Open(dir.string(), v1::StorageConfig());
    ASSERT_TRUE(store.ok()) << store.status();
    // Without the "ops" webhook the stored b-api rule is skipped, not fatal.
    AlertRuleStore without_ops(store->get(), {});
    ASSERT_TRUE(without_ops.Load(config).ok());
    EXPECT_EQ(Names(without_ops), (std::vector<std::string>{"cfg"}));

    AlertRuleStore rules(store->get(), {"ops"});
    ASSERT_TRUE(rules.Load(config).ok());
    const auto list = rules.List();
    ASSERT_EQ(Names(rules), (std::vector<std::string>{"b-api", "cfg"}));
    EXPECT_EQ(list[0].alert_above(), 100);
    EXPECT_EQ(list[0].window_s(), 300u);     // Stored with defaults.
    EXPECT_EQ(list[1].alert_above(), 0.5);   // The file wins over the API change.
  }
  std::filesystem::remove_all(dir);
}

TEST(AlertRuleStore, InvalidConfigRuleFailsTheLoadNamingIt) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("alert_rule_store_test_bad_" + std::to_string(getpid()));
  auto store = Store::Open(dir.string(), v1::StorageConfig());
  ASSERT_TRUE(store.ok()) << store.status();
  google::protobuf::RepeatedPtrField<v1::AlertRule> config;
  *config.Add() = Rule(R"(name: "drift" kind: ALERT_KIND_DRIFT alert_above: 3)");
  AlertRuleStore rules(store->get(), {});
  absl::Status s = rules.Load(config);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("config alerting.rules: alert rule 'drift': rubric: required"));
  store->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace llmtap::collector
