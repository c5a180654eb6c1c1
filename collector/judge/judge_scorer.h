// JudgeScorer: the LLM judge (RUBRIC_KIND_LLM_JUDGE). It renders the rubric's prompt template
// for a sample, asks a judge endpoint (CollectorConfig.judges) for a JSON verdict
// {"score": number, "reasoning": string}, and normalises the score to [0, 1].
//
//   rubrics {
//     name: "relevance" kind: RUBRIC_KIND_LLM_JUDGE
//     judge {
//       endpoint: "local" scale: SCALE_1_5
//       template: "Rate the answer from 1 to 5.\nQuestion: {prompt}\nAnswer: {response}"
//     }
//   }
//
// Outcomes of Score():
//   a value, with the verdict's reasoning, the raw answer, tokens and cost;
//   an unparseable answer: ScoreResult.error set, raw answer, tokens and cost kept (ERROR);
//   RESOURCE_EXHAUSTED "spend_cap: ..." or UNAVAILABLE "circuit_open: ..." (SKIPPED);
//   DEADLINE_EXCEEDED or INTERNAL when the endpoint does not answer in time or keeps failing.
// See JudgeClient for retries and limits, which are per endpoint, shared by its rubrics.
//
// Factory errors (the rubric fails to load), INVALID_ARGUMENT naming the field: judge.template
// missing or with an unknown variable or stray brace; judge.endpoint naming no configured
// endpoint (or none configured); a bad endpoint (no base_url, unset api_key_env, ...).
//
// Thread-safety: Score() and ScoreAsync() may be called concurrently.
#ifndef LLMTAP_COLLECTOR_JUDGE_JUDGE_SCORER_H_
#define LLMTAP_COLLECTOR_JUDGE_JUDGE_SCORER_H_

#include <memory>
#include <string>

#include "collector/judge/judge_client.h"
#include "collector/judge/prompt_template.h"
#include "collector/scoring/scorer.h"

namespace llmtap::collector {

class JudgeScorer final : public Scorer {
 public:
  // Default of JudgeParams.max_tokens.
  static constexpr uint32_t kDefaultMaxTokens = 256;

  // For RUBRIC_KIND_LLM_JUDGE; reads env.config->judges.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  // Blocks until the verdict arrives (offline use, tests).
  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;
  // What the scoring engine uses: the call goes out through the endpoint's scheduler and
  // `done` runs when the verdict arrives.
  bool is_async() const override { return true; }
  void ScoreAsync(const v1::Sample& sample, const ScoreContext& context,
                  ScoreDone done) const override;

 private:
  JudgeScorer(PromptTemplate prompt, std::shared_ptr<JudgeClient> client,
              const v1::JudgeParams& params);

  JudgeRequest Request(const v1::Sample& sample) const;

  const PromptTemplate template_;
  const std::shared_ptr<JudgeClient> client_;
  const v1::JudgeParams::Scale scale_;
  const std::string model_;
  const std::string system_;
  const uint32_t max_tokens_;
};

// Registers JudgeScorer::Create for RUBRIC_KIND_LLM_JUDGE (idempotent). Call before rubrics
// load, like RegisterBuiltinScorers().
void RegisterJudgeScorer();

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_JUDGE_SCORER_H_
