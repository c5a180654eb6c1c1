#include "collector/scoring/scorers/latency_scorer.h"

#include "collector/common/strings.h"

namespace llmtap::collector {

absl::StatusOr<std::unique_ptr<Scorer>> LatencyScorer::Create(const v1::Rubric& rubric,
                                                              const ScorerEnv&) {
  absl::StatusOr<Bound> bound = Bound::FromRubric(rubric);
  if (!bound.ok()) return bound.status();
  return std::unique_ptr<Scorer>(new LatencyScorer(*bound));
}

absl::StatusOr<ScoreResult> LatencyScorer::Score(const v1::Sample& sample,
                                                 const ScoreContext&) const {
  ScoreResult result;
  result.value = bound_.Value(sample.latency_ms());
  result.reasoning = Cat("latency ", sample.latency_ms(), " ms (good <= ", bound_.good,
                         ", bad >= ", bound_.bad, ")");
  return result;
}

}  // namespace llmtap::collector
