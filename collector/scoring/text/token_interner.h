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

  // Forgets all tokens; ids restart at 0. Keeps the table's memory unless it is much larger
  // than `expected_tokens` needs. O(1) unless the table is resized.
  void Reset(size_t expected_tokens);

  // Returns the id of `token`: ids are dense, 0, 1, 2, ... in order of first appearance
  // since the last Reset. REQUIRES: the bytes `token` views stay alive and unchanged until
  // the next Reset (only the view is stored).
  uint32_t Intern(std::string_view token);

  // Number of distinct tokens interned since the last Reset.
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint64_t head = 0;  // With key.size() <= 8, identifies the key; see HashBytes.
    std::string_view key;
    uint32_t id = 0;
    uint32_t generation = 0;  // The slot is in use iff generation == generation_.
  };

  void Rehash(size_t capacity);

  std::vector<Slot> slots_;  // Size is zero or a power of two.
  uint32_t generation_ = 1;
  size_t size_ = 0;
};

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_INTERNER_H_
