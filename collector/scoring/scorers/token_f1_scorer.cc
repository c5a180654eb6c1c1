#include "collector/scoring/scorers/token_f1_scorer.h"

#include <algorithm>

#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"
#include "collector/scoring/text/token_f1.h"

namespace llmtap::collector {

absl::StatusOr<std::unique_ptr<Scorer>> TokenF1Scorer::Create(const v1::Rubric& rubric,
                                                              const ScorerEnv&) {
  if (absl::Status s = CheckParamsCase(rubric, v1::Rubric::kText, "text"); !s.ok()) return s;
  return std::unique_ptr<Scorer>(new TokenF1Scorer());
}

absl::StatusOr<ScoreResult> TokenF1Scorer::Score(const v1::Sample& sample,
                                                 const ScoreContext&) const {
  if (absl::Status s = RequireReference(sample); !s.ok()) return s;
  ScoreResult result;
  // Clamped: the reference arithmetic can land one ulp above 1.
  result.value = std::clamp(text::TokenF1(sample.response(), sample.reference()), 0.0, 1.0);
  result.reasoning = Cat("token F1 ", result.value);
  return result;
}

}  // namespace llmtap::collector
