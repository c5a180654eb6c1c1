#include "collector/scoring/text/bleu.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace llmtap::collector::text {
namespace {

struct Known {
  const char* hypothesis;
  const char* reference;
  double bleu;
};

// sacrebleu.sentence_bleu(hypothesis, [reference]).score / 100 from sacrebleu 2.4.3.
constexpr Known kKnown[] = {
    {"the cat on the mat", "the cat sat on the mat", 0.40936537653899085},
    {"A quick brown dog jumps over the lazy fox!", "The quick brown fox jumps over the lazy dog.",
     0.33568919250372387},
    {"He runs generous toward relation database",
     "He was running generously towards relational databases", 0.06870636427700047},
    {"istanbul kelvin", "\xC4\xB0stanbul \xE2\x84\xAA" "elvin", 0.0},
    {"big \xE5\x8C\x97\xE4\xBA\xAC", "\xE5\x8C\x97\xE4\xBA\xAC is big", 0.42888194248035361},
    {"Its 3.5 4 & more", "It's 3.5-4 &amp; more.", 0.28641904579795424},
    {"The capital of France is Paris.", "Paris is the capital of France.", 0.29071536848410967},
    {"f e d c b a", "a b c d e f", 0.12703318703865377},
    {"cafe au lait", "caf\xC3\xA9 au lait", 0.55032120814910424},
    {"w0", "w0 w1", 0.3678794411714425},
    {"w0 w1 w2", "w0 w1 w2 w3", 0.7165313105737896},
    {"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9", "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10", 0.9048374180359599},
};

TEST(SentenceBleuTest, MatchesSacrebleuOnKnownPairs) {
  for (const Known& k : kKnown) {
    EXPECT_NEAR(SentenceBleu(k.hypothesis, {k.reference}), k.bleu, 1e-15) << k.hypothesis;
  }
}

TEST(SentenceBleuTest, EmptyTextScoresZero) {
  EXPECT_EQ(SentenceBleu("", {""}), 0.0);
  EXPECT_EQ(SentenceBleu("", {"a reference"}), 0.0);
  EXPECT_EQ(SentenceBleu("a hypothesis", {""}), 0.0);
  EXPECT_EQ(SentenceBleu("   ", {"\n"}), 0.0);
}

TEST(SentenceBleuTest, NoReferencesScoresZero) { EXPECT_EQ(SentenceBleu("words", {}), 0.0); }

TEST(SentenceBleuTest, IdenticalSentenceScoresOneUpToRounding) {
  EXPECT_NEAR(SentenceBleu("the cat sat on the mat", {"the cat sat on the mat"}), 1.0, 1e-15);
}

TEST(SentenceBleuTest, IsCaseSensitive) {
  EXPECT_LT(SentenceBleu("The Cat", {"the cat"}), 0.5);
}

TEST(SentenceBleuTest, ClipsByTheBestReferenceAndUsesTheClosestLength) {
  // The 4-token hypothesis is fully matched by the second reference, whose length (4) is the
  // closest, so BLEU is 1.
  EXPECT_NEAR(SentenceBleu("a b c d", {"a b", "a b c d", "x y z w v u"}), 1.0, 1e-15);
}

TEST(SentenceBleuTest, MatchesSacrebleuWithSeveralReferences) {
  // sacrebleu.sentence_bleu(hypothesis, references).score / 100.
  EXPECT_NEAR(SentenceBleu("the the the cat sat on the mat",
                           {"the cat sat", "the the dog sat on a mat", "a cat is on the mat"}),
              0.38260294162784492, 1e-15);
  EXPECT_NEAR(SentenceBleu("a b c d e", {"a b", "c d e a b", "e d c b a x y"}),
              0.49999999999999994, 1e-15);
}

TEST(SentenceBleuTest, ClipsRepeatedNgramsLikeSacrebleu) {
  // sacrebleu.sentence_bleu(hypothesis, references).score / 100: n-grams that repeat, and
  // n-grams whose halves both occur in the reference but not next to each other.
  EXPECT_NEAR(SentenceBleu("a b a b a b a", {"b a b a x a b"}), 0.4889230224349009, 1e-15);
  EXPECT_NEAR(SentenceBleu("x a b c y a b c z", {"a b c w a b d"}), 0.2231618068926665, 1e-15);
  EXPECT_NEAR(SentenceBleu("a a a a a", {"a a a", "a a a a a a a a"}), 1.0000000000000004,
              1e-15);
}

TEST(SentenceBleuTest, SmoothsZeroMatchOrdersExponentially) {
  // 1-grams: 2/2 correct; 2-grams: 0/1 -> 100 / (2 * 1). BP = 1.
  const double expected = std::exp((std::log(100.0) + std::log(50.0)) / 2) / 100;
  EXPECT_NEAR(SentenceBleu("b a", {"a b"}), expected, 1e-15);
}

}  // namespace
}  // namespace llmtap::collector::text
