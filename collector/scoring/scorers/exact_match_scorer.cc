#include "collector/scoring/scorers/exact_match_scorer.h"

#include "collector/scoring/scorers/text_util.h"
#include "collector/scoring/text/token_f1.h"

namespace llmtap::collector {

absl::StatusOr<std::unique_ptr<Scorer>> ExactMatchScorer::Create(const v1::Rubric& rubric,
                                                                 const ScorerEnv&) {
  if (absl::Status s = CheckParamsCase(rubric, v1::Rubric::kText, "text"); !s.ok()) return s;
  return std::unique_ptr<Scorer>(new ExactMatchScorer());
}

absl::StatusOr<ScoreResult> ExactMatchScorer::Score(const v1::Sample& sample,
                                                    const ScoreContext&) const {
  if (absl::Status s = RequireReference(sample); !s.ok()) return s;
  ScoreResult result;
  const bool match = text::ExactMatch(sample.response(), sample.reference());
  result.value = match ? 1 : 0;
  result.reasoning = match ? "normalised response equals the reference"
                           : "normalised response differs from the reference";
  return result;
}

}  // namespace llmtap::collector
