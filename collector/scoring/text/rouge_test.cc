#include "collector/scoring/text/rouge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collector/scoring/text/rouge_tokenizer.h"

namespace llmtap::collector::text {
namespace {

using ::testing::ElementsAre;

struct Known {
  const char* target;
  const char* prediction;
  double plain;
  double stemmed;
};

// Values printed by rouge_score 0.1.2 with "%.17g".
constexpr Known kKnown[] = {
    {"the cat sat on the mat", "the cat on the mat", 0.90909090909090906, 0.90909090909090906},
    {"The quick brown fox jumps over the lazy dog.", "A quick brown dog jumps over the lazy fox!",
     0.66666666666666663, 0.66666666666666663},
    {"He was running generously towards relational databases",
     "He runs generous toward relation database", 0.15384615384615383, 0.92307692307692302},
    {"\xC4\xB0stanbul \xE2\x84\xAA" "elvin", "istanbul kelvin", 0.40000000000000002,
     0.40000000000000002},
    {"\xE5\x8C\x97\xE4\xBA\xAC is big", "big \xE5\x8C\x97\xE4\xBA\xAC", 0.66666666666666663,
     0.66666666666666663},
    {"It's 3.5-4 &amp; more.", "Its 3.5 4 & more", 0.66666666666666663, 0.66666666666666663},
    {"Paris is the capital of France.", "The capital of France is Paris.", 0.66666666666666663,
     0.66666666666666663},
    {"a b c d e f", "f e d c b a", 0.16666666666666666, 0.16666666666666666},
    {"caf\xC3\xA9 au lait", "cafe au lait", 0.66666666666666663, 0.66666666666666663},
};

TEST(RougeLF1Test, MatchesRougeScoreOnKnownPairs) {
  for (const Known& k : kKnown) {
    EXPECT_DOUBLE_EQ(RougeLF1(k.target, k.prediction, false), k.plain) << k.target;
    EXPECT_DOUBLE_EQ(RougeLF1(k.target, k.prediction, true), k.stemmed) << k.target;
  }
}

TEST(RougeLF1Test, EmptyOrTokenlessTextScoresZeroLikeRougeScore) {
  EXPECT_EQ(RougeLF1("", "", false), 0.0);
  EXPECT_EQ(RougeLF1("hello", "", false), 0.0);
  EXPECT_EQ(RougeLF1("", "hello", true), 0.0);
  EXPECT_EQ(RougeLF1("!!! ...", "\xE6\x97\xA5\xE6\x9C\xAC", false), 0.0);
}

TEST(RougeLF1Test, IdenticalTextScoresOne) {
  EXPECT_EQ(RougeLF1("One two three.", "one, TWO, three!", false), 1.0);
}

TEST(RougeLF1Test, LongTextsUseTheSameFormula) {
  std::string target;
  std::string prediction;
  for (int i = 0; i < 500; ++i) {
    std::string word = "w";
    word += std::to_string(i % 97);
    word += ' ';
    target.append(word);
    if (i % 5 != 0) prediction.append(word);
  }
  // The prediction is a subsequence of the target: LCS = 400, P = 1, R = 0.8.
  EXPECT_DOUBLE_EQ(RougeLF1(target, prediction, false), 2 * 1.0 * 0.8 / 1.8);
}

TEST(RougeTokenizeTest, LowercasesAndSplitsOnNonAlphanumerics) {
  EXPECT_THAT(RougeTokenize("Don't stop_me now \xCE\xA3\xCE\x91\xCE\xA3", false),
              ElementsAre("don", "t", "stop", "me", "now"));
}

TEST(RougeTokenizeTest, OnlyCapitalIWithDotAndKelvinSignLowercaseToAscii) {
  // "He was running generously, İİ K-9 café" (Kelvin sign), as rouge_score tokenizes it.
  const char* text = "He was running generously, \xC4\xB0\xC4\xB0 \xE2\x84\xAA-9 caf\xC3\xA9";
  EXPECT_THAT(RougeTokenize(text, false),
              ElementsAre("he", "was", "running", "generously", "i", "i", "k", "9", "caf"));
  EXPECT_THAT(RougeTokenize(text, true),
              ElementsAre("he", "was", "run", "gener", "i", "i", "k", "9", "caf"));
}

TEST(RougeTokenizeTest, StemsOnlyTokensLongerThanThreeCharacters) {
  EXPECT_THAT(RougeTokenize("ies sses flies", true), ElementsAre("ies", "ss", "fli"));
}

}  // namespace
}  // namespace llmtap::collector::text
