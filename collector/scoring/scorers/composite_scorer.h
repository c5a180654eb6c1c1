// CompositeScorer: the weighted mean of the values of composite.rubrics already scored on this
// sample.
//
// With V the listed rubrics that have a value v_i in context.earlier, and w_i their
// Rubric.weight from context.weights (1 when absent):
//   value = sum(w_i * v_i) / sum(w_i)   over V
// Listed rubrics with no value (not applicable, sampled out, failed, or scored later) are
// left out.
//
// Errors: FAILED_PRECONDITION "none of the composite's rubrics has a score" when V is empty
// (or context.earlier is null), or when the weights of V sum to 0.
// Factory: INVALID_ARGUMENT naming "composite.rubrics" when empty, or "composite.rubrics[i]"
// for an empty name, a duplicate, or the composite's own name.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_COMPOSITE_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_COMPOSITE_SCORER_H_

#include <memory>
#include <string>
#include <vector>

#include "collector/scoring/scorer.h"

namespace llmtap::collector {

class CompositeScorer final : public Scorer {
 public:
  // For RUBRIC_KIND_COMPOSITE.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;

 private:
  explicit CompositeScorer(std::vector<std::string> rubrics) : rubrics_(std::move(rubrics)) {}
  const std::vector<std::string> rubrics_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_COMPOSITE_SCORER_H_
