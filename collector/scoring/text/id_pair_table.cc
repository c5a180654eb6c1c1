#include "collector/scoring/text/id_pair_table.h"

#include <utility>

namespace llmtap::collector::text {

void IdPairTable::Reset(size_t expected_pairs) {
  size_t capacity = 16;
  while (capacity < expected_pairs * 2) capacity *= 2;
  slots_.assign(capacity, Slot{0, kAbsent});
  mask_ = capacity - 1;
  size_ = 0;
}

void IdPairTable::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{0, kAbsent});
  mask_ = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.id == kAbsent) continue;
    size_t i = Hash(slot.key) & mask_;
    while (slots_[i].id != kAbsent) i = (i + 1) & mask_;
    slots_[i] = slot;
  }
}

uint32_t IdPairTable::Insert(uint32_t first, uint32_t second) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  const uint64_t key = Key(first, second);
  for (size_t i = Hash(key) & mask_;; i = (i + 1) & mask_) {
    Slot& slot = slots_[i];
    if (slot.id == kAbsent) {
      slot = Slot{key, static_cast<uint32_t>(size_)};
      return static_cast<uint32_t>(size_++);
    }
    if (slot.key == key) return slot.id;
  }
}

uint32_t IdPairTable::Find(uint32_t first, uint32_t second) const {
  if (slots_.empty()) return kAbsent;
  const uint64_t key = Key(first, second);
  for (size_t i = Hash(key) & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.id == kAbsent) return kAbsent;
    if (slot.key == key) return slot.id;
  }
}

}  // namespace llmtap::collector::text
