// LengthScorer: value 1 when the response is within every set bound of json.length, else 0.
//   chars = number of Unicode code points of the UTF-8 response (bytes that are not
//           continuation bytes 10xxxxxx, so each invalid byte counts as one);
//   words = len(response.split()) with Python's whitespace set (text/python_unicode.h).
// A bound of 0 is not set. The reasoning lists every violated bound, e.g.
// "412 chars > max_chars 400; 3 words < min_words 5".
//
// Factory: INVALID_ARGUMENT naming "length" when no bound is set, and "length.max_chars" /
// "length.max_words" when below the matching minimum.
//
// Thread-safety: immutable after construction; Score() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_LENGTH_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_LENGTH_SCORER_H_

#include <memory>
#include <string_view>

#include "collector/scoring/scorer.h"

namespace llmtap::collector {

class LengthScorer final : public Scorer {
 public:
  // For RUBRIC_KIND_LENGTH.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;

  static size_t CountCodePoints(std::string_view text);
  static size_t CountWords(std::string_view text);

 private:
  explicit LengthScorer(const v1::LengthParams& params) : params_(params) {}
  const v1::LengthParams params_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_LENGTH_SCORER_H_
