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

// A fast hash for short tokens: 8 bytes at a time, the last 1..8 bytes with at most two
// loads into `*head`. For a token of at most 8 bytes, (size, head) identifies it exactly:
// 4..8 bytes are covered by the first and last 4, and 1..3 bytes by bytes 0, n/2 and n-1.
uint64_t HashBytes(std::string_view s, uint64_t* head) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
  for (; n > 8; n -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = Mix(h ^ word) * 0x9e3779b97f4a7c15ULL;
  }
  uint64_t tail = 0;
  if (n >= 4) {
    uint32_t first;
    uint32_t last;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + n - 4, 4);
    tail = (uint64_t{first} << 32) | last;
  } else if (n > 0) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    tail = (uint64_t{u[0]} << 16) | (uint64_t{u[n >> 1]} << 8) | u[n - 1];
  }
  *head = tail;
  return Mix(h ^ tail);
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
  uint64_t head;
  const uint64_t hash = HashBytes(token, &head);
  const size_t mask = slots_.size() - 1;
  const bool short_token = token.size() <= 8;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.generation != generation_) {
      slot = Slot{hash, head, token, static_cast<uint32_t>(size_), generation_};
      return static_cast<uint32_t>(size_++);
    }
    if (slot.hash == hash && slot.head == head && slot.key.size() == token.size() &&
        (short_token || slot.key == token)) {
      return slot.id;
    }
  }
}

}  // namespace llmtap::collector::text
