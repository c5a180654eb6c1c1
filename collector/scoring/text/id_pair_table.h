// IdPairTable: dense ids for pairs of 32-bit ids, used to give every n-gram an id built from
// the ids of shorter n-grams.
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
  // past that if needed. O(1) unless the memory kept from earlier use is too small: the
  // table then uses only as many slots as `expected_pairs` needs, which keeps a small
  // table's probes in few cache lines after a large one.
  void Reset(size_t expected_pairs);

  // Returns the id of (first, second), giving it the next id if new.
  uint32_t Insert(uint32_t first, uint32_t second);

  // Returns the id of (first, second), or kAbsent if it was never inserted.
  uint32_t Find(uint32_t first, uint32_t second) const;

  // Number of distinct pairs inserted since the last Reset.
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t key = 0;
    uint32_t id = 0;
    uint32_t generation = 0;  // The slot is in use iff generation == generation_.
  };

  static uint64_t Key(uint32_t first, uint32_t second) {
    return (uint64_t{first} << 32) | second;
  }
  // The first slot to probe for `key`: the top bits of key * 2^64 / phi (Fibonacci
  // hashing), which depend on all of the key's bits.
  size_t Home(uint64_t key) const {
    return static_cast<size_t>((key * 0x9e3779b97f4a7c15ULL) >> shift_);
  }
  // Makes the table use `capacity` slots (a power of two), forgetting all pairs.
  void UseSlots(size_t capacity);
  void Grow();

  std::vector<Slot> slots_;  // Slots [0, mask_] are in use; the rest is kept memory.
  size_t mask_ = 0;
  int shift_ = 63;  // 64 - log2(mask_ + 1), once UseSlots has run.
  uint32_t generation_ = 1;
  size_t size_ = 0;
};

// Insert and Find are inline: they run once per n-gram, in loops that do little else.

inline uint32_t IdPairTable::Insert(uint32_t first, uint32_t second) {
  if ((size_ + 1) * 2 > mask_ + 1) Grow();
  const uint64_t key = Key(first, second);
  for (size_t i = Home(key);; i = (i + 1) & mask_) {
    Slot& slot = slots_[i];
    if (slot.generation != generation_) {
      slot = Slot{key, static_cast<uint32_t>(size_), generation_};
      return static_cast<uint32_t>(size_++);
    }
    if (slot.key == key) return slot.id;
  }
}

inline uint32_t IdPairTable::Find(uint32_t first, uint32_t second) const {
  if (slots_.empty()) return kAbsent;
  const uint64_t key = Key(first, second);
  for (size_t i = Home(key);; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.generation != generation_) return kAbsent;
    if (slot.key == key) return slot.id;
  }
}

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_ID_PAIR_TABLE_H_
