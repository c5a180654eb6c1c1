// GroundednessScorer: the share of the response's content n-grams that the contexts support.
//
// Tokens are content tokens (text_util.h): re.findall(r"\w+", text.lower()) minus the English
// stop words. With R the content tokens of the response, n = text.ngram (0 or unset means 1),
// m = min(n, |R|), and S the set of m-grams of the content tokens of each context (n-grams
// do not cross from one context into the next):
//   value = |{ i : (R_i, ..., R_{i+m-1}) in S }| / (|R| - m + 1)
// Every occurrence counts, so a repeated unsupported word weighs as often as it appears.
// A response with no content tokens (empty, or only stop words) makes no claim and scores 1.
//
// Errors: FAILED_PRECONDITION "sample has no contexts" when every context is empty.
// Factory: INVALID_ARGUMENT naming "text" (params of another kind) or "text.ngram" (> 8).
//
// Example: contexts ["Paris is the capital of France."], response "The capital is Paris,
// in Europe." -> tokens [capital, paris, europe], 2 of 3 supported, value 2/3.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_GROUNDEDNESS_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_GROUNDEDNESS_SCORER_H_

#include <memory>

#include "collector/scoring/scorer.h"

namespace llmtap::collector {

class GroundednessScorer final : public Scorer {
 public:
  static constexpr uint32_t kMaxNgram = 8;

  // For RUBRIC_KIND_GROUNDEDNESS.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;

 private:
  explicit GroundednessScorer(uint32_t ngram) : ngram_(ngram) {}
  const uint32_t ngram_;  // >= 1.
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_GROUNDEDNESS_SCORER_H_
