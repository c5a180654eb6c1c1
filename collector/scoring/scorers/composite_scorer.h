// CompositeScorer: the mean of the values of composite.rubrics already scored on this sample.
//
// With V the values in context.earlier of the listed rubrics that are present there:
//   value = (sum of V) / |V|        (equal weights)
// Listed rubrics with no value (not applicable, sampled out, failed, or scored later) are
// left out. Equal weights because the engine hands scorers only the values: proto's
// "Rubric.weight weighs them" needs the engine to pass weights too (see the scoring report);
// until then every listed rubric weighs 1.
//
// Errors: FAILED_PRECONDITION "none of the composite's rubrics has a score" when V is empty
// (or context.earlier is null).
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
