// IdPairTable: dense ids for pairs of 32-bit ids, used to give every n-gram an id built from
// the ids of shorter n-grams.
//
// Example:
//   IdPairTable table;
//   table.Reset(8);
//   table.Insert(3, 7) == 1; table.Insert(1, 2) == 2; table.Find(3, 7) == 1;
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
  // What Find returns for a pair never inserted; no pair gets it as its id.
  static constexpr uint32_t kAbsent = 0;

  IdPairTable();
  IdPairTable(const IdPairTable&) = delete;
  IdPairTable& operator=(const IdPairTable&) = delete;

  // Forgets all pairs; ids restart at 1. Sized for `expected_pairs` insertions, and grows
  // past that if needed. O(1) unless the memory kept from earlier use is too small: the
  // table then uses only as many slots as `expected_pairs` needs, which keeps a small
  // table's probes in few cache lines after a large one.
  void Reset(size_t expected_pairs);

  // Returns the id of (first, second), giving it the next id if new: ids are dense, 1, 2,
  // 3, ... in order of first insertion since the last Reset.
  uint32_t Insert(uint32_t first, uint32_t second);

  // Returns the id of (first, second), or kAbsent if it was never inserted.
  uint32_t Find(uint32_t first, uint32_t second) const;

  // The same for many pairs, faster: for i = 0 .. count - 1, in order,
  // ids[i] = Insert(ids[i], ids[i + 1]), or ids[i] = Find(ids[i], ids[i + 1]).
  // Both read ids[count].
  void InsertAdjacent(uint32_t* ids, size_t count);
  void FindAdjacent(uint32_t* ids, size_t count) const;

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
  static size_t Home(uint64_t key, int shift) {
    return static_cast<size_t>((key * 0x9e3779b97f4a7c15ULL) >> shift);
  }
  // Find's probe past the first slot `home`, which holds another pair.
  uint32_t FindPastHome(uint64_t key, size_t home) const;
  // Makes the table use `capacity` slots (a power of two), forgetting all pairs.
  void UseSlots(size_t capacity);
  // Grows the table, keeping the pairs and their ids, so that `pairs` pairs fit.
  void Reserve(size_t pairs);

  std::vector<Slot> slots_;  // Slots [0, mask_] are in use; the rest is kept memory.
  size_t mask_ = 0;
  int shift_ = 64;  // 64 - log2(mask_ + 1).
  uint32_t generation_ = 1;
  size_t size_ = 0;
};

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_ID_PAIR_TABLE_H_
