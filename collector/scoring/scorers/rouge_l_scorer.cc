#include "collector/scoring/scorers/rouge_l_scorer.h"

#include <algorithm>

#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"
#include "collector/scoring/text/rouge.h"

namespace llmtap::collector {

absl::StatusOr<std::unique_ptr<Scorer>> RougeLScorer::Create(const v1::Rubric& rubric,
                                                             const ScorerEnv&) {
  if (absl::Status s = CheckParamsCase(rubric, v1::Rubric::kText, "text"); !s.ok()) return s;
  return std::unique_ptr<Scorer>(new RougeLScorer(rubric.text().use_stemmer()));
}

absl::StatusOr<ScoreResult> RougeLScorer::Score(const v1::Sample& sample,
                                                const ScoreContext&) const {
  if (absl::Status s = RequireReference(sample); !s.ok()) return s;
  ScoreResult result;
  // Clamped: the reference arithmetic can land one ulp above 1.
  result.value =
      std::clamp(text::RougeLF1(sample.reference(), sample.response(), use_stemmer_), 0.0, 1.0);
  result.reasoning = Cat("ROUGE-L F1 ", result.value, use_stemmer_ ? " (stemmed)" : "");
  return result;
}

}  // namespace llmtap::collector
