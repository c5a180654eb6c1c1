// The calls the semantic scorers make to model endpoints, as plain functions: a chat
// completion (a judge endpoint, CollectorConfig.judges) and an embedding (an embedding
// endpoint, CollectorConfig.embeddings). The scorers hold only these, so what carries the
// call (JudgeClient and EmbeddingClient over the endpoint's EndpointScheduler: non-blocking,
// with retries, Retry-After, concurrency limit, spend cap and circuit breaker) is bound here
// and nowhere else.
//
//   absl::StatusOr<ChatCall> chat = ChatCallFor(config, "local", rubric, "claims.endpoint");
//   (*chat)(request, deadline, [](absl::StatusOr<JudgeReply> reply) { ... });  // No wait.
//
// Outcomes are those of JudgeClient::Submit and EmbeddingClient::Submit: UNAVAILABLE
// "circuit_open: ..." and RESOURCE_EXHAUSTED "spend_cap: ..." are skips. The callback runs on
// the endpoint's event thread (or at once when refused) and must not block.
//
// Thread-safe: the calls may run concurrently.
#ifndef LLMTAP_COLLECTOR_JUDGE_MODEL_CALLS_H_
#define LLMTAP_COLLECTOR_JUDGE_MODEL_CALLS_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/judge/embedding_client.h"
#include "collector/judge/judge_client.h"
#include "collector/scoring/scorer.h"
#include "llmtap/v1/config.pb.h"
#include "llmtap/v1/rubric.pb.h"

namespace llmtap::collector {

using ChatCall = std::function<void(const JudgeRequest& request, absl::Time deadline,
                                   JudgeClient::Done done)>;
using EmbedCall = std::function<void(std::vector<std::string> texts, absl::Time deadline,
                                     EmbeddingClient::Done done)>;

// Score() for a scorer that implements ScoreAsync(): runs it and waits (not on an event
// thread).
absl::StatusOr<ScoreResult> ScoreAndWait(const Scorer& scorer, const v1::Sample& sample,
                                         const ScoreContext& context);

// The judge endpoint named `endpoint` (the first one when empty), shared with every rubric
// using it. INVALID_ARGUMENT "rubric '<name>': <field>: ..." when there is none or it is bad.
// The call does not own the endpoint's client, `*owner` does: keep it as long as the scorer
// lives. So a callback that holds a copy of the call (to chain a second call) is never the
// last owner, whose release would tear the endpoint down on its own event thread; a call made
// after the owner is gone completes with CANCELLED.
absl::StatusOr<ChatCall> ChatCallFor(const v1::CollectorConfig* config,
                                     std::string_view endpoint, const v1::Rubric& rubric,
                                     std::string_view field, std::shared_ptr<void>* owner);

struct Embedder {
  EmbedCall embed;
  std::string model;  // The endpoint's model: part of the cache key.
};
// The same for embedding endpoints.
absl::StatusOr<Embedder> EmbedderFor(const v1::CollectorConfig* config, std::string_view endpoint,
                                     const v1::Rubric& rubric, std::string_view field);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_MODEL_CALLS_H_
