// TokenInterner: maps equal tokens to equal small integer ids, so that metrics compare and
// count integers instead of strings.
//
// Example:
//   TokenInterner interner;
//   interner.Intern("a") == 0; interner.Intern("b") == 1; interner.Intern("a") == 0;
//
// Thread-safety: none; one owner at a time.
#ifndef LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_INTERNER_H_
#define LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_INTERNER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace llmtap::collector::text {

class TokenInterner {
 public:
  static constexpr size_t kPaddedBytes = 16;

  TokenInterner();
  TokenInterner(const TokenInterner&) = delete;
  TokenInterner& operator=(const TokenInterner&) = delete;

  // Forgets all tokens; ids restart at 0. Sizes the table for `expected_tokens` distinct
  // tokens; it grows past that if needed. O(1) unless the memory kept from earlier use is
  // too small (or much too large): the table then uses only as many slots as
  // `expected_tokens` needs, which keeps a small table's probes in few cache lines after a
  // large one.
  void Reset(size_t expected_tokens);

  // Returns the id of `token`: ids are dense, 0, 1, 2, ... in order of first appearance
  // since the last Reset. The interner keeps a copy of what it needs, so `token` need only
  // be valid during the call.
  uint32_t Intern(std::string_view token);

  // Sets ids[k] = Intern(tokens[k]) for k < count, in order; faster, above all for tokens
  // of at most kPaddedBytes bytes. REQUIRES: the kPaddedBytes bytes from each
  // tokens[k].data() are readable (the token lies inside a larger buffer, or that buffer
  // has slack after it); only the token's own bytes affect the result.
  void InternPadded(const std::string_view* tokens, size_t count, uint32_t* ids);

  // Number of distinct tokens interned since the last Reset.
  size_t size() const { return size_; }

 private:
  // A token of at most 16 bytes is identified exactly by (low, high, size): low and high
  // hold its bytes, zero-padded. A longer token's low is a hash of its bytes and its high
  // 0, and equal (low, size) is confirmed by comparing the bytes.
  struct Slot {
    uint64_t low = 0;
    uint64_t high = 0;
    uint32_t id = 0;
    // tag_base_ | min(size, kMaxTagSize); the slot is in use iff tag >= tag_base_.
    uint32_t tag = 0;
  };
  // Where a long token's copy lies in long_bytes_.
  struct LongKey {
    uint32_t offset = 0;
    uint32_t size = 0;
  };

  static constexpr uint32_t kMaxTagSize = 0xFFFF;

  // Intern for a token of at most 16 bytes, given as its two words.
  uint32_t InternShort(uint64_t low, uint64_t high, uint32_t size);
  uint32_t InternLong(std::string_view token);
  // Makes the table use `capacity` slots (a power of two), all empty.
  void UseSlots(size_t capacity);
  // Grows the table, keeping the tokens and their ids, so that `tokens` distinct tokens
  // leave at least half of it empty.
  void Reserve(size_t tokens);

  std::vector<Slot> slots_;  // Slots [0, mask_] are in use; the rest is kept memory.
  size_t mask_ = 0;
  int shift_ = 64;  // 64 - log2(mask_ + 1).
  uint32_t tag_base_ = 0;
  size_t size_ = 0;
  std::vector<LongKey> long_keys_;  // By id; set for tokens longer than 16 bytes only.
  // Copies of the distinct tokens longer than 16 bytes. REQUIRES: under 4 GiB per Reset.
  std::string long_bytes_;
};

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_INTERNER_H_
