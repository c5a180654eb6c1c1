// AnswerRelevanceScorer: how much of what the prompt asks about the response talks about.
//
// With Q the set of distinct content tokens of the prompt and A the set of distinct content
// tokens of the response (content tokens: re.findall(r"\w+", text.lower()) minus English stop
// words, see text_util.h):
//   value = |Q intersect A| / |Q|      (recall of the prompt's content words)
// Recall rather than F1, so that a long, thorough answer is not penalised for its length. An
// empty response scores 0. No params.
//
// Errors: FAILED_PRECONDITION "prompt has no content words" when Q is empty.
//
// Example: prompt "What is the capital of France?", response "Paris is France's capital."
// -> Q = {capital, france}, A = {paris, france, capital}, value 1.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_ANSWER_RELEVANCE_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_ANSWER_RELEVANCE_SCORER_H_

#include <memory>

#include "collector/scoring/scorer.h"

namespace llmtap::collector {

class AnswerRelevanceScorer final : public Scorer {
 public:
  // For RUBRIC_KIND_ANSWER_RELEVANCE. Accepts no params or (ignored) text params.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_ANSWER_RELEVANCE_SCORER_H_
