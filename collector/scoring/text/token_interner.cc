#include "collector/scoring/text/token_interner.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace llmtap::collector::text {
namespace {

constexpr size_t kMinCapacity = 64;
// Reset frees a table this much larger than needed, if it is also larger than kKeepSlots
// (1 MiB): texts of mixed lengths then do not reallocate it back and forth.
constexpr size_t kShrinkFactor = 64;
constexpr size_t kKeepSlots = size_t{1} << 16;
// Slot tags: the generation in the high 16 bits, the size in the low 16.
constexpr uint32_t kGenerationStep = 0x10000;

uint64_t Mix(uint64_t h) {
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ULL;
  h ^= h >> 32;
  return h;
}

// The first slot to probe for a token's words: the top bits of a product by 2^64 / phi
// (Fibonacci hashing), which depend on all of the bits.
size_t Home(uint64_t low, uint64_t high, int shift) {
  return static_cast<size_t>(((low + high * 0xd6e8feb86659fd93ULL) * 0x9e3779b97f4a7c15ULL) >>
                             shift);
}

// The 8 bytes at p, the first in the low bits whatever the byte order.
uint64_t Load64(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, 8);
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
  return word;
}

// Keeps the low `size` bytes of `word`. REQUIRES: size <= 8.
constexpr uint64_t LowBytes(uint64_t word, size_t size) {
  return size == 8 ? word : word & ((uint64_t{1} << (8 * size)) - 1);
}

// Per token size up to 16, the masks that keep its bytes of the two words loaded from it.
struct WordMasks {
  uint64_t low;
  uint64_t high;
};
constexpr std::array<WordMasks, 17> MakeWordMasks() {
  std::array<WordMasks, 17> masks{};
  for (size_t size = 0; size <= 16; ++size) {
    masks[size] = {LowBytes(~uint64_t{0}, std::min<size_t>(size, 8)),
                   LowBytes(~uint64_t{0}, std::max<size_t>(size, 8) - 8)};
  }
  return masks;
}
constexpr std::array<WordMasks, 17> kWordMasks = MakeWordMasks();

uint32_t Load32(const char* p) {
  uint32_t word;
  std::memcpy(&word, p, 4);
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap32(word);
  return word;
}

// Returns x, hiding from the compiler how it was computed, so that a flag computed without
// branches is not turned back into branches (which compilers do when they judge them
// cheaper, but a branch on whether a hash table holds a key is hard to predict).
inline uint32_t Opaque(uint32_t x) {
#if defined(__GNUC__)
  asm("" : "+r"(x));
#endif
  return x;
}

// The smallest power of two that is at least kMinCapacity and twice `tokens`.
size_t CapacityFor(size_t tokens) { return std::bit_ceil(std::max(kMinCapacity, 2 * tokens)); }

}  // namespace

TokenInterner::TokenInterner() { UseSlots(kMinCapacity); }

void TokenInterner::UseSlots(size_t capacity) {
  mask_ = capacity - 1;
  shift_ = 64 - std::countr_zero(capacity);
  const bool too_large = slots_.size() > capacity * kShrinkFactor && slots_.size() > kKeepSlots;
  if (slots_.size() < capacity || too_large) {
    slots_.assign(capacity, Slot{});
    slots_.shrink_to_fit();
    tag_base_ = kGenerationStep;
    return;
  }
  // Older slots hold smaller generations, so they read as empty.
  tag_base_ += kGenerationStep;
  if (tag_base_ == 0) {  // Wrapped: stale slots could look current.
    slots_.assign(slots_.size(), Slot{});
    tag_base_ = kGenerationStep;
  }
}

void TokenInterner::Reset(size_t expected_tokens) {
  size_ = 0;
  long_bytes_.clear();
  UseSlots(CapacityFor(expected_tokens));
}

void TokenInterner::Reserve(size_t tokens) {
  if (2 * tokens <= mask_ + 1) return;
  const std::vector<Slot> old(slots_.begin(), slots_.begin() + static_cast<ptrdiff_t>(mask_ + 1));
  const uint32_t old_tag_base = tag_base_;
  UseSlots(CapacityFor(tokens));
  for (const Slot& slot : old) {
    if (slot.tag < old_tag_base) continue;
    size_t i = Home(slot.low, slot.high, shift_);
    while (slots_[i].tag >= tag_base_) i = (i + 1) & mask_;
    slots_[i] = Slot{slot.low, slot.high, slot.id, tag_base_ | (slot.tag & kMaxTagSize)};
  }
}

