#include "collector/scoring/scorers/pairwise_scorer.h"

#include <algorithm>

#include "absl/synchronization/mutex.h"

#include "collector/common/strings.h"
#include "collector/judge/json_answer.h"
#include "collector/scoring/scorers/text_util.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector {
namespace {

using nlohmann::json;

constexpr std::string_view kSystem =
    "You are an impartial judge comparing two answers to the same question. Do not let the "
    "order of the answers or their length sway you. Reply with only a JSON object "
    "{\"winner\": \"A\"} or {\"winner\": \"B\"}, or {\"winner\": \"tie\"} when neither is "
    "better.";

std::string Schema() {
  return json({{"type", "object"},
               {"properties", {{"winner", {{"type", "string"}, {"enum", {"A", "B", "tie"}}}}}},
               {"required", {"winner"}},
               {"additionalProperties", false}})
      .dump();
}

// "A", "B", "tie", or "" when the answer names none.
std::string Winner(std::string_view content) {
  absl::StatusOr<json> parsed = ParseJsonAnswer(content);
  if (!parsed.ok() || !parsed->contains("winner") || !(*parsed)["winner"].is_string()) return "";
  std::string w = (*parsed)["winner"].get<std::string>();
  if (w == "a") w = "A";
  if (w == "b") w = "B";
  if (w == "Tie" || w == "TIE") w = "tie";
  return w == "A" || w == "B" || w == "tie" ? w : "";
}

}  // namespace

PairwiseScorer::PairwiseScorer(ChatCall chat, const PairFinder* pairs,
                               const v1::PairwiseParams& p)
    : chat_(std::move(chat)),
      pairs_(pairs),
      model_(p.model()),
      baseline_(p.baseline_variant().empty() ? std::string(kDefaultBaseline)
                                             : p.baseline_variant()),
      candidate_(p.candidate_variant().empty() ? std::string(kDefaultCandidate)
                                               : p.candidate_variant()),
      criteria_(p.criteria().empty() ? std::string(kDefaultCriteria) : p.criteria()),
      window_(absl::Seconds(p.pair_window_s() ? p.pair_window_s() : kDefaultWindowS)),
      max_tokens_(p.max_tokens() ? p.max_tokens() : kDefaultMaxTokens) {}

absl::StatusOr<std::unique_ptr<Scorer>> PairwiseScorer::Create(const v1::Rubric& rubric,
                                                               const ScorerEnv& env) {
  const v1::PairwiseParams& p = rubric.pairwise();
  const std::string_view base = p.baseline_variant().empty() ? kDefaultBaseline
                                                             : std::string_view(p.baseline_variant());
  const std::string_view cand = p.candidate_variant().empty()
                                    ? kDefaultCandidate
                                    : std::string_view(p.candidate_variant());
  if (base == cand) {
    return RubricFieldError(rubric, "pairwise.candidate_variant",
                            "must differ from baseline_variant");
  }
  if (env.pairs == nullptr) {
    return RubricFieldError(rubric, "kind", "pairwise rubrics need the collector's store");
  }
  std::shared_ptr<void> owner;
  absl::StatusOr<ChatCall> chat =
      ChatCallFor(env.config, p.endpoint(), rubric, "pairwise.endpoint", &owner);
  if (!chat.ok()) return chat.status();
  auto scorer = std::make_unique<PairwiseScorer>(*std::move(chat), env.pairs, p);
  scorer->owner_ = std::move(owner);
  return scorer;
}

bool PairwiseScorer::AppliesTo(const v1::Sample& sample) const {
  return !sample.pair_id().empty() && sample.variant() == candidate_;
}

double PairwiseScorer::Combine(std::string_view first, std::string_view second) {
  // The candidate is B in the first order, A in the second.
  const bool wins = first == "B" && second == "A";
  const bool loses = first == "A" && second == "B";
  return wins ? 1 : loses ? 0 : 0.5;
}

absl::StatusOr<ScoreResult> PairwiseScorer::Score(const v1::Sample& sample,
                                                  const ScoreContext& context) const {
  return ScoreAndWait(*this, sample, context);
}

void PairwiseScorer::ScoreAsync(const v1::Sample& sample, const ScoreContext& context,
                                ScoreDone done) const {
  absl::StatusOr<std::optional<v1::Sample>> partner =
      pairs_->FindPartner(sample, baseline_, window_);
  if (!partner.ok()) {
    done(partner.status());
    return;
  }
  if (!partner->has_value()) {
    done(absl::UnavailableError(Cat("pair_missing: no '", baseline_, "' sample with pair_id '",
                                    sample.pair_id(), "' within ",
                                    absl::FormatDuration(window_))));
    return;
  }
  const v1::Sample& baseline = **partner;
  // Both orders' answers, joined by whichever callback comes last.
  struct Run {
    absl::Mutex mu;
    int left ABSL_GUARDED_BY(mu) = 2;
    absl::Status error ABSL_GUARDED_BY(mu);
    JudgeReply replies[2] ABSL_GUARDED_BY(mu);
    std::string baseline_id;
    ScoreDone done;
  };
  auto run = std::make_shared<Run>();
  run->baseline_id = baseline.id();
  run->done = std::move(done);
  for (int order = 0; order < 2; ++order) {
    const std::string& a = order == 0 ? baseline.response() : sample.response();
    const std::string& b = order == 0 ? sample.response() : baseline.response();
    JudgeRequest request;
    request.model = model_;
    request.system = std::string(kSystem);
    request.user = Cat("Which answer is ", criteria_, "?\n\nQuestion:\n", sample.prompt(),
                       "\n\nAnswer A:\n", a, "\n\nAnswer B:\n", b);
    request.max_tokens = max_tokens_;
    request.json_schema = Schema();
    chat_(request, context.deadline, [run, order](absl::StatusOr<JudgeReply> reply) {
      JudgeReply replies[2];
      absl::Status error;
      {
        absl::MutexLock lock(&run->mu);
        if (reply.ok()) {
          run->replies[order] = *std::move(reply);
        } else if (run->error.ok()) {
          run->error = reply.status();
        }
        if (--run->left > 0) return;
        replies[0] = std::move(run->replies[0]);
        replies[1] = std::move(run->replies[1]);
        error = run->error;
      }
      if (!error.ok()) {
        run->done(error);
        return;
      }
      ScoreResult result;
      json orders = json::array();
      std::string winners[2];
      for (int i = 0; i < 2; ++i) {
        result.input_tokens += replies[i].input_tokens;
        result.output_tokens += replies[i].output_tokens;
        result.cost_usd += replies[i].cost_usd;
        winners[i] = Winner(replies[i].content);
        orders.push_back({{"a", i == 0 ? "baseline" : "candidate"},
                          {"winner", winners[i]},
                          {"answer", replies[i].content}});
      }
      result.raw_output = json({{"baseline_id", run->baseline_id}, {"orders", orders}}).dump();
      if (winners[0].empty() || winners[1].empty()) {
        result.error = "unparseable winner: want {\"winner\": \"A\" | \"B\" | \"tie\"}";
      } else {
        result.value = Combine(winners[0], winners[1]);
        result.reasoning =
            result.value == 1   ? "the candidate won in both orders"
            : result.value == 0 ? "the baseline won in both orders"
                                : Cat("tie (", winners[0], " with the baseline first, ",
                                      winners[1], " with the candidate first)");
      }
      run->done(std::move(result));
    });
  }
}

}  // namespace llmtap::collector
