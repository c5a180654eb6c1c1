#include "collector/scoring/text/id_pair_table.h"

#include <algorithm>
#include <bit>
#include <cstddef>

namespace llmtap::collector::text {
namespace {

constexpr size_t kMinCapacity = 16;

// The smallest power of two that is at least kMinCapacity and twice `pairs`.
size_t CapacityFor(size_t pairs) { return std::bit_ceil(std::max(kMinCapacity, 2 * pairs)); }

}  // namespace

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

void IdPairTable::Grow() {
  if (slots_.empty()) {  // Never Reset.
    UseSlots(kMinCapacity);
    return;
  }
  std::vector<Slot> old(slots_.begin(), slots_.begin() + static_cast<ptrdiff_t>(mask_ + 1));
  const uint32_t old_generation = generation_;
  const size_t old_size = size_;
  UseSlots(2 * (mask_ + 1));
  for (const Slot& slot : old) {
    if (slot.generation != old_generation) continue;
    size_t i = Home(slot.key);
    while (slots_[i].generation == generation_) i = (i + 1) & mask_;
    slots_[i] = Slot{slot.key, slot.id, generation_};
  }
  size_ = old_size;
}

}  // namespace llmtap::collector::text
