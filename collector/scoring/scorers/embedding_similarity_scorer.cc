#include "collector/scoring/scorers/embedding_similarity_scorer.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"
#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector {
namespace {

std::string_view TargetName(v1::EmbeddingParams::Target t) {
  switch (t) {
    case v1::EmbeddingParams::TARGET_PROMPT:
      return "prompt";
    case v1::EmbeddingParams::TARGET_CONTEXTS:
      return "contexts";
    default:
      return "reference";
  }
}

bool Blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
}

}  // namespace

EmbeddingSimilarityScorer::EmbeddingSimilarityScorer(Embedder embedder, EmbeddingCache* cache,
                                                     const v1::EmbeddingParams& params)
    : embedder_(std::move(embedder)),
      cache_(cache),
      target_(params.against() == v1::EmbeddingParams::TARGET_UNSPECIFIED
                  ? v1::EmbeddingParams::TARGET_REFERENCE
                  : params.against()),
      floor_(params.has_cosine_floor() ? params.cosine_floor() : kDefaultCosineFloor),
      ceiling_(params.has_cosine_ceiling() ? params.cosine_ceiling() : kDefaultCosineCeiling) {}

absl::StatusOr<std::unique_ptr<Scorer>> EmbeddingSimilarityScorer::Create(
    const v1::Rubric& rubric, const ScorerEnv& env) {
  if (!rubric.has_embedding()) return RubricFieldError(rubric, "embedding", "required");
  const v1::EmbeddingParams& p = rubric.embedding();
  const double floor = p.has_cosine_floor() ? p.cosine_floor() : kDefaultCosineFloor;
  const double ceiling = p.has_cosine_ceiling() ? p.cosine_ceiling() : kDefaultCosineCeiling;
  if (!(floor >= -1 && floor <= 1) || !(ceiling >= -1 && ceiling <= 1) || !(floor < ceiling)) {
    return RubricFieldError(rubric, "embedding.cosine_floor",
                            "want -1 <= cosine_floor < cosine_ceiling <= 1");
  }
  absl::StatusOr<Embedder> embedder =
      EmbedderFor(env.config, p.endpoint(), rubric, "embedding.endpoint");
  if (!embedder.ok()) return embedder.status();
  return std::make_unique<EmbeddingSimilarityScorer>(*std::move(embedder), env.embedding_cache,
                                                     p);
}

double EmbeddingSimilarityScorer::Cosine(const std::vector<float>& a,
                                         const std::vector<float>& b) {
  if (a.size() != b.size() || a.empty()) return 0;
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  if (na == 0 || nb == 0) return 0;
  return std::clamp(dot / std::sqrt(na * nb), -1.0, 1.0);
}

double EmbeddingSimilarityScorer::Map(double cosine, double floor, double ceiling) {
  return std::clamp((cosine - floor) / (ceiling - floor), 0.0, 1.0);
}

absl::StatusOr<ScoreResult> EmbeddingSimilarityScorer::Score(const v1::Sample& sample,
                                                             const ScoreContext& context) const {
  return ScoreAndWait(*this, sample, context);
}

void EmbeddingSimilarityScorer::ScoreAsync(const v1::Sample& sample, const ScoreContext& context,
                                           ScoreDone done) const {
  // What the answer's callback needs, owned by it (it may outlive this scorer).
  struct Pending {
    std::vector<std::string> targets;
    std::vector<std::vector<float>> vectors;  // Per target; filled from the cache or the call.
    std::vector<size_t> embedded;             // Targets in the call, after the response.
    EmbeddingCache* cache = nullptr;          // Null: do not store what was embedded.
    std::string model;
    v1::EmbeddingParams::Target target;
    double floor, ceiling;
  };
  auto p = std::make_shared<Pending>();
  p->target = target_;
  p->floor = floor_;
  p->ceiling = ceiling_;
  p->model = embedder_.model;
  switch (target_) {
    case v1::EmbeddingParams::TARGET_PROMPT:
      if (!Blank(sample.prompt())) p->targets.push_back(sample.prompt());
      break;
    case v1::EmbeddingParams::TARGET_CONTEXTS:
      for (int i = 0; i < sample.contexts_size() && i < kMaxContexts; ++i) {
        if (!Blank(sample.contexts(i))) p->targets.push_back(sample.contexts(i));
      }
      break;
    default:
      if (!Blank(sample.reference())) p->targets.push_back(sample.reference());
  }
  if (p->targets.empty()) {
    done(absl::FailedPreconditionError(
        Cat("sample has no ", TargetName(target_), " to compare with")));
    return;
  }
  if (Blank(sample.response())) {
    ScoreResult result;
    result.reasoning = "empty response";
    done(std::move(result));
    return;
  }
  // Reference and contexts recur (golden sets, shared chunks): cached. Prompts are not.
  if (cache_ != nullptr && target_ != v1::EmbeddingParams::TARGET_PROMPT) p->cache = cache_;
  p->vectors.resize(p->targets.size());
  std::vector<std::string> to_embed = {sample.response()};
  for (size_t i = 0; i < p->targets.size(); ++i) {
    std::optional<std::vector<float>> cached;
    if (p->cache != nullptr) cached = p->cache->Get(p->model, p->targets[i]);
    if (cached) {
      p->vectors[i] = std::move(*cached);
    } else {
      to_embed.push_back(p->targets[i]);
      p->embedded.push_back(i);
    }
  }
  embedder_.embed(std::move(to_embed), context.deadline,
                  [p, done = std::move(done)](absl::StatusOr<EmbeddingReply> reply) {
    if (!reply.ok()) {
      done(reply.status());
      return;
    }
    const std::vector<float>& response = reply->vectors[0];
    for (size_t k = 0; k < p->embedded.size(); ++k) {
      p->vectors[p->embedded[k]] = reply->vectors[k + 1];
      if (p->cache != nullptr) {
        p->cache->Put(p->model, p->targets[p->embedded[k]], reply->vectors[k + 1]);
      }
    }
    double best = -1;
    size_t best_index = 0;
    for (size_t i = 0; i < p->vectors.size(); ++i) {
      // A cached vector of another dimension (the model behind a name changed) counts as 0.
      const double c = Cosine(response, p->vectors[i]);
      if (c > best) {
        best = c;
        best_index = i;
      }
    }
    ScoreResult result;
    result.value = Map(best, p->floor, p->ceiling);
    result.reasoning = Cat("cosine ", absl::StrFormat("%.4f", best), " with the ",
                           TargetName(p->target),
                           p->target == v1::EmbeddingParams::TARGET_CONTEXTS
                               ? Cat(" (context ", best_index + 1, " of ", p->targets.size(), ")")
                               : "",
                           "; ", absl::StrFormat("%.2f", p->floor), " maps to 0, ",
                           absl::StrFormat("%.2f", p->ceiling), " to 1");
    nlohmann::json raw = {{"cosine", best},
                          {"target", TargetName(p->target)},
                          {"model", p->model},
                          {"compared", p->targets.size()},
                          {"cached", p->targets.size() - p->embedded.size()}};
    result.raw_output = raw.dump();
    result.input_tokens = reply->input_tokens;
    result.cost_usd = reply->cost_usd;
    done(std::move(result));
  });
}

}  // namespace llmtap::collector