uint32_t TokenInterner::InternLong(std::string_view token) {
  // A hash of all the bytes, 8 at a time; the last load overlaps the one before it.
  const char* p = token.data();
  size_t n = token.size();
  uint64_t hash = n * 0x9e3779b97f4a7c15ULL;
  for (; n > 8; n -= 8, p += 8) hash = Mix(hash ^ Load64(p));
  hash = Mix(hash ^ Load64(p + n - 8));

  const uint32_t tag =
      tag_base_ | static_cast<uint32_t>(std::min<size_t>(token.size(), kMaxTagSize));
  for (size_t i = Home(hash, 0, shift_);; i = (i + 1) & mask_) {
    Slot& slot = slots_[i];
    if (slot.tag < tag_base_) {
      const uint32_t id = static_cast<uint32_t>(size_);
      if (long_keys_.size() <= id) long_keys_.resize(id + 1);
      long_keys_[id] = LongKey{static_cast<uint32_t>(long_bytes_.size()),
                               static_cast<uint32_t>(token.size())};
      long_bytes_.append(token);
      slot = Slot{hash, 0, id, tag};
      Reserve(++size_);  // May move the slots.
      return id;
    }
    // The tag's size (at least 17) tells that the slot holds a long token.
    if (slot.low == hash && slot.tag == tag) {
      const LongKey key = long_keys_[slot.id];
      if (key.size == token.size() &&
          std::memcmp(long_bytes_.data() + key.offset, token.data(), token.size()) == 0) {
        return slot.id;
      }
    }
  }
}

uint32_t TokenInterner::InternShort(uint64_t low, uint64_t high, uint32_t size) {
  const uint32_t tag = tag_base_ | size;
  for (size_t i = Home(low, high, shift_);; i = (i + 1) & mask_) {
    Slot& slot = slots_[i];
    if (slot.low == low && slot.high == high && slot.tag == tag) return slot.id;
    if (slot.tag < tag_base_) {
      const uint32_t id = static_cast<uint32_t>(size_);
      slot = Slot{low, high, id, tag};
      Reserve(++size_);  // May move the slots.
      return id;
    }
  }
}

uint32_t TokenInterner::Intern(std::string_view token) {
  const size_t n = token.size();
  const char* p = token.data();
  if (n > 16) return InternLong(token);
  if (n > 8) {
    // The last 8 bytes, shifted down so that byte 8 comes first, as InternPadded has them.
    return InternShort(Load64(p), Load64(p + n - 8) >> (8 * (16 - n)),
                       static_cast<uint32_t>(n));
  }
  // The bytes in the low bits, as InternPadded reads them, without reading past the token:
  // 4..8 bytes are covered by the first and the last 4 (which may overlap), 1..3 bytes by
  // bytes 0, n / 2 and n - 1.
  uint64_t low = 0;
  if (n >= 4) {
    low = Load32(p) | (uint64_t{Load32(p + n - 4)} << (8 * (n - 4)));
  } else if (n > 0) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    low = uint64_t{u[0]} | (uint64_t{u[n / 2]} << (8 * (n / 2))) |
          (uint64_t{u[n - 1]} << (8 * (n - 1)));
  }
  return InternShort(low, 0, static_cast<uint32_t>(n));
}

void TokenInterner::InternPadded(const std::string_view* tokens, size_t count, uint32_t* ids) {
  // With room for every token to be new, nothing in the loop grows the table, so its state
  // can live in locals (stores to slots could otherwise change members, for the compiler).
  Reserve(size_ + count);
  Slot* const slots = slots_.data();
  const size_t mask = mask_;
  const int shift = shift_;
  const uint32_t tag_base = tag_base_;
  uint32_t size = static_cast<uint32_t>(size_);
  for (size_t k = 0; k < count; ++k) {
    const std::string_view token = tokens[k];
    if (token.size() > 16) [[unlikely]] {
      size_ = size;
      ids[k] = InternLong(token);
      size = static_cast<uint32_t>(size_);
      continue;
    }
    const WordMasks& masks = kWordMasks[token.size()];
    const uint64_t low = Load64(token.data()) & masks.low;
    const uint64_t high = Load64(token.data() + 8) & masks.high;
    const uint32_t tag = tag_base | static_cast<uint32_t>(token.size());
    size_t i = Home(low, high, shift);
    // Usually the first slot holds the token or is empty, and which it is is hard to
    // predict, so that decides no branch: the slot is rewritten either way (with what it
    // holds if it is the token's). Only another token there takes the loop.
    for (;;) {
      const Slot& slot = slots[i];
      const uint32_t in_use = Opaque(slot.tag >= tag_base ? 1 : 0);
      const uint32_t same =
          Opaque(((slot.low ^ low) | (slot.high ^ high) | (slot.tag ^ tag)) == 0 ? 1 : 0);
      if (in_use <= same) break;  // Empty, or the token's.
      i = (i + 1) & mask;
    }
    Slot& slot = slots[i];
    // In use with this size (so the token's), or empty.
    const uint32_t found = Opaque(slot.tag == tag ? 1 : 0);
    const uint32_t id = (slot.id & (0 - found)) | (size & (found - 1));
    slot = Slot{low, high, id, tag};
    ids[k] = id;
    size += 1 - found;
  }
  size_ = size;
}

}  // namespace llmtap::collector::text
