// The deterministic sampling decision shared by every rubric.
#ifndef LLMTAP_COLLECTOR_SCORING_SAMPLER_H_
#define LLMTAP_COLLECTOR_SCORING_SAMPLER_H_

#include <cstdint>
#include <string_view>

namespace llmtap::collector {

// FNV-1a 64 of `key` mapped to [0, 1). The same key always gives the same point, so a rubric
// at rate r scores exactly the samples whose point is below r: two rubrics at 5% pick the
// same samples, and a rubric at 10% picks a superset of those.
inline double SamplePoint(std::string_view key) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  // Finalise (splitmix64) so that short, similar keys spread over [0, 1).
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

inline bool Sampled(double point, double rate) { return point < rate; }

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SAMPLER_H_
