#include "collector/scoring/scorers/groundedness_scorer.h"

#include <chrono>

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::RubricFromText;

v1::Sample Grounded(const std::string& response, std::vector<std::string> contexts) {
  v1::Sample s;
  s.set_response(response);
  for (auto& c : contexts) s.add_contexts(std::move(c));
  return s;
}

TEST(GroundednessScorer, IsShareOfResponseContentTokensInContexts) {
  const v1::Rubric rubric = RubricFromText("kind: RUBRIC_KIND_GROUNDEDNESS");
  const ScoreResult r =
      MustScore(GroundednessScorer::Create, rubric,
                Grounded("The capital is Paris, in Europe.", {"Paris is the capital of France."}));
  EXPECT_DOUBLE_EQ(r.value, 2.0 / 3.0);
  EXPECT_NE(r.reasoning.find("'europe'"), std::string::npos) << r.reasoning;
}

TEST(GroundednessScorer, CountsEveryOccurrenceAndSearchesAllContexts) {
  const v1::Rubric rubric = RubricFromText("kind: RUBRIC_KIND_GROUNDEDNESS");
  // Tokens: rome rome rome paris; paris from the second context.
  EXPECT_DOUBLE_EQ(MustScore(GroundednessScorer::Create, rubric,
                             Grounded("Rome, Rome, Rome and Paris", {"london", "PARIS!"}))
                       .value,
                   0.25);
}

TEST(GroundednessScorer, BigramsMustAppearInOrderWithinOneContext) {
  const v1::Rubric rubric = RubricFromText("kind: RUBRIC_KIND_GROUNDEDNESS text { ngram: 2 }");
  // Response bigrams: (paris capital) (capital france); contexts have "capital france" only
  // (stop words removed before forming n-grams), and "paris" ends one context.
  EXPECT_DOUBLE_EQ(
      MustScore(GroundednessScorer::Create, rubric,
                Grounded("Paris capital of France", {"go to Paris", "the capital of france"}))
          .value,
      0.5);
  // Fewer content tokens than n: the whole sequence is one gram.
  EXPECT_DOUBLE_EQ(
      MustScore(GroundednessScorer::Create, rubric, Grounded("Paris", {"paris"})).value, 1);
}

TEST(GroundednessScorer, ResponseWithoutContentWordsIsVacuouslyGrounded) {
  const v1::Rubric rubric = RubricFromText("kind: RUBRIC_KIND_GROUNDEDNESS");
  EXPECT_EQ(MustScore(GroundednessScorer::Create, rubric, Grounded("", {"ctx"})).value, 1);
  EXPECT_EQ(
      MustScore(GroundednessScorer::Create, rubric, Grounded("it is what it is", {"x"})).value, 1);
}

TEST(GroundednessScorer, NoContextsIsFailedPrecondition) {
  auto scorer = GroundednessScorer::Create(RubricFromText("kind: RUBRIC_KIND_GROUNDEDNESS"), {});
  ASSERT_TRUE(scorer.ok());
  for (const v1::Sample& s : {Grounded("paris", {}), Grounded("paris", {"", ""})}) {
    absl::StatusOr<ScoreResult> r = (*scorer)->Score(s, {});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(r.status().message(), "sample has no contexts");
  }
}

TEST(GroundednessScorer, UnicodeTokensMatchAfterLowercasing) {
  const v1::Rubric rubric = RubricFromText("kind: RUBRIC_KIND_GROUNDEDNESS");
  EXPECT_EQ(MustScore(GroundednessScorer::Create, rubric,
                      Grounded("ÜBER Straße 東京", {"über straße", "東京"}))
                .value,
            1);
}

TEST(GroundednessScorer, FactoryRejectsHugeNgramNamingTheField) {
  auto scorer = GroundednessScorer::Create(
      RubricFromText("name: 'g' kind: RUBRIC_KIND_GROUNDEDNESS text { ngram: 9 }"), {});
  ASSERT_FALSE(scorer.ok());
  EXPECT_EQ(scorer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(scorer.status().message().find("rubric 'g': text.ngram:"), std::string::npos)
      << scorer.status();
}

TEST(GroundednessScorer, MegabyteInputsScoreQuickly) {
  std::string context;
  std::string response;
  for (int i = 0; i < 100000; ++i) {
    context += "word" + std::to_string(i % 5000) + " ";
    response += "word" + std::to_string(i % 7000) + " ";
  }
  const v1::Rubric rubric = RubricFromText("kind: RUBRIC_KIND_GROUNDEDNESS text { ngram: 3 }");
  const auto start = std::chrono::steady_clock::now();
  MustScore(GroundednessScorer::Create, rubric, Grounded(response, {context}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace llmtap::collector
