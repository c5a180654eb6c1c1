#include "collector/scoring/scorers/bleu_scorer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"
#include "collector/scoring/text/bleu.h"

namespace llmtap::collector {

absl::StatusOr<std::unique_ptr<Scorer>> BleuScorer::Create(const v1::Rubric& rubric,
                                                           const ScorerEnv&) {
  if (absl::Status s = CheckParamsCase(rubric, v1::Rubric::kText, "text"); !s.ok()) return s;
  return std::unique_ptr<Scorer>(new BleuScorer());
}

absl::StatusOr<ScoreResult> BleuScorer::Score(const v1::Sample& sample, const ScoreContext&) const {
  if (absl::Status s = RequireReference(sample); !s.ok()) return s;
  const std::vector<std::string> references = {sample.reference()};
  ScoreResult result;
  // Clamped: the reference arithmetic can land one ulp above 1.
  result.value = std::clamp(text::SentenceBleu(sample.response(), references), 0.0, 1.0);
  result.reasoning = Cat("sentence BLEU ", result.value);
  return result;
}

}  // namespace llmtap::collector
