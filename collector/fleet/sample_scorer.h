// SampleScorer: scores one sample against the current rubrics with no store, synchronously:
// the fleet scorer's per-sample logic. It makes the decisions ScoringEngine makes for a
// queued sample (which rubrics apply, the shared sampling hash, full_first_n, composites last
// over the values scored before them) and builds and accounts each score with the same
// score_builder functions, but calls every scorer through Score(), judges included, on the
// caller's thread: concurrency is the caller's threads (fleet: scoring.workers).
//
// Not done here (Kafka holds the backlog, and its lag is visible): shedding and overload skips.
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_FLEET_SAMPLE_SCORER_H_
#define LLMTAP_COLLECTOR_FLEET_SAMPLE_SCORER_H_

#include <cstdint>

#include "collector/common/metrics.h"
#include "collector/scoring/rubric_registry.h"
#include "collector/store/store.h"
#include "llmtap/v1/config.pb.h"

namespace llmtap::collector::fleet {

class SampleScorer {
 public:
  // `rubrics` and `metrics` must outlive the scorer.
  SampleScorer(const RubricRegistry* rubrics, const v1::ScoringConfig& config, Metrics* metrics);

  // Adds the sample's scores and rollup values to `write`. `seen_before`: samples of its
  // (app, model) this scorer saw before it (for full_first_n).
  void Score(const v1::Sample& sample, uint64_t seen_before, ScoreWrite* write) const;

 private:
  const RubricRegistry* const rubrics_;
  const bool hash_by_id_;
  Counter* const scored_;
  Counter* const not_scored_;
  Counter* const sampled_out_;
};

}  // namespace llmtap::collector::fleet

#endif  // LLMTAP_COLLECTOR_FLEET_SAMPLE_SCORER_H_
