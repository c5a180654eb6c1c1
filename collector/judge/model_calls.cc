#include "collector/judge/model_calls.h"

#include "absl/synchronization/notification.h"
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

absl::StatusOr<ScoreResult> ScoreAndWait(const Scorer& scorer, const v1::Sample& sample,
                                         const ScoreContext& context) {
  absl::Notification finished;
  absl::StatusOr<ScoreResult> out;
  scorer.ScoreAsync(sample, context, [&](absl::StatusOr<ScoreResult> result) {
    out = std::move(result);
    finished.Notify();
  });
  finished.WaitForNotification();
  return out;
}

absl::StatusOr<ChatCall> ChatCallFor(const v1::CollectorConfig* config,
                                     std::string_view endpoint, const v1::Rubric& rubric,
                                     std::string_view field, std::shared_ptr<void>* owner) {
  static const v1::CollectorConfig kEmpty;
  auto found = Find<v1::JudgeEndpoint>((config ? *config : kEmpty).judges(), endpoint, rubric,
                                       field, "judges");
  if (!found.ok()) return found.status();
  absl::StatusOr<std::shared_ptr<JudgeClient>> client = JudgeClient::Shared(**found);
  if (!client.ok()) return RubricFieldError(rubric, field, std::string(client.status().message()));
  *owner = *client;
  return ChatCall([weak = std::weak_ptr<JudgeClient>(*client)](
                      const JudgeRequest& request, absl::Time deadline, JudgeClient::Done done) {
    std::shared_ptr<JudgeClient> client = weak.lock();
    if (client == nullptr) {
      done(absl::CancelledError("judge endpoint released (rubric changed or shutting down)"));
      return;
    }
    client->Submit(request, deadline, std::move(done));
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
  out.embed = [client = *std::move(client)](std::vector<std::string> texts, absl::Time deadline,
                                            EmbeddingClient::Done done) {
    client->Submit(std::move(texts), deadline, std::move(done));
  };
  return out;
}

}  // namespace llmtap::collector
