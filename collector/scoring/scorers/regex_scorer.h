// RegexScorer: value 1 when every regex.must pattern matches somewhere in the response and no
// regex.must_not pattern does, else 0. Patterns are RE2 (linear time: no catastrophic
// backtracking whatever the pattern), UTF-8, unanchored; regex.case_insensitive makes them all
// case-insensitive. The reasoning names every failing pattern by field, e.g.
// "regex.must[1] /\d+/ did not match; regex.must_not[0] /sorry/ matched".
//
// Factory: INVALID_ARGUMENT naming "regex" when there are no patterns at all, and
// "regex.must[i]" / "regex.must_not[i]" for a pattern RE2 rejects (or one whose compiled
// program exceeds RE2's default memory budget).
//
// Thread-safety: immutable after construction; RE2 objects are thread-safe for matching.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_REGEX_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_REGEX_SCORER_H_

#include <memory>
#include <string>
#include <vector>

#include "collector/scoring/scorer.h"
#include "re2/re2.h"

namespace llmtap::collector {

class RegexScorer final : public Scorer {
 public:
  // For RUBRIC_KIND_REGEX.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;

 private:
  struct Pattern {
    std::string field;  // "regex.must[0]".
    std::unique_ptr<RE2> re;
  };
  RegexScorer() = default;

  std::vector<Pattern> must_;
  std::vector<Pattern> must_not_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_REGEX_SCORER_H_
