// The calls the semantic scorers make to model endpoints, as plain functions: a chat
// completion (a judge endpoint, CollectorConfig.judges) and an embedding (an embedding
// endpoint, CollectorConfig.embeddings). The scorers hold only these, so what carries the
// call (today the blocking JudgeClient and EmbeddingClient, with their retries, Retry-After,
// concurrency limit, spend cap and circuit breaker) is bound here and nowhere else.
//
//   absl::StatusOr<ChatCall> chat = ChatCallFor(config, "local", rubric, "claims.endpoint");
//   absl::StatusOr<JudgeReply> reply = (*chat)(request, deadline);
//
// Errors of a call are those of JudgeClient::Complete and EmbeddingClient::Embed: UNAVAILABLE
// "circuit_open: ..." and RESOURCE_EXHAUSTED "spend_cap: ..." are skips.
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
#include "llmtap/v1/config.pb.h"
#include "llmtap/v1/rubric.pb.h"

namespace llmtap::collector {

using ChatCall =
    std::function<absl::StatusOr<JudgeReply>(const JudgeRequest& request, absl::Time deadline)>;
using EmbedCall = std::function<absl::StatusOr<EmbeddingReply>(
    const std::vector<std::string>& texts, absl::Time deadline)>;

// The judge endpoint named `endpoint` (the first one when empty), shared with every rubric
// using it. INVALID_ARGUMENT "rubric '<name>': <field>: ..." when there is none or it is bad.
absl::StatusOr<ChatCall> ChatCallFor(const v1::CollectorConfig* config,
                                     std::string_view endpoint, const v1::Rubric& rubric,
                                     std::string_view field);

struct Embedder {
  EmbedCall embed;
  std::string model;  // The endpoint's model: part of the cache key.
};
// The same for embedding endpoints.
absl::StatusOr<Embedder> EmbedderFor(const v1::CollectorConfig* config, std::string_view endpoint,
                                     const v1::Rubric& rubric, std::string_view field);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_MODEL_CALLS_H_
