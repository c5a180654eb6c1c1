// IdPairTable: dense ids for pairs of 32-bit ids, used to give every n-gram an id built from
// the id of its (n-1)-gram prefix and the id of its last token.
//
// Example:
//   IdPairTable table;
//   table.Reset(8);
//   table.Insert(3, 7) == 0; table.Insert(1, 2) == 1; table.Find(3, 7) == 0;
//   table.Find(9, 9) == IdPairTable::kAbsent;
//
// Thread-safety: none; one owner at a time.
#ifndef LLMTAP_COLLECTOR_SCORING_TEXT_ID_PAIR_TABLE_H_
#define LLMTAP_COLLECTOR_SCORING_TEXT_ID_PAIR_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace llmtap::collector::text {

class IdPairTable {
 public:
  static constexpr uint32_t kAbsent = 0xFFFFFFFF;

  // Forgets all pairs; ids restart at 0. Sized for `expected_pairs` insertions, and grows
  // past that if needed.
  void Reset(size_t expected_pairs);

  // Returns the id of (first, second), giving it the next id if new.
  uint32_t Insert(uint32_t first, uint32_t second);

  // Returns the id of (first, second), or kAbsent if it was never inserted.
  uint32_t Find(uint32_t first, uint32_t second) const;

  // Number of distinct pairs inserted since the last Reset.
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t key;
    uint32_t id;  // kAbsent marks an empty slot.
  };

  static uint64_t Key(uint32_t first, uint32_t second) {
    return (uint64_t{first} << 32) | second;
  }
  static size_t Hash(uint64_t key) {
    key ^= key >> 31;
    key *= 0x9e3779b97f4a7c15ULL;
    key ^= key >> 29;
    return static_cast<size_t>(key);
  }
  void Grow();

  std::vector<Slot> slots_;  // Size is a power of two, at least twice size_.
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_ID_PAIR_TABLE_H_
