#include "collector/scoring/text/tokenizer_13a.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "collector/scoring/text/python_unicode.h"

namespace llmtap::collector::text {
namespace {

// A literal transcription of sacrebleu's TokenizerRegexp: four full passes, each a
// left-to-right, non-overlapping substitution of a two-character pattern, then split. Slow
// but obviously right; the single-pass tokenizer is checked against it.
template <typename Match, typename Emit>
std::string Pass(const std::string& in, Match match, Emit emit) {
  std::string out;
  for (size_t i = 0; i < in.size();) {
    if (i + 1 < in.size() && match(in[i], in[i + 1])) {
      emit(in[i], in[i + 1], &out);
      i += 2;
    } else {
      out.push_back(in[i++]);
    }
  }
  return out;
}

std::string ReferenceTokenize13a(const std::string& line) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto pc = [](char c) { return c == '.' || c == ','; };
  std::string s1;
  for (char c : " " + line + " ") {
    const unsigned char b = static_cast<unsigned char>(c);
    const bool spaced = (b >= 0x7B && b <= 0x7E) || (b >= 0x5B && b <= 0x60) ||
                        (b >= 0x20 && b <= 0x26) || (b >= 0x28 && b <= 0x2B) ||
                        (b >= 0x3A && b <= 0x40) || b == '/';
    if (spaced) {
      s1 += ' ';
      s1 += c;
      s1 += ' ';
    } else {
      s1 += c;
    }
  }
  const std::string s2 = Pass(
      s1, [&](char x, char y) { return !digit(x) && pc(y); },
      [](char x, char y, std::string* o) { *o += std::string{x, ' ', y, ' '}; });
  const std::string s3 = Pass(
      s2, [&](char x, char y) { return pc(x) && !digit(y); },
      [](char x, char y, std::string* o) { *o += std::string{' ', x, ' ', y}; });
  const std::string s4 = Pass(
      s3, [&](char x, char y) { return digit(x) && y == '-'; },
      [](char x, char y, std::string* o) { *o += std::string{x, ' ', y, ' '}; });
  std::string joined;
  ForEachPythonSplit(s4, [&](std::string_view token) {
    if (!joined.empty()) joined += ' ';
    joined += token;
  });
  return joined;
}

TEST(Tokenize13aTest, SinglePassMatchesTheFourRegexPassesOnRandomLines) {
  // Characters that interact in the substitutions, plus a multi-byte letter and NBSP.
  const std::vector<std::string> pieces = {".", ",", "-", "5", "0", "a", "Z", " ", "'", "/",
                                           "(", "$", "\t", "\x01", "\xC3\xA9", "\xC2\xA0"};
  std::mt19937 rng(13);
  for (int trial = 0; trial < 20000; ++trial) {
    std::string line;
    const int length = static_cast<int>(rng() % 12);
    for (int i = 0; i < length; ++i) line += pieces[rng() % pieces.size()];
    ASSERT_EQ(Tokenize13a(line), ReferenceTokenize13a(line)) << "line: '" << line << "'";
  }
}

// Expected strings are sacrebleu 2.4.3's Tokenizer13a()(input).
TEST(Tokenize13aTest, SeparatesPunctuationButKeepsApostrophesAndNumbers) {
  EXPECT_EQ(Tokenize13a("Hello, world! It's 3.5-4 &amp; more."),
            "Hello , world ! It's 3.5 - 4 & more .");
  EXPECT_EQ(Tokenize13a("1,000.50 a.b 1.a a.1 ..."), "1,000.50 a . b 1 . a a . 1 . . .");
  EXPECT_EQ(Tokenize13a("e.g. U.S.A. 10-20 -5 5-"), "e . g . U . S . A . 10 - 20 -5 5 -");
  EXPECT_EQ(Tokenize13a("(x)[y]{z}/w\\v@u~t"), "( x ) [ y ] { z } / w \\ v @ u ~ t");
}

TEST(Tokenize13aTest, RemovesSkippedAndJoinsHyphenatedLines) {
  EXPECT_EQ(Tokenize13a("a<skipped>b-\nc\nd"), "abc d");
  // Removing "<skipped>" can make "-\n" (removed next) or put a digit before a '-'.
  EXPECT_EQ(Tokenize13a("x-<skipped>\ny 3<skipped>-4"), "xy 3 - 4");
}

TEST(Tokenize13aTest, UnescapesEntitiesOneAfterAnother) {
  EXPECT_EQ(Tokenize13a("&amp;lt;x&amp;gt; &quot;q&quot;"), "< x > \" q \"");
  // "&quot;" is replaced before "&amp;", "&lt;" after it, and each pass only once.
  EXPECT_EQ(Tokenize13a("&amp;quot;a&amp;amp;lt;b &amp;&amp;lt; x&amp;y AT&T"),
            "& quot ; a & amp ; lt ; b & < x & y AT & T");
}

TEST(Tokenize13aTest, SplitsOnUnicodeWhitespaceAndKeepsOtherUnicode) {
  EXPECT_EQ(Tokenize13a("  spaced\xC2\xA0out\xE3\x80\x80here  "), "spaced out here");
  EXPECT_EQ(Tokenize13a("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x80\x81"),
            "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x80\x81");
  EXPECT_EQ(Tokenize13a(""), "");
  // Lead bytes shared with Unicode whitespace (\xC2, \xE2) in characters that are not.
  EXPECT_EQ(Tokenize13a("5\xE2\x82\xAC-3 \xC2\xA9.5 \xE2\x80\x93" "2,\xC2\xA0-1 x\xE2\x80\xA8y"),
            "5\xE2\x82\xAC-3 \xC2\xA9 . 5 \xE2\x80\x93" "2 , -1 x y");
}

TEST(Tokenize13aTest, LongTextsThenShortOnes) {
  // Longer than the scratch Tokenize keeps, which it then frees.
  std::string line;
  for (int i = 0; line.size() < 200000; ++i) line += "w" + std::to_string(i % 977) + ", 3.5-x ";
  ASSERT_EQ(Tokenize13a(line), ReferenceTokenize13a(line));
  EXPECT_EQ(Tokenize13a("a, b."), "a , b .");
  EXPECT_EQ(Tokenize13a(line), ReferenceTokenize13a(line));
}

TEST(Tokenize13aTest, TokenIdsAreTheInternedTokens) {
  const std::vector<std::string> pieces = {
      ".", ",", "-", "5", "a", " ", "'", "&amp;", "&lt;", "&quot;", "&", ";", "\n", "<skipped>",
      "\xC3\xA9", "\xC2\xA0", "word", "a-much-longer-word", "\xE3\x80\x80", "12345678"};
  std::mt19937 rng(7);
  for (int trial = 0; trial < 5000; ++trial) {
    std::string line;
    const int length = static_cast<int>(rng() % 40);
    for (int i = 0; i < length; ++i) line += pieces[rng() % pieces.size()];
    TokenList tokens;
    AppendTokens13a(line, &tokens);
    TokenInterner expected_interner;
    std::vector<uint32_t> expected;
    for (size_t i = 0; i < tokens.size(); ++i) {
      expected.push_back(expected_interner.Intern(tokens[i]));
    }
    TokenInterner interner;
    interner.Reset(1);
    std::vector<uint32_t> ids = {99};  // Appended to, not replaced.
    AppendTokenIds13a(line, &interner, &ids);
    expected.insert(expected.begin(), 99);
    ASSERT_EQ(ids, expected) << "line: '" << line << "'";
  }
}

}  // namespace
}  // namespace llmtap::collector::text
