#include "collector/scoring/text/token_interner.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace llmtap::collector::text {
namespace {

TEST(TokenInternerTest, GivesDenseIdsInOrderOfFirstAppearance) {
  TokenInterner interner;
  interner.Reset(4);
  EXPECT_EQ(interner.Intern("a"), 0u);
  EXPECT_EQ(interner.Intern("b"), 1u);
  EXPECT_EQ(interner.Intern("a"), 0u);
  EXPECT_EQ(interner.Intern(""), 2u);
  EXPECT_EQ(interner.size(), 3u);
}

TEST(TokenInternerTest, ResetForgetsAndGrowingKeepsIds) {
  std::vector<std::string> words;
  for (int i = 0; i < 10000; ++i) words.push_back(std::to_string(i));
  TokenInterner interner;
  interner.Reset(1);
  for (size_t i = 0; i < words.size(); ++i) ASSERT_EQ(interner.Intern(words[i]), i);
  for (size_t i = 0; i < words.size(); ++i) ASSERT_EQ(interner.Intern(words[i]), i);
  interner.Reset(1);
  EXPECT_EQ(interner.size(), 0u);
  EXPECT_EQ(interner.Intern("5"), 0u);
}

TEST(TokenInternerTest, ManyResetsNeverShowStaleTokens) {
  // Enough Resets to wrap the slots' generation counter.
  TokenInterner interner;
  const std::vector<std::string> words = {"alpha", "beta", "a-much-longer-token", "beta"};
  for (int round = 0; round < 70000; ++round) {
    interner.Reset(round % 2 == 0 ? 4 : 300);
    ASSERT_EQ(interner.Intern(words[round % 4]), 0u) << round;
    ASSERT_EQ(interner.size(), 1u);
  }
}

TEST(TokenInternerTest, TellsApartLongTokensWithTheSameEnds) {
  TokenInterner interner;
  interner.Reset(4);
  EXPECT_EQ(interner.Intern("abcd-one-wxyz"), 0u);
  EXPECT_EQ(interner.Intern("abcd-two-wxyz"), 1u);
  EXPECT_EQ(interner.Intern("abcd-one-wxyz"), 0u);
  // Longer than a slot's size field: told apart by comparing the bytes.
  const std::string long_a(70000, 'x');
  const std::string long_b(70001, 'x');
  const std::string long_a_again(70000, 'x');
  EXPECT_EQ(interner.Intern(long_a), 2u);
  EXPECT_EQ(interner.Intern(long_b), 3u);
  EXPECT_EQ(interner.Intern(long_a_again), 2u);
}

}  // namespace
}  // namespace llmtap::collector::text
