#include "collector/scoring/scorers/tokens_scorer.h"

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::RubricFromText;

TEST(TokensScorer, MapsInputPlusOutputTokensThroughTheBound) {
  const v1::Rubric rubric =
      RubricFromText("kind: RUBRIC_KIND_TOKENS bound { good: 1000 bad: 3000 }");
  v1::Sample s;
  s.set_input_tokens(1500);
  s.set_output_tokens(1000);
  const ScoreResult r = MustScore(TokensScorer::Create, rubric, s);
  EXPECT_DOUBLE_EQ(r.value, 0.25);
  EXPECT_EQ(r.reasoning, "2500 tokens (1500 in + 1000 out; good <= 1000, bad >= 3000)");
  EXPECT_EQ(MustScore(TokensScorer::Create, rubric, v1::Sample()).value, 1);
}

TEST(TokensScorer, MissingBoundIsAFactoryError) {
  auto scorer = TokensScorer::Create(RubricFromText("kind: RUBRIC_KIND_TOKENS"), {});
  ASSERT_FALSE(scorer.ok());
  EXPECT_NE(scorer.status().message().find("bound: missing"), std::string::npos);
}

}  // namespace
}  // namespace llmtap::collector
