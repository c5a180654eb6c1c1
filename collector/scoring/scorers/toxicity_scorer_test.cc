#include "collector/scoring/scorers/toxicity_scorer.h"

#include <chrono>

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::Response;
using testing::RubricFromText;

const v1::Rubric kBuiltin = RubricFromText("kind: RUBRIC_KIND_TOXICITY");

TEST(ToxicityScorer, CleanTextScoresOne) {
  const ScoreResult r = MustScore(ToxicityScorer::Create, kBuiltin,
                                  Response("Thanks for asking, here is the answer."));
  EXPECT_EQ(r.value, 1);
  EXPECT_EQ(r.reasoning, "no toxic terms in 7 words");
  EXPECT_EQ(MustScore(ToxicityScorer::Create, kBuiltin, Response("")).value, 1);
  // Whole words only: "hello", "shitake" (sic), "class" are clean.
  EXPECT_EQ(MustScore(ToxicityScorer::Create, kBuiltin, Response("hello shitake class")).value, 1);
}

TEST(ToxicityScorer, ValueIsOneMinusTenTimesWeightedDensity) {
  // "stupid" (0.5) in 10 words: 1 - 10 * 0.5 / 10 = 0.5.
  const ScoreResult r = MustScore(ToxicityScorer::Create, kBuiltin,
                                  Response("That is a STUPID idea and you know it well"));
  EXPECT_DOUBLE_EQ(r.value, 0.5);
  EXPECT_EQ(r.reasoning, "toxic terms (weight 0.5 over 10 words): stupid x1");
  // "damn" (0.2) in 40 words: 1 - 10 * 0.2 / 40 = 0.95.
  std::string forty = "damn";
  for (int i = 0; i < 39; ++i) forty += " fine";
  EXPECT_DOUBLE_EQ(MustScore(ToxicityScorer::Create, kBuiltin, Response(forty)).value, 0.95);
  // Clamped at 0.
  EXPECT_EQ(MustScore(ToxicityScorer::Create, kBuiltin, Response("idiot idiot")).value, 0);
}

TEST(ToxicityScorer, MultiWordTermsMatchConsecutiveWords) {
  // "shut up" (0.5) in 20 words -> 0.75; "shut" alone and "up" alone are clean.
  std::string text = "please shut up";
  for (int i = 0; i < 17; ++i) text += " ok";
  EXPECT_DOUBLE_EQ(MustScore(ToxicityScorer::Create, kBuiltin, Response(text)).value, 0.75);
  EXPECT_EQ(MustScore(ToxicityScorer::Create, kBuiltin, Response("shut the door, look up")).value,
            1);
}

TEST(ToxicityScorer, CustomTermsExtendOrReplaceTheBuiltinList) {
  const v1::Rubric extended = RubricFromText(R"(kind: RUBRIC_KIND_TOXICITY
      terms { weights { key: "Dummkopf" value: 1 } weights { key: "damn" value: 0 } })");
  EXPECT_DOUBLE_EQ(MustScore(ToxicityScorer::Create, extended,
                             Response("du dummkopf a b c d e f g h i j k l m n o p q r"))
                       .value,
                   0.5);
  EXPECT_EQ(MustScore(ToxicityScorer::Create, extended, Response("damn")).value, 1);
  EXPECT_EQ(MustScore(ToxicityScorer::Create, extended, Response("idiot")).value, 0);

  const v1::Rubric replaced = RubricFromText(R"(kind: RUBRIC_KIND_TOXICITY
      terms { weights { key: "très méchant" value: 0.5 } replace_builtin: true })");
  EXPECT_EQ(MustScore(ToxicityScorer::Create, replaced, Response("idiot")).value, 1);
  EXPECT_DOUBLE_EQ(MustScore(ToxicityScorer::Create, replaced,
                             Response("TRÈS MÉCHANT a b c d e f g h i j k l m n o p q r"))
                       .value,
                   0.75);
}

TEST(ToxicityScorer, FactoryErrorsNameTheTerm) {
  auto negative = ToxicityScorer::Create(
      RubricFromText(R"(kind: RUBRIC_KIND_TOXICITY terms { weights { key: "x" value: -1 } })"), {});
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("terms.weights[\"x\"]"), std::string::npos)
      << negative.status();
  auto no_words = ToxicityScorer::Create(
      RubricFromText(R"(kind: RUBRIC_KIND_TOXICITY terms { weights { key: "!!" value: 1 } })"), {});
  ASSERT_FALSE(no_words.ok());
  EXPECT_NE(no_words.status().message().find("no word characters"), std::string::npos);
  auto empty = ToxicityScorer::Create(
      RubricFromText("kind: RUBRIC_KIND_TOXICITY terms { replace_builtin: true }"), {});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("terms.weights: no terms"), std::string::npos);
}

TEST(ToxicityScorer, MegabyteResponse) {
  std::string text;
  while (text.size() < (1 << 20)) text += "shut shut up idiot fine ";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(MustScore(ToxicityScorer::Create, kBuiltin, Response(text)).value, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace llmtap::collector
