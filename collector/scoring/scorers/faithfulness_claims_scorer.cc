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

// Bounds each claim, so that a model that starts repeating itself ends the string (and the
// list) before max_tokens cuts the answer off.
constexpr int kMaxClaimChars = 200;

std::string ExtractSchema(uint32_t max_claims) {
  return json({{"type", "object"},
               {"properties",
                {{"claims",
                  {{"type", "array"},
                   {"items", {{"type", "string"}, {"maxLength", kMaxClaimChars}}},
                   {"maxItems", max_claims}}}}},
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
  std::shared_ptr<void> owner;
  absl::StatusOr<ChatCall> chat =
      ChatCallFor(env.config, p.endpoint(), rubric, "claims.endpoint", &owner);
  if (!chat.ok()) return chat.status();
  auto scorer = std::make_unique<FaithfulnessClaimsScorer>(*std::move(chat), p);
  scorer->owner_ = std::move(owner);
  return scorer;
}

absl::StatusOr<ScoreResult> FaithfulnessClaimsScorer::Score(const v1::Sample& sample,
                                                            const ScoreContext& context) const {
  return ScoreAndWait(*this, sample, context);
}

namespace {

// One scoring in progress, shared by the two calls' callbacks.
struct ClaimsRun {
  ChatCall chat;
  std::string model;
  uint32_t max_tokens = 0;
  std::string contexts;  // Rendered, one per line.
  absl::Time deadline;
  Scorer::ScoreDone done;
  ScoreResult result;
  json answers = json::array();
  std::vector<std::string> claims;

  void Add(const JudgeReply& reply) {
    answers.push_back(reply.content);
    result.input_tokens += reply.input_tokens;
    result.output_tokens += reply.output_tokens;
    result.cost_usd += reply.cost_usd;
  }
  void Fail(std::string error) {
    result.error = std::move(error);
    result.raw_output = json({{"answers", answers}}).dump();
    done(std::move(result));
  }
};

void Verify(std::shared_ptr<ClaimsRun> run) {
  if (run->claims.empty()) {
    run->result.value = 1;
    run->result.reasoning = "no claims in the response: nothing unsupported";
    run->result.raw_output = json({{"claims", json::array()}, {"answers", run->answers}}).dump();
    run->done(std::move(run->result));
    return;
  }
  std::string user = Cat("Context:\n", run->contexts, "\nClaims:\n");
  for (size_t i = 0; i < run->claims.size(); ++i) {
    user = Cat(user, i + 1, ". ", run->claims[i], "\n");
  }
  JudgeRequest verify;
  verify.model = run->model;
  verify.system = std::string(kVerifySystem);
  verify.user = std::move(user);
  verify.max_tokens = run->max_tokens;
  verify.json_schema = VerifySchema(run->claims.size());
  run->chat(verify, run->deadline, [run](absl::StatusOr<JudgeReply> reply) {
    if (!reply.ok()) {
      run->done(reply.status());
      return;
    }
    run->Add(*reply);
    absl::StatusOr<json> parsed = ParseJsonAnswer(reply->content);
    std::vector<bool> supported;
    if (parsed.ok() && parsed->contains("verdicts") && (*parsed)["verdicts"].is_array()) {
      for (const json& v : (*parsed)["verdicts"]) {
        std::string s = v.is_string() ? v.get<std::string>() : "";
        if (v.is_object() && v.contains("verdict") && v["verdict"].is_string()) {
          s = v["verdict"].get<std::string>();
        }
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (s != "yes" && s != "no") {
          supported.clear();
          break;
        }
        supported.push_back(s == "yes");
      }
    }
    if (supported.size() != run->claims.size()) {
      run->Fail(Cat("unparseable verdicts: want {\"verdicts\": [\"yes\"|\"no\", ...]} with ",
                    run->claims.size(), " entries"));
      return;
    }
    json items = json::array();
    size_t yes = 0;
    for (size_t i = 0; i < run->claims.size(); ++i) {
      yes += supported[i];
      items.push_back({{"claim", run->claims[i]}, {"verdict", supported[i] ? "yes" : "no"}});
    }
    run->result.value = static_cast<double>(yes) / static_cast<double>(run->claims.size());
    run->result.reasoning = Cat(yes, " of ", run->claims.size(),
                                " claims supported by the contexts");
    run->result.raw_output = json({{"claims", items}, {"answers", run->answers}}).dump();
    run->done(std::move(run->result));
  });
}

}  // namespace

void FaithfulnessClaimsScorer::ScoreAsync(const v1::Sample& sample, const ScoreContext& context,
                                          ScoreDone done) const {
  if (sample.contexts_size() == 0) {
    done(absl::FailedPreconditionError("sample has no contexts"));
    return;
  }
  auto run = std::make_shared<ClaimsRun>();
  run->chat = chat_;
  run->model = model_;
  run->max_tokens = max_tokens_;
  run->deadline = context.deadline;
  run->done = std::move(done);
  for (const std::string& c : sample.contexts()) run->contexts = Cat(run->contexts, c, "\n");
  if (Blank(sample.response())) {
    Verify(std::move(run));
    return;
  }
  JudgeRequest extract;
  extract.model = model_;
  extract.system = std::string(kExtractSystem);
  extract.user = Cat("Question:\n", sample.prompt(), "\n\nAnswer:\n", sample.response());
  extract.max_tokens = max_tokens_;
  extract.json_schema = ExtractSchema(max_claims_);
  const uint32_t max_claims = max_claims_;
  chat_(extract, context.deadline, [run, max_claims](absl::StatusOr<JudgeReply> reply) {
    if (!reply.ok()) {
      run->done(reply.status());
      return;
    }
    run->Add(*reply);
    absl::StatusOr<json> parsed = ParseJsonAnswer(reply->content);
    if (!parsed.ok() || !parsed->contains("claims") || !(*parsed)["claims"].is_array()) {
      run->Fail("unparseable claims: want {\"claims\": [string, ...]}");
      return;
    }
    for (const json& c : (*parsed)["claims"]) {
      if (c.is_string() && !Blank(c.get<std::string>()) && run->claims.size() < max_claims) {
        run->claims.push_back(c.get<std::string>());
      }
    }
    Verify(std::move(run));
  });
}

}  // namespace llmtap::collector
