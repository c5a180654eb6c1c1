#include "collector/judge/judge_scorer.h"

#include <mutex>

#include "collector/common/strings.h"
#include "collector/judge/verdict_parser.h"
#include "collector/scoring/scorers/text_util.h"

namespace llmtap::collector {
namespace {

// "<number from 1 to 5>", or "<number>" when the rubric leaves the scale to its template.
std::string_view ScoreHint(v1::JudgeParams::Scale scale) {
  switch (scale) {
    case v1::JudgeParams::SCALE_0_1:
      return "<number from 0 to 1>";
    case v1::JudgeParams::SCALE_1_5:
      return "<integer from 1 to 5>";
    case v1::JudgeParams::SCALE_0_10:
      return "<integer from 0 to 10>";
    default:
      return "<number>";
  }
}

std::string SystemMessage(v1::JudgeParams::Scale scale) {
  return Cat(
      "You are a strict, impartial evaluator. Follow the user's instructions, then answer with "
      "only this JSON object and no other text: {\"score\": ",
      ScoreHint(scale), ", \"reasoning\": \"<one short sentence>\"}");
}

absl::StatusOr<const v1::JudgeEndpoint*> FindEndpoint(const v1::Rubric& rubric,
                                                      const ScorerEnv& env) {
  const std::string& wanted = rubric.judge().endpoint();
  if (env.config == nullptr || env.config->judges().empty()) {
    return RubricFieldError(rubric, "judge.endpoint",
                            "no judge endpoints configured (add judges { name: ... base_url: "
                            "... model: ... } to the config)");
  }
  if (wanted.empty()) return &env.config->judges(0);
  std::string known;
  for (const v1::JudgeEndpoint& e : env.config->judges()) {
    if (e.name() == wanted) return &e;
    known = Cat(known, known.empty() ? "" : ", ", "'", e.name(), "'");
  }
  return RubricFieldError(rubric, "judge.endpoint",
                          Cat("unknown endpoint '", wanted, "' (configured: ", known, ")"));
}

}  // namespace

JudgeScorer::JudgeScorer(PromptTemplate prompt, std::shared_ptr<JudgeClient> client,
                         const v1::JudgeParams& params)
    : template_(std::move(prompt)),
      client_(std::move(client)),
      scale_(params.scale()),
      model_(params.model()),
      system_(SystemMessage(params.scale())),
      max_tokens_(params.max_tokens() > 0 ? params.max_tokens() : kDefaultMaxTokens) {}

absl::StatusOr<std::unique_ptr<Scorer>> JudgeScorer::Create(const v1::Rubric& rubric,
                                                            const ScorerEnv& env) {
  if (absl::Status s = CheckParamsCase(rubric, v1::Rubric::kJudge, "judge"); !s.ok()) return s;
  const v1::JudgeParams& params = rubric.judge();
  if (params.template_().empty()) {
    return RubricFieldError(rubric, "judge.template", "must be set");
  }
  absl::StatusOr<PromptTemplate> prompt = PromptTemplate::Parse(params.template_());
  if (!prompt.ok()) {
    return RubricFieldError(rubric, "judge.template", std::string(prompt.status().message()));
  }
  absl::StatusOr<const v1::JudgeEndpoint*> endpoint = FindEndpoint(rubric, env);
  if (!endpoint.ok()) return endpoint.status();
  absl::StatusOr<std::shared_ptr<JudgeClient>> client = JudgeClient::Shared(**endpoint);
  if (!client.ok()) {
    return RubricFieldError(rubric, "judge.endpoint", std::string(client.status().message()));
  }
  return std::unique_ptr<Scorer>(
      new JudgeScorer(std::move(*prompt), std::move(*client), params));
}

JudgeRequest JudgeScorer::Request(const v1::Sample& sample) const {
  JudgeRequest request;
  request.model = model_;
  request.system = system_;
  request.user = template_.Render(sample);
  request.max_tokens = max_tokens_;
  request.scale = scale_;
  return request;
}

namespace {

// A reply (or its failure) as what Score() returns.
absl::StatusOr<ScoreResult> ToResult(absl::StatusOr<JudgeReply> reply,
                                     v1::JudgeParams::Scale scale) {
  if (!reply.ok()) return reply.status();
  ScoreResult result;
  result.raw_output = std::move(reply->content);
  result.input_tokens = reply->input_tokens;
  result.output_tokens = reply->output_tokens;
  result.cost_usd = reply->cost_usd;
  absl::StatusOr<Verdict> verdict = ParseVerdict(result.raw_output, scale);
  if (!verdict.ok()) {
    result.error = std::string(verdict.status().message());
    return result;
  }
  result.value = verdict->value;
  result.reasoning = std::move(verdict->reasoning);
  return result;
}

}  // namespace

absl::StatusOr<ScoreResult> JudgeScorer::Score(const v1::Sample& sample,
                                               const ScoreContext& context) const {
  return ToResult(client_->Complete(Request(sample), context.deadline), scale_);
}

void JudgeScorer::ScoreAsync(const v1::Sample& sample, const ScoreContext& context,
                             ScoreDone done) const {
  client_->Submit(Request(sample), context.deadline,
                  [scale = scale_, done = std::move(done)](absl::StatusOr<JudgeReply> reply) {
                    done(ToResult(std::move(reply), scale));
                  });
}

void RegisterJudgeScorer() {
  static std::once_flag once;
  std::call_once(once, [] { RegisterScorer(v1::RUBRIC_KIND_LLM_JUDGE, &JudgeScorer::Create); });
}

}  // namespace llmtap::collector
