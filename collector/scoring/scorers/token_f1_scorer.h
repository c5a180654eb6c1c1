// TokenF1Scorer: SQuAD v1.1 token F1 of the response against the
// reference (see text/token_f1.h). With P, G the normalised tokens (lowercase, no punctuation
// or articles) and common = sum over w of min(count_P(w), count_G(w)):
// value = 2 * (common/|P|) * (common/|G|) / (common/|P| + common/|G|), 0 when common = 0.
// No params.
// The value is clamped to [0, 1] (the reference arithmetic can land an ulp above 1).
//
// Errors: FAILED_PRECONDITION "sample has no reference" when the sample's reference is empty.
// Factory: INVALID_ARGUMENT naming "text" when the rubric's params are of another kind.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_TOKEN_F1_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_TOKEN_F1_SCORER_H_

#include <memory>

#include "collector/scoring/scorer.h"

namespace llmtap::collector {

class TokenF1Scorer final : public Scorer {
 public:
  // For RUBRIC_KIND_TOKEN_F1.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_TOKEN_F1_SCORER_H_
