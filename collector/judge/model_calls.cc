#include "collector/judge/model_calls.h"

#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"

namespace llmtap::collector {
namespace {

// The endpoint named `wanted` among `endpoints` (the first when empty).
template <typename Endpoint, typename List>
absl::StatusOr<const Endpoint*> Find(const List& endpoints, std::string_view wanted,
                                     const v1::Rubric& rubric, std::string_view field,
                                     std::string_view config_field) {
  if (endpoints.empty()) {
    return RubricFieldError(rubric, field,
                            Cat("no endpoints configured (add ", config_field,
                                " { name: ... base_url: ... model: ... } to the config)"));
  }
  if (wanted.empty()) return &endpoints.Get(0);
  std::string known;
  for (const Endpoint& e : endpoints) {
    if (e.name() == wanted) return &e;
    known = Cat(known, known.empty() ? "" : ", ", "'", e.name(), "'");
  }
  return RubricFieldError(rubric, field,
                          Cat("unknown endpoint '", wanted, "' (configured: ", known, ")"));
}

}  // namespace

absl::StatusOr<ChatCall> ChatCallFor(const v1::CollectorConfig* config,
                                     std::string_view endpoint, const v1::Rubric& rubric,
                                     std::string_view field) {
  static const v1::CollectorConfig kEmpty;
  auto found = Find<v1::JudgeEndpoint>((config ? *config : kEmpty).judges(), endpoint, rubric,
                                       field, "judges");
  if (!found.ok()) return found.status();
  absl::StatusOr<std::shared_ptr<JudgeClient>> client = JudgeClient::Shared(**found);
  if (!client.ok()) return RubricFieldError(rubric, field, std::string(client.status().message()));
  return ChatCall([client = *std::move(client)](const JudgeRequest& request,
                                                absl::Time deadline) {
    return client->Complete(request, deadline);
  });
}

absl::StatusOr<Embedder> EmbedderFor(const v1::CollectorConfig* config, std::string_view endpoint,
                                     const v1::Rubric& rubric, std::string_view field) {
  static const v1::CollectorConfig kEmpty;
  auto found = Find<v1::EmbeddingEndpoint>((config ? *config : kEmpty).embeddings(), endpoint,
                                           rubric, field, "embeddings");
  if (!found.ok()) return found.status();
  absl::StatusOr<std::shared_ptr<EmbeddingClient>> client = EmbeddingClient::Shared(**found);
  if (!client.ok()) return RubricFieldError(rubric, field, std::string(client.status().message()));
  Embedder out;
  out.model = (*found)->model();
  out.embed = [client = *std::move(client)](const std::vector<std::string>& texts,
                                            absl::Time deadline) {
    return client->Embed(texts, deadline);
  };
  return out;
}

}  // namespace llmtap::collector
