#include "collector/scoring/text/python_unicode.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace llmtap::collector::text {
namespace {

std::string Lower(std::string_view text) {
  std::string out;
  AppendPythonLower(text, &out);
  return out;
}

std::vector<std::string> Split(std::string_view text) {
  std::vector<std::string> out;
  ForEachPythonSplit(text, [&](std::string_view token) { out.emplace_back(token); });
  return out;
}

TEST(DecodeUtf8Test, DecodesEachLengthAndRejectsInvalidBytes) {
  EXPECT_EQ(DecodeUtf8("a", 0).code_point, U'a');
  EXPECT_EQ(DecodeUtf8("\xC3\xA9", 0).code_point, U'\u00E9');
  EXPECT_EQ(DecodeUtf8("\xE2\x82\xAC", 0).code_point, U'\u20AC');
  EXPECT_EQ(DecodeUtf8("\xF0\x9F\x98\x80", 0).code_point, U'\U0001F600');
  EXPECT_FALSE(DecodeUtf8("\xC3", 0).valid);
  EXPECT_FALSE(DecodeUtf8("\xC0\x80", 0).valid);      // Overlong.
  EXPECT_FALSE(DecodeUtf8("\xED\xA0\x80", 0).valid);  // Surrogate.
  EXPECT_EQ(DecodeUtf8("\xFF", 0).length, 1u);
}

TEST(PythonLowerTest, MatchesStrLower) {
  // Expected values are Python's str.lower().
  EXPECT_EQ(Lower("Hello W\xC3\x96RLD"), "hello w\xC3\xB6rld");
  EXPECT_EQ(Lower("\xC4\xB0"), "i\xCC\x87");                      // U+0130
  EXPECT_EQ(Lower("\xE2\x84\xAA"), "k");                          // Kelvin sign
  EXPECT_EQ(Lower("\xE2\x84\xAB"), "\xC3\xA5");                   // Angstrom sign
  EXPECT_EQ(Lower("\xD0\x9C\xD0\xBE\xD1\x81"), "\xD0\xBC\xD0\xBE\xD1\x81");  // Cyrillic
  EXPECT_EQ(Lower("\xC7\x85"), "\xC7\x86");                       // Titlecase dz
  EXPECT_EQ(Lower("\xE1\xBE\xBC"), "\xE1\xBE\xB3");               // U+1FBC
  EXPECT_EQ(Lower("\xC3\x9F"), "\xC3\x9F");                       // sharp s unchanged
  EXPECT_EQ(Lower("\xFF" "A"), "\xFF" "a");                       // Invalid byte kept.
}

TEST(PythonLowerTest, CapitalSigmaIsFinalOnlyAfterACasedLetterAtWordEnd) {
  EXPECT_EQ(Lower("\xCE\xA3"), "\xCF\x83");                  // "Σ" -> "σ"
  EXPECT_EQ(Lower("\xCE\x91\xCE\xA3"), "\xCE\xB1\xCF\x82");  // "ΑΣ" -> "ας"
  EXPECT_EQ(Lower("\xCE\xA3\xCE\x91"), "\xCF\x83\xCE\xB1");  // "ΣΑ" -> "σα"
  EXPECT_EQ(Lower("A\xCE\xA3 "), "a\xCF\x82 ");              // Latin letters are cased too.
  EXPECT_EQ(Lower("\xCE\x91\xCE\xA3.\xCE\x92"), "\xCE\xB1\xCF\x83.\xCE\xB2");
}

TEST(PythonSplitTest, SplitsOnAllPythonWhitespace) {
  EXPECT_EQ(Split(" a\tb\nc\x1c"
                  "d\xC2\x85"
                  "e\xC2\xA0"
                  "f\xE2\x80\x80g\xE2\x80\xA8h\xE3\x80\x80i "),
            (std::vector<std::string>{"a", "b", "c", "d", "e", "f", "g", "h", "i"}));
  // U+200B (zero width space) is not whitespace in Python.
  EXPECT_EQ(Split("a\xE2\x80\x8B" "b"), (std::vector<std::string>{"a\xE2\x80\x8B" "b"}));
  EXPECT_TRUE(Split("  ").empty());
}

TEST(PythonRStripTest, StripsTrailingPythonWhitespaceOnly) {
  EXPECT_EQ(PythonRStrip(" a b \n\xE3\x80\x80"), " a b");
  EXPECT_EQ(PythonRStrip("\xC3\xA9"), "\xC3\xA9");
  EXPECT_EQ(PythonRStrip(""), "");
}

TEST(IsPythonWordCharTest, MatchesReWordClass) {
  EXPECT_TRUE(IsPythonWordChar(U'_'));
  EXPECT_TRUE(IsPythonWordChar(U'\u00E9'));
  EXPECT_TRUE(IsPythonWordChar(U'\u5317'));   // CJK
  EXPECT_TRUE(IsPythonWordChar(U'\u00BD'));   // Vulgar fraction one half (numeric).
  EXPECT_FALSE(IsPythonWordChar(U'\u0301'));  // Combining acute accent.
  EXPECT_FALSE(IsPythonWordChar(U'\U0001F600'));
  EXPECT_FALSE(IsPythonWordChar(U'-'));
}

}  // namespace
}  // namespace llmtap::collector::text
