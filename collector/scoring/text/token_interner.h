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
#include <string_view>
#include <vector>

namespace llmtap::collector::text {

class TokenInterner {
 public:
  TokenInterner() = default;
  TokenInterner(const TokenInterner&) = delete;
  TokenInterner& operator=(const TokenInterner&) = delete;

  // Forgets all tokens; ids restart at 0. Sizes the table for `expected_tokens` calls to
  // Intern; it grows past that if needed. O(1) unless the memory kept from earlier use is
  // too small (or much too large): the table then uses only as many slots as
  // `expected_tokens` needs, which keeps a small table's probes in few cache lines after a
  // large one.
  void Reset(size_t expected_tokens);

  // Returns the id of `token`: ids are dense, 0, 1, 2, ... in order of first appearance
  // since the last Reset. REQUIRES: the bytes `token` views stay alive and unchanged until
  // the next Reset (only the view is stored).
  uint32_t Intern(std::string_view token);

  // Number of distinct tokens interned since the last Reset.
  size_t size() const { return keys_.size(); }

 private:
  // 16 bytes, so that four share a cache line.
  struct Slot {
    uint64_t head = 0;  // See HashBytes: with size <= 8, (size, head) identifies the key.
    uint32_t id = 0;
    uint16_t size = 0;        // The key's size, at most 0xFFFF (longer keys are compared).
    uint16_t generation = 0;  // The slot is in use iff generation == generation_.
  };

  // Makes the table use `capacity` slots (a power of two), all empty.
  void UseSlots(size_t capacity);
  // Doubles the slots in use and puts the keys back.
  void Grow();
  // Puts the key with id `id` in an empty slot.
  void Place(uint32_t id);

  std::vector<Slot> slots_;  // Slots [0, mask_] are in use; the rest is kept memory.
  size_t mask_ = 0;
  uint16_t generation_ = 1;
  std::vector<std::string_view> keys_;  // keys_[id] is the token with that id.
};

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_INTERNER_H_
