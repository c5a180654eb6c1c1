// LatencyScorer: Bound.Value(sample.latency_ms) (bound.h): 1 at or below
// bound.good milliseconds, 0 at or above bound.bad, linear between. Failed calls are scored
// too (their latency is still what the caller waited).
// Factory: INVALID_ARGUMENT naming "bound", "bound.good" or "bound.bad" (see bound.h), e.g.
// when bad <= good.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_LATENCY_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_LATENCY_SCORER_H_

#include <memory>
#include <string>
#include <vector>

#include "collector/scoring/scorer.h"
#include "collector/scoring/scorers/bound.h"

namespace llmtap::collector {

class LatencyScorer final : public Scorer {
 public:
  // For RUBRIC_KIND_LATENCY.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;

 private:
  explicit LatencyScorer(Bound bound) : bound_(bound) {}
  const Bound bound_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_LATENCY_SCORER_H_
