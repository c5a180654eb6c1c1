#include "collector/scoring/scorers/token_f1_scorer.h"

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::RubricFromText;

TEST(TokenF1Scorer, IsSquadTokenF1) {
  v1::Sample s;
  s.set_response("The Big Apple!");
  s.set_reference("big apple, NYC");
  EXPECT_DOUBLE_EQ(
      MustScore(TokenF1Scorer::Create, RubricFromText("kind: RUBRIC_KIND_TOKEN_F1"), s).value, 0.8);
}

TEST(TokenF1Scorer, MissingReferenceIsFailedPrecondition) {
  auto scorer = TokenF1Scorer::Create(RubricFromText("kind: RUBRIC_KIND_TOKEN_F1"), {});
  ASSERT_TRUE(scorer.ok());
  EXPECT_EQ((*scorer)->Score(testing::Response("x"), {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace llmtap::collector
