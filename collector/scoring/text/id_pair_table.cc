#include "collector/scoring/text/id_pair_table.h"

#include <algorithm>
#include <bit>
#include <cstddef>

namespace llmtap::collector::text {
namespace {

constexpr size_t kMinCapacity = 16;

// The smallest power of two that is at least kMinCapacity and eight times `pairs`: with at
// most an eighth of the slots in use, most lookups end at their first slot.
size_t CapacityFor(size_t pairs) { return std::bit_ceil(std::max(kMinCapacity, 8 * pairs)); }

// Returns x, hiding from the compiler how it was computed, so that a flag computed without
// branches is not turned back into branches (which compilers do when they judge them
// cheaper, but a branch on whether a hash table holds a key is hard to predict).
inline uint32_t Opaque(uint32_t x) {
#if defined(__GNUC__)
  asm("" : "+r"(x));
#endif
  return x;
}

}  // namespace

IdPairTable::IdPairTable() { UseSlots(kMinCapacity); }

void IdPairTable::UseSlots(size_t capacity) {
  size_ = 0;
  mask_ = capacity - 1;
  shift_ = 64 - std::countr_zero(capacity);
  if (slots_.size() < capacity) {
    slots_.assign(capacity, Slot{});
    generation_ = 1;
    return;
  }
  // Older slots hold smaller generations, so they read as empty.
  if (++generation_ == 0) {  // Wrapped: stale slots could look current.
    slots_.assign(slots_.size(), Slot{});
    generation_ = 1;
  }
}

void IdPairTable::Reset(size_t expected_pairs) { UseSlots(CapacityFor(expected_pairs)); }

void IdPairTable::Reserve(size_t pairs) {
  if (CapacityFor(pairs) <= mask_ + 1) return;
  const std::vector<Slot> old(slots_.begin(), slots_.begin() + static_cast<ptrdiff_t>(mask_ + 1));
  const uint32_t old_generation = generation_;
  const size_t old_size = size_;
  UseSlots(CapacityFor(pairs));
  for (const Slot& slot : old) {
    if (slot.generation != old_generation) continue;
    size_t i = Home(slot.key, shift_);
    while (slots_[i].generation == generation_) i = (i + 1) & mask_;
    slots_[i] = Slot{slot.key, slot.id, generation_};
  }
  size_ = old_size;
}

uint32_t IdPairTable::Insert(uint32_t first, uint32_t second) {
  uint32_t ids[2] = {first, second};
  InsertAdjacent(ids, 1);
  return ids[0];
}

uint32_t IdPairTable::Find(uint32_t first, uint32_t second) const {
  uint32_t ids[2] = {first, second};
  FindAdjacent(ids, 1);
  return ids[0];
}

uint32_t IdPairTable::FindPastHome(uint64_t key, size_t home) const {
  for (size_t i = (home + 1) & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.generation != generation_) return kAbsent;
    if (slot.key == key) return slot.id;
  }
}

// Both loops keep the table's state in locals: with stores to slots or ids in the loop, the
// compiler could not assume that the members stay unchanged.

void IdPairTable::InsertAdjacent(uint32_t* ids, size_t count) {
  Reserve(size_ + count);  // Nothing in the loop grows the table.
  Slot* const slots = slots_.data();
  const size_t mask = mask_;
  const int shift = shift_;
  const uint32_t generation = generation_;
  uint32_t size = static_cast<uint32_t>(size_);
  for (size_t i = 0; i < count; ++i) {
    const uint64_t key = Key(ids[i], ids[i + 1]);
    for (size_t h = Home(key, shift);; h = (h + 1) & mask) {
      Slot& slot = slots[h];
      if (slot.generation != generation) {
        slot = Slot{key, ++size, generation};
        ids[i] = size;
        break;
      }
      if (slot.key == key) {
        ids[i] = slot.id;
        break;
      }
    }
  }
  size_ = size;
}

void IdPairTable::FindAdjacent(uint32_t* ids, size_t count) const {
  const Slot* const slots = slots_.data();
  const int shift = shift_;
  const uint32_t generation = generation_;
  for (size_t i = 0; i < count; ++i) {
    const uint64_t key = Key(ids[i], ids[i + 1]);
    const size_t home = Home(key, shift);
    const Slot& slot = slots[home];
    const uint32_t in_use = Opaque(slot.generation == generation ? 1 : 0);
    const uint32_t same_key = Opaque(slot.key == key ? 1 : 0);
    // The only branch is on whether the first slot holds another pair, which is rare (at
    // most an eighth of the slots are in use): whether the pair is there is hard to
    // predict.
    if (in_use > same_key) [[unlikely]] {
      ids[i] = FindPastHome(key, home);
    } else {
      ids[i] = slot.id & (0 - (in_use & same_key));  // kAbsent if the slot is not in use.
    }
  }
}

}  // namespace llmtap::collector::text
