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

TEST(TokenInternerTest, PaddedBatchesGiveTheIdsOfSingleInterns) {
  // Tokens of every size around the 8-byte word, including NUL bytes, which only the size
  // tells apart from the padding.
  std::string buffer;
  std::vector<std::pair<size_t, size_t>> spans;  // (offset, size) in buffer.
  for (size_t size = 0; size <= 20; ++size) {
    for (char fill : {'a', '\0', 'b'}) {
      spans.emplace_back(buffer.size(), size);
      buffer.append(size, fill);
      spans.emplace_back(buffer.size(), size);
      buffer.append(std::string("xyz\0", 4) + std::string(size, fill), 0, size);
    }
  }
  buffer.append(8, '#');  // Slack for the last token's 8-byte read.
  std::vector<std::string_view> tokens;
  for (const auto& [offset, size] : spans) tokens.emplace_back(buffer.data() + offset, size);

  TokenInterner single;
  single.Reset(1);
  std::vector<uint32_t> expected;
  for (std::string_view token : tokens) expected.push_back(single.Intern(std::string(token)));

  TokenInterner batched;
  batched.Reset(1);  // Too small: the batch must grow it.
  std::vector<uint32_t> ids(tokens.size());
  const size_t half = tokens.size() / 2;
  batched.InternPadded(tokens.data(), half, ids.data());
  batched.InternPadded(tokens.data() + half, tokens.size() - half, ids.data() + half);
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(batched.size(), single.size());
  // Single interns agree with the batches' ids.
  for (size_t k = 0; k < tokens.size(); ++k) {
    ASSERT_EQ(batched.Intern(std::string(tokens[k])), expected[k]) << k;
  }
}

TEST(TokenInternerTest, KeepsItsOwnCopyOfLongTokens) {
  TokenInterner interner;
  interner.Reset(4);
  std::string token = "a-token-longer-than-eight-bytes";
  EXPECT_EQ(interner.Intern(token), 0u);
  token[0] = 'b';  // The interner must not see this change.
  EXPECT_EQ(interner.Intern(token), 1u);
  EXPECT_EQ(interner.Intern("a-token-longer-than-eight-bytes"), 0u);
}

}  // namespace
}  // namespace llmtap::collector::text
