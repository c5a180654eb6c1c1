// ExactMatchScorer: SQuAD v1.1 exact match: value 1 when
// normalize_answer(response) == normalize_answer(reference) (lowercase, punctuation and
// articles removed, whitespace collapsed; see text/token_f1.h), else 0. No params.
//
// Errors: FAILED_PRECONDITION "sample has no reference" when the sample's reference is empty.
// Factory: INVALID_ARGUMENT naming "text" when the rubric's params are of another kind.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_EXACT_MATCH_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_EXACT_MATCH_SCORER_H_

#include <memory>

#include "collector/scoring/scorer.h"

namespace llmtap::collector {

class ExactMatchScorer final : public Scorer {
 public:
  // For RUBRIC_KIND_EXACT_MATCH.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_EXACT_MATCH_SCORER_H_
