#include "collector/scoring/scorers/latency_scorer.h"

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::RubricFromText;

TEST(LatencyScorer, MapsLatencyMsThroughTheBound) {
  const v1::Rubric rubric =
      RubricFromText("kind: RUBRIC_KIND_LATENCY bound { good: 500 bad: 2500 }");
  v1::Sample s;
  s.set_latency_ms(1000);
  const ScoreResult r = MustScore(LatencyScorer::Create, rubric, s);
  EXPECT_DOUBLE_EQ(r.value, 0.75);
  EXPECT_EQ(r.reasoning, "latency 1000 ms (good <= 500, bad >= 2500)");
  s.set_latency_ms(0);
  EXPECT_EQ(MustScore(LatencyScorer::Create, rubric, s).value, 1);
  s.set_latency_ms(1e9);
  EXPECT_EQ(MustScore(LatencyScorer::Create, rubric, s).value, 0);
}

TEST(LatencyScorer, BadNotAboveGoodIsAFactoryError) {
  auto scorer = LatencyScorer::Create(
      RubricFromText("kind: RUBRIC_KIND_LATENCY bound { good: 500 bad: 100 }"), {});
  ASSERT_FALSE(scorer.ok());
  EXPECT_NE(scorer.status().message().find("bound.bad"), std::string::npos);
}

}  // namespace
}  // namespace llmtap::collector
