#include "collector/scoring/scorers/faithfulness_claims_scorer.h"

#include <algorithm>

#include "collector/common/strings.h"
#include "collector/judge/json_answer.h"
#include "collector/scoring/scorers/text_util.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector {
namespace {

using nlohmann::json;

constexpr std::string_view kExtractSystem =
    "You break an answer into its factual claims. A claim is one short, standalone sentence "
    "that states a single fact from the answer, with pronouns replaced by what they refer to. "
    "Leave out greetings, questions and opinions. Reply with only a JSON object "
    "{\"claims\": [\"...\", ...]}; an empty list when the answer states no fact.";

constexpr std::string_view kVerifySystem =
    "You check claims against a context. For each numbered claim, answer \"yes\" when the "
    "context states or directly implies it, and \"no\" otherwise (contradicted, or not in the "
    "context). Use only the context, not your own knowledge. Reply with only a JSON object "
    "{\"verdicts\": [\"yes\" or \"no\", ...]} with one verdict per claim, in order.";

std::string ExtractSchema(uint32_t max_claims) {
  return json({{"type", "object"},
               {"properties",
                {{"claims",
                  {{"type", "array"}, {"items", {{"type", "string"}}}, {"maxItems", max_claims}}}}},
               {"required", {"claims"}},
               {"additionalProperties", false}})
      .dump();
}

std::string VerifySchema(size_t n) {
  return json({{"type", "object"},
               {"properties",
                {{"verdicts",
                  {{"type", "array"},
                   {"items", {{"type", "string"}, {"enum", {"yes", "no"}}}},
                   {"minItems", n},
                   {"maxItems", n}}}}},
               {"required", {"verdicts"}},
               {"additionalProperties", false}})
      .dump();
}

bool Blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

}  // namespace

FaithfulnessClaimsScorer::FaithfulnessClaimsScorer(ChatCall chat, const v1::ClaimsParams& p)
    : chat_(std::move(chat)),
      model_(p.model()),
      max_claims_(p.max_claims() ? p.max_claims() : kDefaultMaxClaims),
      max_tokens_(p.max_tokens() ? p.max_tokens() : kDefaultMaxTokens) {}

absl::StatusOr<std::unique_ptr<Scorer>> FaithfulnessClaimsScorer::Create(
    const v1::Rubric& rubric, const ScorerEnv& env) {
  const v1::ClaimsParams& p = rubric.claims();
  if (p.max_claims() > kMaxClaims) {
    return RubricFieldError(rubric, "claims.max_claims", Cat("at most ", kMaxClaims));
  }
  absl::StatusOr<ChatCall> chat = ChatCallFor(env.config, p.endpoint(), rubric, "claims.endpoint");
  if (!chat.ok()) return chat.status();
  return std::make_unique<FaithfulnessClaimsScorer>(*std::move(chat), p);
}

absl::StatusOr<ScoreResult> FaithfulnessClaimsScorer::Score(const v1::Sample& sample,
                                                            const ScoreContext& context) const {
  if (sample.contexts_size() == 0) {
    return absl::FailedPreconditionError("sample has no contexts");
  }
  ScoreResult result;
  json answers = json::array();
  auto finish_error = [&](std::string error) {
    result.error = std::move(error);
    result.raw_output = json({{"answers", answers}}).dump();
    return result;
  };

  std::vector<std::string> claims;
  if (!Blank(sample.response())) {
    JudgeRequest extract;
    extract.model = model_;
    extract.system = std::string(kExtractSystem);
    extract.user = Cat("Question:\n", sample.prompt(), "\n\nAnswer:\n", sample.response());
    extract.max_tokens = max_tokens_;
    extract.json_schema = ExtractSchema(max_claims_);
    absl::StatusOr<JudgeReply> reply = chat_(extract, context.deadline);
    if (!reply.ok()) return reply.status();
    answers.push_back(reply->content);
    result.input_tokens += reply->input_tokens;
    result.output_tokens += reply->output_tokens;
    result.cost_usd += reply->cost_usd;
    absl::StatusOr<json> parsed = ParseJsonAnswer(reply->content);
    if (!parsed.ok() || !parsed->contains("claims") || !(*parsed)["claims"].is_array()) {
      return finish_error("unparseable claims: want {\"claims\": [string, ...]}");
    }
    for (const json& c : (*parsed)["claims"]) {
      if (c.is_string() && !Blank(c.get<std::string>()) && claims.size() < max_claims_) {
        claims.push_back(c.get<std::string>());
      }
    }
  }
  if (claims.empty()) {
    result.value = 1;
    result.reasoning = "no claims in the response: nothing unsupported";
    result.raw_output = json({{"claims", json::array()}, {"answers", answers}}).dump();
    return result;
  }

  std::string user = "Context:\n";
  for (int i = 0; i < sample.contexts_size(); ++i) {
    user = Cat(user, sample.contexts(i), "\n");
  }
  user = Cat(user, "\nClaims:\n");
  for (size_t i = 0; i < claims.size(); ++i) user = Cat(user, i + 1, ". ", claims[i], "\n");
  JudgeRequest verify;
  verify.model = model_;
  verify.system = std::string(kVerifySystem);
  verify.user = std::move(user);
  verify.max_tokens = max_tokens_;
  verify.json_schema = VerifySchema(claims.size());
  absl::StatusOr<JudgeReply> reply = chat_(verify, context.deadline);
  if (!reply.ok()) return reply.status();
  answers.push_back(reply->content);
  result.input_tokens += reply->input_tokens;
  result.output_tokens += reply->output_tokens;
  result.cost_usd += reply->cost_usd;
  absl::StatusOr<json> parsed = ParseJsonAnswer(reply->content);
  std::vector<bool> supported;
  if (parsed.ok() && parsed->contains("verdicts") && (*parsed)["verdicts"].is_array()) {
    for (const json& v : (*parsed)["verdicts"]) {
      std::string s = v.is_string() ? v.get<std::string>() : "";
      if (v.is_object() && v.contains("verdict") && v["verdict"].is_string()) {
        s = v["verdict"].get<std::string>();
      }
      std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
      if (s != "yes" && s != "no") {
        supported.clear();
        break;
      }
      supported.push_back(s == "yes");
    }
  }
  if (supported.size() != claims.size()) {
    return finish_error(Cat("unparseable verdicts: want {\"verdicts\": [\"yes\"|\"no\", ...]} "
                            "with ", claims.size(), " entries"));
  }
  json items = json::array();
  size_t yes = 0;
  for (size_t i = 0; i < claims.size(); ++i) {
    yes += supported[i];
    items.push_back({{"claim", claims[i]}, {"verdict", supported[i] ? "yes" : "no"}});
  }
  result.value = static_cast<double>(yes) / static_cast<double>(claims.size());
  result.reasoning = Cat(yes, " of ", claims.size(), " claims supported by the contexts");
  result.raw_output = json({{"claims", items}, {"answers", answers}}).dump();
  return result;
}

}  // namespace llmtap::collector
