// EmbeddingClient: calls one OpenAI-compatible embeddings endpoint (CollectorConfig.embeddings)
// and guards it the way JudgeClient guards a chat endpoint: at most max_concurrency calls in
// flight, a spend cap per rolling hour, a circuit breaker, and retries with backoff that
// honour Retry-After and never wait past the caller's deadline.
//
//   absl::StatusOr<std::shared_ptr<EmbeddingClient>> client = EmbeddingClient::Shared(endpoint);
//   absl::StatusOr<EmbeddingReply> reply =
//       (*client)->Embed({"first text", "second text"}, absl::Now() + absl::Seconds(30));
//
// Each call POSTs {base_url}/embeddings with {"model", "input": [texts], "encoding_format":
// "float"} and reads data[i].embedding (matched to the input by data[i].index) and
// usage.prompt_tokens. Retried: connection errors, timeouts, HTTP 408, 429 and 5xx; the wait is
// Retry-After when the server sends one, else 500 ms doubling per attempt, times a random
// factor in [0.5, 1.5).
//
// Thread-safe: scoring workers call Embed() concurrently.
#ifndef LLMTAP_COLLECTOR_JUDGE_EMBEDDING_CLIENT_H_
#define LLMTAP_COLLECTOR_JUDGE_EMBEDDING_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/judge/circuit_breaker.h"
#include "collector/judge/spend_meter.h"
#include "llmtap/v1/semantic.pb.h"
#include "sdk/src/http/http_client.h"

namespace llmtap::collector {

struct EmbeddingReply {
  std::vector<std::vector<float>> vectors;  // One per input text, in input order.
  int64_t input_tokens = 0;                 // usage.prompt_tokens.
  double cost_usd = 0;                      // From the endpoint's price.
};

class EmbeddingClient {
 public:
  // Defaults of the optional EmbeddingEndpoint fields.
  static constexpr uint32_t kDefaultMaxConcurrency = 4;
  static constexpr uint32_t kDefaultMaxAttempts = 3;
  static constexpr uint32_t kDefaultTimeoutMs = 30000;
  static constexpr uint32_t kDefaultCircuitFailures = 5;
  static constexpr uint32_t kDefaultCircuitOpenS = 30;
  static constexpr absl::Duration kBaseBackoff = absl::Milliseconds(500);
  // Most texts in one call.
  static constexpr size_t kMaxInputs = 256;

  // The client of `endpoint`, shared by every rubric that names the same endpoint (same
  // configuration). INVALID_ARGUMENT naming the field for a bad endpoint: no name, base_url or
  // model, an api_key_env that is not set, a spend cap with no price, a zero limit.
  static absl::StatusOr<std::shared_ptr<EmbeddingClient>> Shared(
      const v1::EmbeddingEndpoint& endpoint);
  // Like Shared() but private to the caller, over `http` (tests).
  static absl::StatusOr<std::unique_ptr<EmbeddingClient>> Create(
      const v1::EmbeddingEndpoint& endpoint, std::unique_ptr<internal::HttpClient> http);

  // Embeds 1..kMaxInputs texts by `deadline`. Errors:
  //   RESOURCE_EXHAUSTED "spend_cap: ..." and UNAVAILABLE "circuit_open: ..." when the call is
  //     not made (skips);
  //   DEADLINE_EXCEEDED when the deadline passes waiting for a slot, an answer or a retry;
  //   INTERNAL when the endpoint keeps failing or answers something that is not a list of
  //     as many vectors of one dimension as texts;
  //   INVALID_ARGUMENT for no texts or too many.
  absl::StatusOr<EmbeddingReply> Embed(const std::vector<std::string>& texts,
                                       absl::Time deadline);

  const v1::EmbeddingEndpoint& endpoint() const { return endpoint_; }

 private:
  EmbeddingClient(const v1::EmbeddingEndpoint& endpoint,
                  std::unique_ptr<internal::HttpClient> http);
  absl::StatusOr<EmbeddingReply> CallWithRetries(const std::string& body, size_t count,
                                                 absl::Time deadline);
  absl::StatusOr<EmbeddingReply> ParseReply(const std::string& body, size_t count) const;
  bool SlotFree() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return in_flight_ < max_in_flight_; }

  // Immutable after construction.
  const v1::EmbeddingEndpoint endpoint_;
  const std::string url_;
  const std::string api_key_;
  const std::unique_ptr<internal::HttpClient> http_;
  const uint32_t max_in_flight_;
  const uint32_t max_attempts_;
  const absl::Duration timeout_;

  CircuitBreaker breaker_;
  SpendMeter spend_;

  absl::Mutex mu_;
  uint32_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_EMBEDDING_CLIENT_H_
