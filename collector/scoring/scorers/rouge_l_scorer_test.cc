#include "collector/scoring/scorers/rouge_l_scorer.h"

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::RubricFromText;

v1::Sample WithReference(const std::string& response, const std::string& reference) {
  v1::Sample s;
  s.set_response(response);
  s.set_reference(reference);
  return s;
}

TEST(RougeLScorer, IsRougeLF1OfResponseAgainstReference) {
  const ScoreResult r = MustScore(RougeLScorer::Create, RubricFromText("kind: RUBRIC_KIND_ROUGE_L"),
                                  WithReference("the cat on the mat", "the cat sat on the mat"));
  EXPECT_DOUBLE_EQ(r.value, 10.0 / 11.0);
}

TEST(RougeLScorer, StemmerOptionIsPassedThrough) {
  const v1::Sample s = WithReference("cats running", "cat runs");
  EXPECT_DOUBLE_EQ(
      MustScore(RougeLScorer::Create, RubricFromText("kind: RUBRIC_KIND_ROUGE_L"), s).value, 0);
  EXPECT_DOUBLE_EQ(
      MustScore(RougeLScorer::Create,
                RubricFromText("kind: RUBRIC_KIND_ROUGE_L text { use_stemmer: true }"), s)
          .value,
      1);
}

TEST(RougeLScorer, EmptyResponseScoresZeroAndUnicodeIsFine) {
  const v1::Rubric rubric = RubricFromText("kind: RUBRIC_KIND_ROUGE_L");
  EXPECT_EQ(MustScore(RougeLScorer::Create, rubric, WithReference("", "a b")).value, 0);
  MustScore(RougeLScorer::Create, rubric, WithReference("日本語 ünïcödé 🙂", "ünïcödé"));
}

TEST(RougeLScorer, MissingReferenceIsFailedPrecondition) {
  auto scorer = RougeLScorer::Create(RubricFromText("kind: RUBRIC_KIND_ROUGE_L"), {});
  ASSERT_TRUE(scorer.ok());
  v1::Sample s;
  s.set_response("x");
  absl::StatusOr<ScoreResult> r = (*scorer)->Score(s, {});
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "sample has no reference");
}

}  // namespace
}  // namespace llmtap::collector
