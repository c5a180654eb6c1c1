#include "collector/scoring/scorers/exact_match_scorer.h"

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::RubricFromText;

TEST(ExactMatchScorer, ComparesSquadNormalisedAnswers) {
  const v1::Rubric rubric = RubricFromText("kind: RUBRIC_KIND_EXACT_MATCH");
  v1::Sample s;
  s.set_response("An apple.");
  s.set_reference("apple");
  EXPECT_EQ(MustScore(ExactMatchScorer::Create, rubric, s).value, 1);
  s.set_response("apples");
  EXPECT_EQ(MustScore(ExactMatchScorer::Create, rubric, s).value, 0);
  s.set_response("");
  EXPECT_EQ(MustScore(ExactMatchScorer::Create, rubric, s).value, 0);
}

TEST(ExactMatchScorer, MissingReferenceIsFailedPrecondition) {
  auto scorer = ExactMatchScorer::Create(RubricFromText("kind: RUBRIC_KIND_EXACT_MATCH"), {});
  ASSERT_TRUE(scorer.ok());
  EXPECT_EQ((*scorer)->Score(testing::Response(""), {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace llmtap::collector
