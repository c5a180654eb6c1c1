// CostScorer: Bound.Value(cost) (bound.h) with cost in US dollars: 1 at or
// below bound.good, 0 at or above bound.bad, linear between.
//
// cost = sample.cost_usd when > 0; otherwise priced from env.config->prices() (copied at
// creation): the entry whose model equals sample.model, else the longest "prefix*" entry
// that sample.model starts with, and
//   cost = input_tokens * usd_per_million_input_tokens / 1e6
//        + output_tokens * usd_per_million_output_tokens / 1e6.
// Errors: FAILED_PRECONDITION "no price for model '<model>'" when neither applies.
// Factory: INVALID_ARGUMENT naming "bound", "bound.good" or "bound.bad" (see bound.h), e.g.
// when bad <= good.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_COST_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_COST_SCORER_H_

#include <memory>
#include <string>
#include <vector>

#include "collector/scoring/scorer.h"
#include "collector/scoring/scorers/bound.h"

namespace llmtap::collector {

class CostScorer final : public Scorer {
 public:
  // For RUBRIC_KIND_COST.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;

  // The price entry for `model` as described above, or nullptr.
  const v1::ModelPrice* FindPrice(const std::string& model) const;

 private:
  CostScorer(Bound bound, std::vector<v1::ModelPrice> prices)
      : bound_(bound), prices_(std::move(prices)) {}
  const Bound bound_;
  const std::vector<v1::ModelPrice> prices_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_COST_SCORER_H_
