#include "collector/scoring/text/lcs.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace llmtap::collector::text {
namespace {

TEST(LcsLengthTest, SmallCases) {
  const std::vector<uint32_t> a = {0, 1, 2, 3, 4};
  const std::vector<uint32_t> b = {4, 0, 2, 4, 5};
  EXPECT_EQ(LcsLength(a, b, 6), 3u);  // 0 2 4
  EXPECT_EQ(LcsLength(b, a, 6), 3u);
  EXPECT_EQ(LcsLength(a, {}, 6), 0u);
  EXPECT_EQ(LcsLength(a, a, 6), 5u);
}

TEST(LcsLengthTest, BitParallelAgreesWithDynamicProgrammingAcrossWordBoundaries) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const size_t n = rng() % 300;
    const size_t m = rng() % 200;
    const uint32_t alphabet = 1 + rng() % 20;
    std::vector<uint32_t> a(n);
    std::vector<uint32_t> b(m);
    for (auto& x : a) x = rng() % alphabet;
    for (auto& x : b) x = rng() % alphabet;
    EXPECT_EQ(LcsLength(a, b, alphabet), LcsLengthDynamicProgramming(a, b))
        << "n=" << n << " m=" << m;
  }
}

TEST(LcsLengthTest, FallsBackWhenMasksWouldBeLarge) {
  // 3000 distinct ids x 47 words exceeds kMaxLcsMaskWords.
  std::vector<uint32_t> a(3000);
  std::vector<uint32_t> b(3000);
  for (uint32_t i = 0; i < 3000; ++i) {
    a[i] = i;
    b[i] = (i * 7) % 3000;
  }
  EXPECT_EQ(LcsLength(a, b, 3000), LcsLengthDynamicProgramming(a, b));
}

}  // namespace
}  // namespace llmtap::collector::text
