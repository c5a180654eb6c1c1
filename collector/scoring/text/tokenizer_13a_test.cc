#include "collector/scoring/text/tokenizer_13a.h"

#include <gtest/gtest.h>

namespace llmtap::collector::text {
namespace {

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
}

TEST(Tokenize13aTest, UnescapesEntitiesOneAfterAnother) {
  EXPECT_EQ(Tokenize13a("&amp;lt;x&amp;gt; &quot;q&quot;"), "< x > \" q \"");
}

TEST(Tokenize13aTest, SplitsOnUnicodeWhitespaceAndKeepsOtherUnicode) {
  EXPECT_EQ(Tokenize13a("  spaced\xC2\xA0out\xE3\x80\x80here  "), "spaced out here");
  EXPECT_EQ(Tokenize13a("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x80\x81"),
            "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x80\x81");
  EXPECT_EQ(Tokenize13a(""), "");
}

}  // namespace
}  // namespace llmtap::collector::text
