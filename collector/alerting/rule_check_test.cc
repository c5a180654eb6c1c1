#include "collector/alerting/rule_check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "collector/alerting/alert_rule.h"

namespace llmtap::collector {
namespace {

Rollup Of(const std::vector<double>& values) {
  Rollup r;
  for (double v : values) r.Add(v);
  return r;
}

// Welch-style two-sample z computed straight from the raw values (two-pass variance), as a
// reference independent of the rollup arithmetic.
double ReferenceZ(const std::vector<double>& a, const std::vector<double>& b) {
  auto mean = [](const std::vector<double>& x) {
    return std::accumulate(x.begin(), x.end(), 0.0) / x.size();
  };
  auto var = [&](const std::vector<double>& x) {
    const double m = mean(x);
    double s = 0;
    for (double v : x) s += (v - m) * (v - m);
    return s / (x.size() - 1);
  };
  return (mean(a) - mean(b)) / std::sqrt(var(a) / a.size() + var(b) / b.size());
}

v1::AlertRule Rule(v1::AlertKind kind) {
  v1::AlertRule r;
  r.set_name("r");
  r.set_kind(kind);
  if (kind == v1::ALERT_KIND_SCORE_BELOW || kind == v1::ALERT_KIND_DRIFT) r.set_rubric("q");
  return WithAlertDefaults(r);
}

TEST(DriftZ, MatchesTwoSampleZComputedFromRawValues) {
  const std::vector<double> window = {0.61, 0.55, 0.72, 0.48, 0.66, 0.59, 0.70, 0.52};
  const std::vector<double> baseline = {0.81, 0.77, 0.90, 0.85, 0.79, 0.88, 0.83, 0.86,
                                        0.80, 0.92, 0.84, 0.78};
  const double want = ReferenceZ(window, baseline);
  EXPECT_NEAR(want, -6.963623, 1e-5);  // Python statistics module: a check of the reference.
  EXPECT_NEAR(DriftZ(Of(window), Of(baseline)), want, 1e-9);
  EXPECT_NEAR(DriftZ(Of(baseline), Of(window)), -want, 1e-9);
}

TEST(DriftZ, ConstantWindowsGiveZeroOrCappedZ) {
  EXPECT_EQ(DriftZ(Of({1, 1, 1}), Of({1, 1})), 0);
  EXPECT_EQ(DriftZ(Of({0, 0, 0}), Of({1, 1})), -kMaxAbsZ);
  EXPECT_EQ(DriftZ(Of({1}), Of({0, 0})), 0);  // Too few to estimate a variance.
}

TEST(CheckRule, ScoreBelowGradesWarnThenAlertStrictly) {
  v1::AlertRule r = Rule(v1::ALERT_KIND_SCORE_BELOW);
  r.set_warn_below(0.8);
  r.set_alert_below(0.5);
  Verdict v = CheckRule(r, Of({0.9, 0.7}), {});
  EXPECT_TRUE(v.has_data);
  EXPECT_EQ(v.level, v1::ALERT_LEVEL_OK);
  EXPECT_DOUBLE_EQ(v.value, 0.8);  // Exactly at warn_below: not below it.
  EXPECT_EQ(v.count, 2u);
  v = CheckRule(r, Of({0.9, 0.6}), {});
  EXPECT_EQ(v.level, v1::ALERT_LEVEL_WARN);
  EXPECT_DOUBLE_EQ(v.threshold, 0.8);
  v = CheckRule(r, Of({0.1, 0.6}), {});
  EXPECT_EQ(v.level, v1::ALERT_LEVEL_ALERT);
  EXPECT_DOUBLE_EQ(v.value, 0.35);
  EXPECT_DOUBLE_EQ(v.threshold, 0.5);
}

TEST(CheckRule, FewerThanMinCountHasNoData) {
  v1::AlertRule r = Rule(v1::ALERT_KIND_ERROR_RATE_ABOVE);
  r.set_alert_above(0.1);
  r.set_min_count(3);
  EXPECT_FALSE(CheckRule(r, Of({1, 1}), {}).has_data);
  Verdict v = CheckRule(r, Of({1, 1, 0, 0}), {});
  EXPECT_TRUE(v.has_data);
  EXPECT_EQ(v.level, v1::ALERT_LEVEL_ALERT);
  EXPECT_DOUBLE_EQ(v.value, 0.5);
  EXPECT_FALSE(CheckRule(r, Rollup(), {}).has_data);
}

TEST(CheckRule, LatencyP95WithinSketchError) {
  v1::AlertRule r = Rule(v1::ALERT_KIND_LATENCY_P95_ABOVE);
  r.set_warn_above(900);
  r.set_alert_above(2000);
  std::vector<double> values;
  for (int i = 1; i <= 1000; ++i) values.push_back(i);  // p95 = 950 (nearest rank).
  Verdict v = CheckRule(r, Of(values), {});
  EXPECT_NEAR(v.value, 950, 950 * Rollup::kRelativeAccuracy + 1);
  EXPECT_EQ(v.level, v1::ALERT_LEVEL_WARN);
}

TEST(CheckRule, DriftComparesAbsoluteZWithBothWindowsNeeded) {
  v1::AlertRule r = Rule(v1::ALERT_KIND_DRIFT);
  r.set_warn_above(2);
  r.set_alert_above(4);
  const std::vector<double> base = {0.8, 0.82, 0.78, 0.81, 0.79, 0.8};
  const std::vector<double> near = {0.79, 0.81, 0.8, 0.78};
  const std::vector<double> far = {0.5, 0.52, 0.48, 0.51};
  Verdict v = CheckRule(r, Of(near), Of(base));
  EXPECT_EQ(v.level, v1::ALERT_LEVEL_OK);
  v = CheckRule(r, Of(far), Of(base));
  EXPECT_EQ(v.level, v1::ALERT_LEVEL_ALERT);
  EXPECT_NEAR(v.value, ReferenceZ(far, base), 1e-9);
  EXPECT_LT(v.value, 0);
  EXPECT_FALSE(CheckRule(r, Of(far), Of({0.8})).has_data);
}

}  // namespace
}  // namespace llmtap::collector
