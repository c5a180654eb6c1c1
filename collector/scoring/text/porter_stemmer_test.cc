#include "collector/scoring/text/porter_stemmer.h"

#include <gtest/gtest.h>

namespace llmtap::collector::text {
namespace {

struct Case {
  const char* word;
  const char* stem;
};

TEST(PorterStemTest, MatchesNltkDefaultModeOnWordList) {
  // nltk.stem.porter.PorterStemmer().stem(word) for each word: the paper's examples for every
  // step plus NLTK's irregular forms and extensions.
  constexpr Case kCases[] = {
      {"caresses", "caress"},
      {"ponies", "poni"},
      {"ties", "tie"},
      {"caress", "caress"},
      {"cats", "cat"},
      {"feed", "feed"},
      {"agreed", "agre"},
      {"plastered", "plaster"},
      {"bled", "bled"},
      {"motoring", "motor"},
      {"sing", "sing"},
      {"conflated", "conflat"},
      {"troubled", "troubl"},
      {"sized", "size"},
      {"hopping", "hop"},
      {"tanned", "tan"},
      {"falling", "fall"},
      {"hissing", "hiss"},
      {"fizzed", "fizz"},
      {"failing", "fail"},
      {"filing", "file"},
      {"happy", "happi"},
      {"sky", "sky"},
      {"skies", "sky"},
      {"dying", "die"},
      {"news", "news"},
      {"innings", "inning"},
      {"relational", "relat"},
      {"conditional", "condit"},
      {"rational", "ration"},
      {"valenci", "valenc"},
      {"digitizer", "digit"},
      {"radicalli", "radic"},
      {"differentli", "differ"},
      {"analogousli", "analog"},
      {"vietnamization", "vietnam"},
      {"predication", "predic"},
      {"operator", "oper"},
      {"feudalism", "feudal"},
      {"decisiveness", "decis"},
      {"hopefulness", "hope"},
      {"formaliti", "formal"},
      {"sensibiliti", "sensibl"},
      {"triplicate", "triplic"},
      {"formative", "form"},
      {"formalize", "formal"},
      {"electrical", "electr"},
      {"goodness", "good"},
      {"revival", "reviv"},
      {"allowance", "allow"},
      {"airliner", "airlin"},
      {"gyroscopic", "gyroscop"},
      {"adjustable", "adjust"},
      {"defensible", "defens"},
      {"replacement", "replac"},
      {"adjustment", "adjust"},
      {"dependent", "depend"},
      {"adoption", "adopt"},
      {"communism", "commun"},
      {"activate", "activ"},
      {"effective", "effect"},
      {"bowdlerize", "bowdler"},
      {"probate", "probat"},
      {"rate", "rate"},
      {"cease", "ceas"},
      {"controll", "control"},
      {"roll", "roll"},
      {"generously", "gener"},
      {"running", "run"},
      {"flies", "fli"},
      {"died", "die"},
      {"spied", "spi"},
      {"tried", "tri"},
      {"studies", "studi"},
      {"fully", "fulli"},
      {"hopefulli", "hope"},
      {"analogi", "analog"},
      {"yyyy", "yyyi"},
      {"syzygy", "syzygi"},
      {"toy", "toy"},
      {"by", "by"},
      {"abc", "abc"},
      {"12345", "12345"},
      {"ab", "ab"},
  };
  for (const Case& c : kCases) EXPECT_EQ(PorterStem(c.word), c.stem) << c.word;
}

TEST(PorterStemTest, LowercasesAsciiFirst) { EXPECT_EQ(PorterStem("RUNNING"), "run"); }

TEST(PorterStemTest, LeavesShortWordsAndEmptyAlone) {
  EXPECT_EQ(PorterStem(""), "");
  EXPECT_EQ(PorterStem("a"), "a");
  EXPECT_EQ(PorterStem("is"), "is");
}

TEST(PorterStemTest, LongRunsOfYAreLinearNotQuadratic) {
  const std::string word(100000, 'y');
  EXPECT_EQ(PorterStem(word).size(), word.size());
}

}  // namespace
}  // namespace llmtap::collector::text
