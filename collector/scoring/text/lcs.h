// Length of the longest common subsequence of two sequences of token ids, the core of
// ROUGE-L.
//
// Thread-safety: safe to call concurrently (scratch memory is thread-local).
#ifndef LLMTAP_COLLECTOR_SCORING_TEXT_LCS_H_
#define LLMTAP_COLLECTOR_SCORING_TEXT_LCS_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace llmtap::collector::text {

// Returns |LCS(a, b)|, the same value as the last cell of rouge_score's `_lcs_table`.
// Ids must be dense (as TokenInterner gives): every id < `num_ids`.
//
// Uses Hyyro's bit-parallel algorithm, O(|a| |b| / 64) time, while its per-id match masks
// for the shorter sequence fit in kMaxLcsMaskWords 64-bit words; otherwise the classic
// dynamic programme in O(|a| |b|) time. Either way memory is O(min(|a|, |b|) + num_ids).
size_t LcsLength(std::span<const uint32_t> a, std::span<const uint32_t> b, size_t num_ids);

// Bound on the bit-parallel path's mask table (distinct ids in the shorter sequence times
// its length / 64). Default: 64 Ki words (512 KiB).
inline constexpr size_t kMaxLcsMaskWords = 64 * 1024;

// The classic dynamic programme alone, for tests that cross-check the fast path.
size_t LcsLengthDynamicProgramming(std::span<const uint32_t> a, std::span<const uint32_t> b);

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_LCS_H_
