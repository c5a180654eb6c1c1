// StorePairFinder: the PairFinder over the collector's store. It reads the samples of the
// sample's app that started within the window of it (samples keys are in time order per app),
// newest first, and stops at the first with the same pair_id and the variant asked for, or
// after kMaxExamined samples.
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_SCORING_STORE_PAIR_FINDER_H_
#define LLMTAP_COLLECTOR_SCORING_STORE_PAIR_FINDER_H_

#include "collector/scoring/pair_finder.h"
#include "collector/store/store.h"

namespace llmtap::collector {

class StorePairFinder final : public PairFinder {
 public:
  // Past this many samples in the window the search gives up (nullopt): a busy app needs a
  // smaller pairwise.pair_window_s.
  static constexpr uint64_t kMaxExamined = 200000;

  // `store` must outlive the finder.
  explicit StorePairFinder(const Store* store) : store_(store) {}

  absl::StatusOr<std::optional<v1::Sample>> FindPartner(const v1::Sample& sample,
                                                        std::string_view variant,
                                                        absl::Duration window) const override;

 private:
  const Store* const store_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_STORE_PAIR_FINDER_H_
