#include "collector/scoring/scorers/answer_relevance_scorer.h"

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::RubricFromText;

v1::Sample Qa(const std::string& prompt, const std::string& response) {
  v1::Sample s;
  s.set_prompt(prompt);
  s.set_response(response);
  return s;
}

TEST(AnswerRelevanceScorer, IsRecallOfDistinctPromptContentWords) {
  const v1::Rubric rubric = RubricFromText("kind: RUBRIC_KIND_ANSWER_RELEVANCE");
  EXPECT_DOUBLE_EQ(MustScore(AnswerRelevanceScorer::Create, rubric,
                             Qa("What is the capital of France?", "Paris is France's capital."))
                       .value,
                   1);
  // Prompt words {capital, france, population}; response mentions capital only.
  EXPECT_DOUBLE_EQ(
      MustScore(AnswerRelevanceScorer::Create, rubric,
                Qa("capital of France and its population? capital!", "The capital is Paris."))
          .value,
      1.0 / 3.0);
  EXPECT_EQ(MustScore(AnswerRelevanceScorer::Create, rubric, Qa("capital of France", "")).value, 0);
}

TEST(AnswerRelevanceScorer, PromptWithoutContentWordsIsFailedPrecondition) {
  auto scorer =
      AnswerRelevanceScorer::Create(RubricFromText("kind: RUBRIC_KIND_ANSWER_RELEVANCE"), {});
  ASSERT_TRUE(scorer.ok());
  for (const char* prompt : {"", "what is it?", "???"}) {
    absl::StatusOr<ScoreResult> r = (*scorer)->Score(Qa(prompt, "paris"), {});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << prompt;
  }
}

}  // namespace
}  // namespace llmtap::collector
