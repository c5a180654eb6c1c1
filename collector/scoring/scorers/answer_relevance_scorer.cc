#include "collector/scoring/scorers/answer_relevance_scorer.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"

namespace llmtap::collector {

absl::StatusOr<std::unique_ptr<Scorer>> AnswerRelevanceScorer::Create(const v1::Rubric& rubric,
                                                                      const ScorerEnv&) {
  if (absl::Status s = CheckParamsCase(rubric, v1::Rubric::kText, "text"); !s.ok()) return s;
  return std::unique_ptr<Scorer>(new AnswerRelevanceScorer());
}

absl::StatusOr<ScoreResult> AnswerRelevanceScorer::Score(const v1::Sample& sample,
                                                         const ScoreContext&) const {
  std::vector<std::string> prompt_tokens = ContentTokens(sample.prompt());
  const absl::flat_hash_set<std::string> prompt(std::make_move_iterator(prompt_tokens.begin()),
                                                std::make_move_iterator(prompt_tokens.end()));
  if (prompt.empty()) return absl::FailedPreconditionError("prompt has no content words");
  std::vector<std::string> response_tokens = ContentTokens(sample.response());
  const absl::flat_hash_set<std::string> response(std::make_move_iterator(response_tokens.begin()),
                                                  std::make_move_iterator(response_tokens.end()));
  size_t covered = 0;
  for (const std::string& word : prompt) covered += response.contains(word) ? 1 : 0;
  ScoreResult result;
  result.value = static_cast<double>(covered) / static_cast<double>(prompt.size());
  result.reasoning =
      Cat(covered, " of ", prompt.size(), " distinct prompt content words appear in the response");
  return result;
}

}  // namespace llmtap::collector
