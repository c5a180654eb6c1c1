#include "collector/scoring/text/token_interner.h"

#include <cstring>
#include <utility>

namespace llmtap::collector::text {
namespace {

constexpr size_t kMinCapacity = 64;
constexpr size_t kShrinkFactor = 64;  // Reset shrinks tables this much larger than needed.

uint64_t Mix(uint64_t h) {
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

// A simple, fast hash for short tokens: 8 bytes at a time, then the tail.
uint64_t HashBytes(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    h = Mix(h ^ word) * 0x9e3779b97f4a7c15ULL;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  return Mix(h ^ tail ^ (static_cast<uint64_t>(s.size()) << 56));
}

size_t CapacityFor(size_t tokens) {
  size_t capacity = kMinCapacity;
  while (capacity < tokens * 2) capacity *= 2;
  return capacity;
}

}  // namespace

void TokenInterner::Reset(size_t expected_tokens) {
  size_ = 0;
  const size_t wanted = CapacityFor(expected_tokens);
  if (slots_.size() < wanted || slots_.size() > wanted * kShrinkFactor) {
    slots_.assign(wanted, Slot{});
    generation_ = 1;
    return;
  }
  if (++generation_ == 0) {  // Wrapped: stale slots could look current.
    slots_.assign(slots_.size(), Slot{});
    generation_ = 1;
  }
}

void TokenInterner::Rehash(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  const uint32_t old_generation = generation_;
  generation_ = 1;
  const size_t mask = capacity - 1;
  for (const Slot& slot : old) {
    if (slot.generation != old_generation) continue;
    size_t i = slot.hash & mask;
    while (slots_[i].generation == generation_) i = (i + 1) & mask;
    slots_[i] = slot;
    slots_[i].generation = generation_;
  }
}

uint32_t TokenInterner::Intern(std::string_view token) {
  if ((size_ + 1) * 2 > slots_.size()) Rehash(CapacityFor(size_ + 1));
  const uint64_t hash = HashBytes(token);
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.generation != generation_) {
      slot = Slot{token, hash, static_cast<uint32_t>(size_), generation_};
      return static_cast<uint32_t>(size_++);
    }
    if (slot.hash == hash && slot.key == token) return slot.id;
  }
}

}  // namespace llmtap::collector::text
