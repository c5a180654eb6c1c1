#include "collector/scoring/scorers/length_scorer.h"

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::Response;
using testing::RubricFromText;

TEST(LengthScorer, CountsCodePointsAndPythonSplitWords) {
  EXPECT_EQ(LengthScorer::CountCodePoints(""), 0u);
  EXPECT_EQ(LengthScorer::CountCodePoints("héllo 🙂"), 7u);
  EXPECT_EQ(LengthScorer::CountCodePoints("\xff\xfe"), 2u);
  EXPECT_EQ(LengthScorer::CountWords("  one\ttwo\u00a0three\u3000four \n"), 4u);
  EXPECT_EQ(LengthScorer::CountWords(""), 0u);
}

TEST(LengthScorer, OneWithinBoundsElseZeroListingEveryViolation) {
  const v1::Rubric rubric = RubricFromText(R"(kind: RUBRIC_KIND_LENGTH
      length { min_chars: 2 max_chars: 10 min_words: 2 max_words: 3 })");
  EXPECT_EQ(MustScore(LengthScorer::Create, rubric, Response("ab cd")).value, 1);
  EXPECT_EQ(MustScore(LengthScorer::Create, rubric, Response("日本 語です")).value, 1);
  const ScoreResult r = MustScore(LengthScorer::Create, rubric, Response("x"));
  EXPECT_EQ(r.value, 0);
  EXPECT_EQ(r.reasoning, "1 chars < min_chars 2; 1 words < min_words 2");
  const ScoreResult long_one = MustScore(LengthScorer::Create, rubric, Response("a b c d e f g"));
  EXPECT_EQ(long_one.reasoning, "13 chars > max_chars 10; 7 words > max_words 3");
  EXPECT_EQ(MustScore(LengthScorer::Create, rubric, Response("")).value, 0);
}

TEST(LengthScorer, BoundsAreInclusive) {
  const v1::Rubric rubric =
      RubricFromText("kind: RUBRIC_KIND_LENGTH length { min_chars: 3 max_chars: 3 }");
  EXPECT_EQ(MustScore(LengthScorer::Create, rubric, Response("🙂🙂🙂")).value, 1);
  EXPECT_EQ(MustScore(LengthScorer::Create, rubric, Response("abcd")).value, 0);
}

TEST(LengthScorer, HugeResponse) {
  const v1::Rubric rubric = RubricFromText("kind: RUBRIC_KIND_LENGTH length { max_words: 10 }");
  EXPECT_EQ(MustScore(LengthScorer::Create, rubric, Response(std::string(1 << 20, 'a'))).value, 1);
}

TEST(LengthScorer, FactoryErrorsNameTheField) {
  auto none = LengthScorer::Create(RubricFromText("kind: RUBRIC_KIND_LENGTH"), {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "rubric 'r': length: no bound set");
  auto chars = LengthScorer::Create(
      RubricFromText("kind: RUBRIC_KIND_LENGTH length { min_chars: 5 max_chars: 4 }"), {});
  ASSERT_FALSE(chars.ok());
  EXPECT_NE(chars.status().message().find("length.max_chars"), std::string::npos);
  auto words = LengthScorer::Create(
      RubricFromText("kind: RUBRIC_KIND_LENGTH length { min_words: 5 max_words: 4 }"), {});
  ASSERT_FALSE(words.ok());
  EXPECT_NE(words.status().message().find("length.max_words"), std::string::npos);
}

}  // namespace
}  // namespace llmtap::collector
