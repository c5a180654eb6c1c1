#include "collector/scoring/text/lcs.h"

#include <algorithm>
#include <bit>
#include <vector>

namespace llmtap::collector::text {
namespace {

constexpr int32_t kAbsent = -1;

struct LcsScratch {
  std::vector<uint32_t> row;
  std::vector<int32_t> mask_index;  // id -> row of `masks`, or kAbsent.
  std::vector<uint64_t> masks;      // Row r: positions in the shorter sequence of id r.
  std::vector<uint64_t> v;
};

LcsScratch& Scratch() {
  thread_local LcsScratch scratch;
  return scratch;
}

// Hyyro (2004): V starts all ones over the m positions of `shorter`; for each element c of
// `longer`, U = V & Match(c); V = (V + U) | (V - U). The LCS length is the number of zero
// bits of V. Since U is a subset of V, V - U == V & ~U needs no borrow.
size_t BitParallel(std::span<const uint32_t> shorter, std::span<const uint32_t> longer,
                   size_t num_ids, size_t distinct, LcsScratch& s) {
  const size_t m = shorter.size();
  const size_t words = (m + 63) / 64;
  s.masks.assign(distinct * words, 0);
  for (size_t j = 0; j < m; ++j) {
    s.masks[static_cast<size_t>(s.mask_index[shorter[j]]) * words + j / 64] |=
        uint64_t{1} << (j % 64);
  }
  s.v.assign(words, ~uint64_t{0});
  for (uint32_t id : longer) {
    if (id >= num_ids || s.mask_index[id] == kAbsent) continue;
    const uint64_t* match = &s.masks[static_cast<size_t>(s.mask_index[id]) * words];
    uint64_t carry = 0;
    for (size_t w = 0; w < words; ++w) {
      const uint64_t x = s.v[w];
      const uint64_t u = x & match[w];
      const uint64_t sum1 = x + u;
      const uint64_t sum = sum1 + carry;
      carry = (sum1 < x) | (sum < sum1);
      s.v[w] = sum | (x & ~u);
    }
  }
  size_t ones = 0;
  for (size_t w = 0; w < words; ++w) {
    uint64_t bits = s.v[w];
    if (w == words - 1 && m % 64 != 0) bits &= (uint64_t{1} << (m % 64)) - 1;
    ones += static_cast<size_t>(std::popcount(bits));
  }
  return m - ones;
}

}  // namespace

size_t LcsLengthDynamicProgramming(std::span<const uint32_t> a, std::span<const uint32_t> b) {
  if (a.size() < b.size()) std::swap(a, b);  // The row spans the shorter sequence, b.
  if (b.empty()) return 0;
  std::vector<uint32_t>& row = Scratch().row;
  row.assign(b.size() + 1, 0);
  for (uint32_t x : a) {
    uint32_t diagonal = 0;  // table[i-1][j-1]
    for (size_t j = 1; j <= b.size(); ++j) {
      const uint32_t up = row[j];
      row[j] = (x == b[j - 1]) ? diagonal + 1 : std::max(up, row[j - 1]);
      diagonal = up;
    }
  }
  return row[b.size()];
}

size_t LcsLength(std::span<const uint32_t> a, std::span<const uint32_t> b, size_t num_ids) {
  if (a.size() < b.size()) std::swap(a, b);
  if (b.empty()) return 0;
  LcsScratch& s = Scratch();
  s.mask_index.assign(num_ids, kAbsent);
  size_t distinct = 0;
  for (uint32_t id : b) {
    if (id >= num_ids) return LcsLengthDynamicProgramming(a, b);
    if (s.mask_index[id] == kAbsent) s.mask_index[id] = static_cast<int32_t>(distinct++);
  }
  if (distinct * ((b.size() + 63) / 64) > kMaxLcsMaskWords) {
    return LcsLengthDynamicProgramming(a, b);
  }
  return BitParallel(b, a, num_ids, distinct, s);
}

}  // namespace llmtap::collector::text
