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
  std::vector<std::string> targets;
  switch (target_) {
    case v1::EmbeddingParams::TARGET_PROMPT:
      if (!Blank(sample.prompt())) targets.push_back(sample.prompt());
      break;
    case v1::EmbeddingParams::TARGET_CONTEXTS:
      for (int i = 0; i < sample.contexts_size() && i < kMaxContexts; ++i) {
        if (!Blank(sample.contexts(i))) targets.push_back(sample.contexts(i));
      }
      break;
    default:
      if (!Blank(sample.reference())) targets.push_back(sample.reference());
  }
  if (targets.empty()) {
    return absl::FailedPreconditionError(Cat("sample has no ", TargetName(target_),
                                             " to compare with"));
  }
  ScoreResult result;
  if (Blank(sample.response())) {
    result.value = 0;
    result.reasoning = "empty response";
    return result;
  }
  // Reference and contexts recur (golden sets, shared chunks): cached. Prompts are not.
  const bool cacheable = cache_ != nullptr && target_ != v1::EmbeddingParams::TARGET_PROMPT;
  std::vector<std::vector<float>> target_vectors(targets.size());
  std::vector<std::string> to_embed = {sample.response()};
  std::vector<size_t> embedded_targets;  // Index in targets of to_embed[1..].
  for (size_t i = 0; i < targets.size(); ++i) {
    std::optional<std::vector<float>> cached;
    if (cacheable) cached = cache_->Get(embedder_.model, targets[i]);
    if (cached) {
      target_vectors[i] = std::move(*cached);
    } else {
      to_embed.push_back(targets[i]);
      embedded_targets.push_back(i);
    }
  }
  absl::StatusOr<EmbeddingReply> reply = embedder_.embed(to_embed, context.deadline);
  if (!reply.ok()) return reply.status();
  const std::vector<float>& response = reply->vectors[0];
  for (size_t k = 0; k < embedded_targets.size(); ++k) {
    target_vectors[embedded_targets[k]] = reply->vectors[k + 1];
    if (cacheable) cache_->Put(embedder_.model, targets[embedded_targets[k]], reply->vectors[k + 1]);
  }
  double best = -1;
  size_t best_index = 0;
  for (size_t i = 0; i < target_vectors.size(); ++i) {
    // A cached vector of another dimension (the model behind a name changed) counts as 0.
    const double c = Cosine(response, target_vectors[i]);
    if (c > best) {
      best = c;
      best_index = i;
    }
  }
  result.value = Map(best, floor_, ceiling_);
  result.reasoning = Cat("cosine ", absl::StrFormat("%.4f", best), " with the ",
                         TargetName(target_),
                         target_ == v1::EmbeddingParams::TARGET_CONTEXTS
                             ? Cat(" (context ", best_index + 1, " of ", targets.size(), ")")
                             : "",
                         "; ", absl::StrFormat("%.2f", floor_), " maps to 0, ",
                         absl::StrFormat("%.2f", ceiling_), " to 1");
  nlohmann::json raw = {{"cosine", best},
                        {"target", TargetName(target_)},
                        {"model", embedder_.model},
                        {"compared", targets.size()},
                        {"cached", targets.size() - embedded_targets.size()}};
  result.raw_output = raw.dump();
  result.input_tokens = reply->input_tokens;
  result.cost_usd = reply->cost_usd;
  return result;
}

}  // namespace llmtap::collector
