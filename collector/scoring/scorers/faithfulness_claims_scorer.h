// FaithfulnessClaimsScorer (RUBRIC_KIND_FAITHFULNESS_CLAIMS): faithfulness as Ragas defines
// it, the share of the response's claims that the contexts support, with a judge endpoint
// (CollectorConfig.judges) doing the reading in two calls:
//   1. split the response into short standalone claims: {"claims": [string, ...]};
//   2. for each claim, does the context support it: {"verdicts": ["yes" | "no", ...]}, one
//      per claim in order (the JSON schema fixes the count).
// score = claims judged "yes" / claims.
//
//   rubrics {
//     name: "faithfulness_claims" kind: RUBRIC_KIND_FAITHFULNESS_CLAIMS
//     requires_contexts: true
//     claims { endpoint: "local" }
//   }
//
// A response with no claims (blank, or the judge finds none) scores 1, as DeepEval's
// FaithfulnessMetric does: there is nothing the context fails to support (Ragas returns NaN,
// which a score in [0, 1] cannot hold). Score.raw_output is a JSON object: "claims" (each
// with its "verdict") and "answers" (the judge's two raw answers); tokens and cost add up
// both calls. An answer that does not parse (no list, a verdict count that does not match)
// is an error score keeping the raw answers, tokens and cost.
//
// Outcomes of Score(): a value; the judge's skips (spend_cap, circuit_open) and errors as
// JudgeClient::Complete returns them; FAILED_PRECONDITION when the sample has no contexts.
//
// Factory errors (INVALID_ARGUMENT naming the field): an unknown or bad endpoint; max_claims
// over kMaxClaims.
//
// Thread-safety: Score() may be called concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_FAITHFULNESS_CLAIMS_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_FAITHFULNESS_CLAIMS_SCORER_H_

#include <memory>
#include <string>

#include "collector/judge/model_calls.h"
#include "collector/scoring/scorer.h"

namespace llmtap::collector {

class FaithfulnessClaimsScorer final : public Scorer {
 public:
  static constexpr uint32_t kDefaultMaxClaims = 20;
  static constexpr uint32_t kMaxClaims = 100;
  static constexpr uint32_t kDefaultMaxTokens = 512;

  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);
  FaithfulnessClaimsScorer(ChatCall chat, const v1::ClaimsParams& params);

  // Waits for ScoreAsync.
  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;
  bool is_async() const override { return true; }
  // The claims call, then (from its callback) the verdicts call; never blocks.
  void ScoreAsync(const v1::Sample& sample, const ScoreContext& context,
                  ScoreDone done) const override;

 private:
  const ChatCall chat_;
  std::shared_ptr<void> owner_;  // The endpoint's client (see ChatCallFor).
  const std::string model_;
  const uint32_t max_claims_;
  const uint32_t max_tokens_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_FAITHFULNESS_CLAIMS_SCORER_H_
