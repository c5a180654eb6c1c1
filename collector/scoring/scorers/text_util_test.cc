#include "collector/scoring/scorers/text_util.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using ::testing::ElementsAre;

TEST(WordTokens, AreLowercasedRunsOfWordCharacters) {
  EXPECT_THAT(WordTokens("Don't panic, Ünïcode_42!"),
              ElementsAre("don", "t", "panic", "ünïcode_42"));
  EXPECT_THAT(WordTokens("日本語 と ΣΑΣ"), ElementsAre("日本語", "と", "σας"));
  EXPECT_TRUE(WordTokens("").empty());
  EXPECT_TRUE(WordTokens("... !!! \xff\xfe").empty());
}

TEST(ContentTokens, DropStopWords) {
  EXPECT_THAT(ContentTokens("What is the capital of France?"), ElementsAre("capital", "france"));
}

TEST(StopWords, ListIsSortedForBinarySearch) {
  EXPECT_TRUE(IsStopWord("the"));
  EXPECT_TRUE(IsStopWord("a"));
  EXPECT_TRUE(IsStopWord("yourselves"));
  EXPECT_TRUE(IsStopWord("wouldn"));
  EXPECT_FALSE(IsStopWord("paris"));
  EXPECT_FALSE(IsStopWord(""));
}

TEST(Excerpt, CutsAtUtf8Boundary) {
  EXPECT_EQ(Excerpt("abc", 3), "abc");
  EXPECT_EQ(Excerpt("ab\xc3\xa9", 3), "ab...");
}

}  // namespace
}  // namespace llmtap::collector
