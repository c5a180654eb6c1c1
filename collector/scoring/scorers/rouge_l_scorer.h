// RougeLScorer: ROUGE-L F1 of the response against the reference, exactly as
// rouge_score 0.1.2 computes RougeScorer(["rougeL"], use_stemmer).score(reference,
// response)["rougeL"].fmeasure (see text/rouge.h). With L = |LCS| of the token sequences:
// P = L / |response tokens|, R = L / |reference tokens|, value = 2PR / (P + R), 0 when L = 0.
// Params: text.use_stemmer (Porter stemming, default false).
// The value is clamped to [0, 1] (the reference arithmetic can land an ulp above 1).
//
// Errors: FAILED_PRECONDITION "sample has no reference" when the sample's reference is empty.
// Factory: INVALID_ARGUMENT naming "text" when the rubric's params are of another kind.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_ROUGE_L_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_ROUGE_L_SCORER_H_

#include <memory>

#include "collector/scoring/scorer.h"

namespace llmtap::collector {

class RougeLScorer final : public Scorer {
 public:
  // For RUBRIC_KIND_ROUGE_L.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;

 private:
  explicit RougeLScorer(bool use_stemmer) : use_stemmer_(use_stemmer) {}
  const bool use_stemmer_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_ROUGE_L_SCORER_H_
