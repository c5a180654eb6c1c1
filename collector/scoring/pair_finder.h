// PairFinder: finds the other sample of a pair (Sample.pair_id), for the pairwise judge.
// Scorers see only this interface; StorePairFinder reads the collector's store.
//
// Thread-safe: implementations are called from several scoring workers at once.
#ifndef LLMTAP_COLLECTOR_SCORING_PAIR_FINDER_H_
#define LLMTAP_COLLECTOR_SCORING_PAIR_FINDER_H_

#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "llmtap/v1/sample.pb.h"

namespace llmtap::collector {

class PairFinder {
 public:
  virtual ~PairFinder() = default;
  // The sample of `sample`'s app with the same pair_id and variant `variant` that started
  // within `window` of it, or nullopt when there is none (yet). Storage errors as errors.
  virtual absl::StatusOr<std::optional<v1::Sample>> FindPartner(const v1::Sample& sample,
                                                                std::string_view variant,
                                                                absl::Duration window) const = 0;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_PAIR_FINDER_H_
