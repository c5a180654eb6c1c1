// BleuScorer: sentence BLEU of the response against [reference], exactly as
// sacrebleu 2.4.3 sentence_bleu(response, [reference]).score / 100 computes it (13a
// tokenizer, orders 1..4, exp smoothing, effective order; see text/bleu.h):
// value = BP * exp(mean(log p_n)), BP = min(1, exp(1 - r / h)). No params.
// The value is clamped to [0, 1] (the reference arithmetic can land an ulp above 1).
//
// Errors: FAILED_PRECONDITION "sample has no reference" when the sample's reference is empty.
// Factory: INVALID_ARGUMENT naming "text" when the rubric's params are of another kind.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_BLEU_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_BLEU_SCORER_H_

#include <memory>

#include "collector/scoring/scorer.h"

namespace llmtap::collector {

class BleuScorer final : public Scorer {
 public:
  // For RUBRIC_KIND_BLEU.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_BLEU_SCORER_H_
