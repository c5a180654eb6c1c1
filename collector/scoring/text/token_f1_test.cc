#include "collector/scoring/text/token_f1.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace llmtap::collector::text {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct Known {
  const char* prediction;
  const char* ground_truth;
  double f1;
  bool exact;
  const char* normalized_prediction;
};

// Values printed by the SQuAD v1.1 evaluation script.
constexpr Known kKnown[] = {
    {"The Big Apple!", "big apple, NYC", 0.80000000000000004, false, "big apple"},
    {"An apple.", "apple", 1, true, "apple"},
    {"", "", 0, true, ""},
    {"the", "a", 0, true, ""},
    {"Th\xC3\xA9\xC3\xA2tre the caf\xC3\xA9", "theatre caf\xC3\xA9", 0.5, false,
     "th\xC3\xA9\xC3\xA2tre caf\xC3\xA9"},
    // ODYSSEUS in capitals: the last sigma lowercases to a final sigma.
    {"\xCE\x9F\xCE\x94\xCE\xA5\xCE\xA3\xCE\xA3\xCE\x95\xCE\xA5\xCE\xA3",
     "\xCE\xBF\xCE\xB4\xCF\x85\xCF\x83\xCF\x83\xCE\xB5\xCF\x85\xCF\x82", 1, true,
     "\xCE\xBF\xCE\xB4\xCF\x85\xCF\x83\xCF\x83\xCE\xB5\xCF\x85\xCF\x82"},
    {"\xC4\xB0", "i\xCC\x87", 1, true, "i\xCC\x87"},
    {"a a a b", "a b b", 0.66666666666666663, false, "b"},
    {"the cat the cat", "cat cat cat", 0.80000000000000004, false, "cat cat"},
    {"x_the_y the", "x_the_y", 1, true, "xthey"},
    {"the\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80", 1, true, "\xF0\x9F\x98\x80"},
    {"th\xC3\xA9", "th\xC3\xA9", 1, true, "th\xC3\xA9"},
};

TEST(TokenF1Test, MatchesSquadV11OnKnownPairs) {
  for (const Known& k : kKnown) {
    EXPECT_DOUBLE_EQ(TokenF1(k.prediction, k.ground_truth), k.f1) << k.prediction;
    EXPECT_EQ(ExactMatch(k.prediction, k.ground_truth), k.exact) << k.prediction;
    EXPECT_EQ(SquadNormalize(k.prediction), k.normalized_prediction) << k.prediction;
  }
}

TEST(SquadNormalizeTest, AppliesPythonFinalSigmaRule) {
  // "ΑΣ.Β Σ ΑΣ'Σ": '.' and '\'' are case-ignorable, so only the last sigma is final.
  EXPECT_EQ(SquadNormalize("\xCE\x91\xCE\xA3.\xCE\x92 \xCE\xA3 \xCE\x91\xCE\xA3'\xCE\xA3"),
            "\xCE\xB1\xCF\x83\xCE\xB2 \xCF\x83 \xCE\xB1\xCF\x83\xCF\x82");
}

TEST(TokenizeTest, ReturnsNormalizedWords) {
  EXPECT_THAT(Tokenize("  The U.S. is\ta country,\xE3\x80\x80" "an old one "),
              ElementsAre("us", "is", "country", "old", "one"));
  EXPECT_THAT(Tokenize(" \n "), IsEmpty());
}

}  // namespace
}  // namespace llmtap::collector::text
