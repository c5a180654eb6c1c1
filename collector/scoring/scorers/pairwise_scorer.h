// PairwiseScorer (RUBRIC_KIND_PAIRWISE): for A/B and shadow tests, a judge endpoint
// (CollectorConfig.judges) decides which of two answers to the same prompt is better: the
// candidate sample's (variant candidate_variant, default "shadow") or its baseline's (the
// sample of the same app with the same pair_id and variant baseline_variant, default
// "production", found through ScorerEnv.pairs).
//
//   rubrics {
//     name: "shadow_vs_production" kind: RUBRIC_KIND_PAIRWISE
//     pairwise { endpoint: "local" }
//   }
//
// The judge is asked twice (both calls in flight together), the baseline first as answer A,
// then the candidate first, each
// time for {"winner": "A" | "B" | "tie"}, so that a judge that prefers a position cancels
// out. The score, stored on the candidate sample only, is 1 when the candidate wins in both
// orders, 0 when the baseline does, and 0.5 otherwise (a tie, or a verdict that changed with
// the order). Compare reads these as wins, ties and losses (RubricComparison.pairwise).
// Score.raw_output is a JSON object with the baseline's id and both orders' raw answers and
// winners.
//
// Applies (AppliesTo) only to samples of candidate_variant with a pair_id. Outcomes of
// Score(): a value; UNAVAILABLE "pair_missing: ..." (a skip, recorded) when no baseline sample
// is found within pair_window_s; the judge's skips and errors; an error score keeping the raw
// answers when a winner does not parse.
//
// Factory errors (INVALID_ARGUMENT naming the field): an unknown or bad endpoint; equal
// variants; no pair finder in the environment.
//
// Thread-safety: Score() may be called concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_PAIRWISE_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_PAIRWISE_SCORER_H_

#include <memory>
#include <string>

#include "collector/judge/model_calls.h"
#include "collector/scoring/scorer.h"

namespace llmtap::collector {

class PairwiseScorer final : public Scorer {
 public:
  static constexpr std::string_view kDefaultBaseline = "production";
  static constexpr std::string_view kDefaultCandidate = "shadow";
  static constexpr std::string_view kDefaultCriteria =
      "more helpful, correct and relevant to the question";
  static constexpr uint32_t kDefaultWindowS = 300;
  static constexpr uint32_t kDefaultMaxTokens = 64;

  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);
  PairwiseScorer(ChatCall chat, const PairFinder* pairs, const v1::PairwiseParams& params);

  bool AppliesTo(const v1::Sample& sample) const override;
  // Waits for ScoreAsync.
  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;
  bool is_async() const override { return true; }
  // Finds the baseline on the caller's thread, then asks both orders at once.
  void ScoreAsync(const v1::Sample& sample, const ScoreContext& context,
                  ScoreDone done) const override;

  // The score of the two orders' winners ("A", "B" or "tie"; in the first order A is the
  // baseline, in the second A is the candidate).
  static double Combine(std::string_view first, std::string_view second);

 private:
  const ChatCall chat_;
  std::shared_ptr<void> owner_;  // The endpoint's client (see ChatCallFor).
  const PairFinder* const pairs_;
  const std::string model_;
  const std::string baseline_;
  const std::string candidate_;
  const std::string criteria_;
  const absl::Duration window_;
  const uint32_t max_tokens_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_PAIRWISE_SCORER_H_
