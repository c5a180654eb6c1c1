// TokensScorer: Bound.Value(input_tokens + output_tokens) (bound.h): 1 at or
// below bound.good tokens, 0 at or above bound.bad, linear between.
// Factory: INVALID_ARGUMENT naming "bound", "bound.good" or "bound.bad" (see bound.h), e.g.
// when bad <= good.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_TOKENS_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_TOKENS_SCORER_H_

#include <memory>
#include <string>
#include <vector>

#include "collector/scoring/scorer.h"
#include "collector/scoring/scorers/bound.h"

namespace llmtap::collector {

class TokensScorer final : public Scorer {
 public:
  // For RUBRIC_KIND_TOKENS.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;

 private:
  explicit TokensScorer(Bound bound) : bound_(bound) {}
  const Bound bound_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_TOKENS_SCORER_H_
