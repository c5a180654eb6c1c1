#include "collector/scoring/text/token_interner.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace llmtap::collector::text {
namespace {

constexpr size_t kMinCapacity = 64;
// Reset frees a table this much larger than needed, if it is also larger than kKeepSlots
// (1 MiB): texts of mixed lengths then do not reallocate it back and forth.
constexpr size_t kShrinkFactor = 64;
constexpr size_t kKeepSlots = size_t{1} << 16;
constexpr size_t kMaxSlotSize = 0xFFFF;

uint64_t Mix(uint64_t h) {
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

// Eight zero bytes, read instead of a token too short for the loads that need 4 bytes.
constexpr char kZeros[8] = {};

// A fast hash for short tokens: 8 bytes at a time, then the last 0..8 bytes go into
// `*head`. For a token of at most 8 bytes, (size, head) identifies it exactly: 4..8 bytes
// are covered by the first and last 4, and 0..3 bytes by bytes 0, n/2 and n-1. Both heads
// are computed and one is selected, as a branch on the length is poorly predicted; the
// loads that do not apply read kZeros instead of bytes outside the token.
[[gnu::always_inline]] inline uint64_t HashBytes(std::string_view s, uint64_t* head) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
  for (; n > 8; n -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = Mix(h ^ word) * 0x9e3779b97f4a7c15ULL;
  }
  // Selections by indexing and masking, which compilers do not turn into branches.
  const size_t four_or_more = n >= 4 ? 1 : 0;
  const char* const long_source[2] = {kZeros, p};
  const char* const q = long_source[four_or_more];
  const size_t last_at = (n - 4) & (0 - four_or_more);
  uint32_t first;
  uint32_t last;
  std::memcpy(&first, q, 4);
  std::memcpy(&last, q + last_at, 4);
  const char* const short_source[2] = {kZeros, p};
  const auto* u = reinterpret_cast<const unsigned char*>(short_source[n > 0 ? 1 : 0]);
  const size_t m = n + (n == 0 ? 1 : 0);
  const uint64_t short_head = (uint64_t{u[0]} << 16) | (uint64_t{u[m >> 1]} << 8) | u[m - 1];
  const uint64_t long_head = (uint64_t{first} << 32) | last;
  const uint64_t long_mask = 0 - uint64_t{four_or_more};
  const uint64_t tail = (long_head & long_mask) | (short_head & ~long_mask);
  *head = tail;
  return Mix(h ^ tail);
}

uint16_t SlotSize(std::string_view token) {
  return static_cast<uint16_t>(std::min(token.size(), kMaxSlotSize));
}

// The smallest power of two that is at least kMinCapacity and twice `tokens`.
size_t CapacityFor(size_t tokens) { return std::bit_ceil(std::max(kMinCapacity, 2 * tokens)); }

}  // namespace

void TokenInterner::UseSlots(size_t capacity) {
  mask_ = capacity - 1;
  const bool too_large = slots_.size() > capacity * kShrinkFactor && slots_.size() > kKeepSlots;
  if (slots_.size() < capacity || too_large) {
    slots_.assign(capacity, Slot{});
    slots_.shrink_to_fit();
    generation_ = 1;
    return;
  }
  // Older slots hold other generations, so they read as empty.
  if (++generation_ == 0) {  // Wrapped: stale slots could look current.
    slots_.assign(slots_.size(), Slot{});
    generation_ = 1;
  }
}

void TokenInterner::Reset(size_t expected_tokens) {
  keys_.clear();
  UseSlots(CapacityFor(expected_tokens));
}

void TokenInterner::Place(uint32_t id) {
  uint64_t head;
  const uint64_t hash = HashBytes(keys_[id], &head);
  size_t i = hash & mask_;
  while (slots_[i].generation == generation_) i = (i + 1) & mask_;
  slots_[i] = Slot{head, id, SlotSize(keys_[id]), generation_};
}

void TokenInterner::Grow() {
  UseSlots(2 * (mask_ + 1));
  for (uint32_t id = 0; id < keys_.size(); ++id) Place(id);
}

uint32_t TokenInterner::Intern(std::string_view token) {
  if ((keys_.size() + 1) * 2 > mask_ + 1) Grow();  // Keeps at least half the slots empty.
  uint64_t head;
  const uint64_t hash = HashBytes(token, &head);
  const uint16_t size = SlotSize(token);
  const bool short_token = token.size() <= 8;
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
    Slot& slot = slots_[i];
    if (slot.generation != generation_) {
      const uint32_t id = static_cast<uint32_t>(keys_.size());
      slot = Slot{head, id, size, generation_};
      keys_.push_back(token);
      return id;
    }
    if (slot.head == head && slot.size == size && (short_token || keys_[slot.id] == token)) {
      return slot.id;
    }
  }
}

}  // namespace llmtap::collector::text
