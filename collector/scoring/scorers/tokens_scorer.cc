#include "collector/scoring/scorers/tokens_scorer.h"

#include "collector/common/strings.h"

namespace llmtap::collector {

absl::StatusOr<std::unique_ptr<Scorer>> TokensScorer::Create(const v1::Rubric& rubric,
                                                             const ScorerEnv&) {
  absl::StatusOr<Bound> bound = Bound::FromRubric(rubric);
  if (!bound.ok()) return bound.status();
  return std::unique_ptr<Scorer>(new TokensScorer(*bound));
}

absl::StatusOr<ScoreResult> TokensScorer::Score(const v1::Sample& sample,
                                                const ScoreContext&) const {
  const int64_t total = sample.input_tokens() + sample.output_tokens();
  ScoreResult result;
  result.value = bound_.Value(static_cast<double>(total));
  result.reasoning =
      Cat(total, " tokens (", sample.input_tokens(), " in + ", sample.output_tokens(),
          " out; good <= ", bound_.good, ", bad >= ", bound_.bad, ")");
  return result;
}

}  // namespace llmtap::collector
