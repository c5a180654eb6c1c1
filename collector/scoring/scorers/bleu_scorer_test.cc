#include "collector/scoring/scorers/bleu_scorer.h"

#include "collector/scoring/scorers/scorer_test_util.h"
#include "collector/scoring/text/bleu.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::RubricFromText;

TEST(BleuScorer, IsSentenceBleuOfResponseAgainstReference) {
  const v1::Rubric rubric = RubricFromText("kind: RUBRIC_KIND_BLEU");
  v1::Sample s;
  s.set_response("the cat sat on the mat");
  s.set_reference("the cat sat on the mat");
  EXPECT_DOUBLE_EQ(MustScore(BleuScorer::Create, rubric, s).value, 1);
  s.set_response("the cat is on a mat today");
  EXPECT_DOUBLE_EQ(MustScore(BleuScorer::Create, rubric, s).value,
                   text::SentenceBleu("the cat is on a mat today", {"the cat sat on the mat"}));
  s.set_response("");
  EXPECT_EQ(MustScore(BleuScorer::Create, rubric, s).value, 0);
}

TEST(BleuScorer, MissingReferenceIsFailedPrecondition) {
  auto scorer = BleuScorer::Create(RubricFromText("kind: RUBRIC_KIND_BLEU"), {});
  ASSERT_TRUE(scorer.ok());
  EXPECT_EQ((*scorer)->Score(testing::Response("x"), {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace llmtap::collector
