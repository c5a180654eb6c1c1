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

}  // namespace
}  // namespace llmtap::collector::text
