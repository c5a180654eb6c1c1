#include <chrono>
#include <random>

#include "llmtap/sample.h"
#include "sample_id.h"

namespace llmtap {
namespace internal {

std::string NewSampleIdAt(std::chrono::system_clock::time_point when) {
  // Per-thread generator: no locks, seeded once from the OS.
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }());
  const uint64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          when.time_since_epoch())
                          .count();
  const uint64_t hi = (ms << 16) | (rng() & 0xFFFF);  // 48 bits of time, 16 random.
  const uint64_t lo = rng();                           // 64 random.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int i = 0; i < 16; ++i) {
    id[15 - i] = kHex[(hi >> (4 * i)) & 0xF];
    id[31 - i] = kHex[(lo >> (4 * i)) & 0xF];
  }
  return id;
}

}  // namespace internal

std::string NewSampleId() { return internal::NewSampleIdAt(std::chrono::system_clock::now()); }

}  // namespace llmtap
