// EmbeddingClient: the embeddings call to one OpenAI-compatible endpoint
// (CollectorConfig.embeddings). It builds the request, sends it through the endpoint's
// EndpointScheduler, the request machinery the LLM judge uses (at most max_concurrency calls
// in flight, a spend cap per rolling hour, a circuit breaker, retries that honour Retry-After
// and never wait past the caller's deadline, all without blocking a thread), and parses the
// vectors.
//
//   absl::StatusOr<std::shared_ptr<EmbeddingClient>> client = EmbeddingClient::Shared(endpoint);
//   (*client)->Submit({"first text", "second text"}, absl::Now() + absl::Seconds(30),
//                     [](absl::StatusOr<EmbeddingReply> reply) { ... });  // Does not block.
//
// Each call POSTs {base_url}/embeddings with {"model", "input": [texts], "encoding_format":
// "float"} and reads data[i].embedding (placed by data[i].index) and usage.prompt_tokens. An
// answer that is not one vector per text, all of one dimension, is an error that counts as a
// failed call for the circuit breaker.
//
// Thread-safe: scoring workers call Submit() concurrently.
#ifndef LLMTAP_COLLECTOR_JUDGE_EMBEDDING_CLIENT_H_
#define LLMTAP_COLLECTOR_JUDGE_EMBEDDING_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <functional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/judge/endpoint_scheduler.h"
#include "llmtap/v1/semantic.pb.h"

namespace llmtap::collector {

struct EmbeddingReply {
  std::vector<std::vector<float>> vectors;  // One per input text, in input order.
  int64_t input_tokens = 0;                 // usage.prompt_tokens.
  double cost_usd = 0;                      // From the endpoint's price.
};

class EmbeddingClient {
 public:
  // Most texts in one call.
  static constexpr size_t kMaxInputs = 256;

  using Done = std::function<void(absl::StatusOr<EmbeddingReply>)>;

  // The client of `endpoint`, over the endpoint's shared EndpointScheduler (defaults of the
  // optional fields are the scheduler's: 4 in flight, 3 attempts, 30 s, circuit 5 / 30 s).
  // INVALID_ARGUMENT naming the field for a bad endpoint: no name, base_url or model, an
  // api_key_env that is not set, a spend cap with no price, a zero limit.
  static absl::StatusOr<std::shared_ptr<EmbeddingClient>> Shared(
      const v1::EmbeddingEndpoint& endpoint);
  // Like Shared() but over a private scheduler on `http` (tests).
  static absl::StatusOr<std::unique_ptr<EmbeddingClient>> Create(
      const v1::EmbeddingEndpoint& endpoint, std::unique_ptr<AsyncHttpClient> http);
  // The endpoint as the scheduler takes it (the same fields, by name).
  static v1::JudgeEndpoint AsSchedulerEndpoint(const v1::EmbeddingEndpoint& endpoint);

  // Embeds 1..kMaxInputs texts by `deadline`, without blocking; `done` gets the vectors or:
  //   RESOURCE_EXHAUSTED "spend_cap: ..." and UNAVAILABLE "circuit_open: ..." when the call is
  //     not made (skips);
  //   DEADLINE_EXCEEDED when the deadline passes waiting for a slot, an answer or a retry;
  //   INTERNAL when the endpoint keeps failing or answers something that is not a list of
  //     as many vectors of one dimension as texts;
  //   INVALID_ARGUMENT for no texts or too many; CANCELLED at shutdown.
  void Submit(std::vector<std::string> texts, absl::Time deadline, Done done);
  // Submit, then wait for the outcome (not on the scheduler's event thread).
  absl::StatusOr<EmbeddingReply> Embed(const std::vector<std::string>& texts,
                                       absl::Time deadline);

  const v1::EmbeddingEndpoint& endpoint() const { return endpoint_; }

 private:
  EmbeddingClient(const v1::EmbeddingEndpoint& endpoint,
                  std::shared_ptr<EndpointScheduler> scheduler)
      : endpoint_(endpoint), scheduler_(std::move(scheduler)) {}

  const v1::EmbeddingEndpoint endpoint_;
  const std::shared_ptr<EndpointScheduler> scheduler_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_EMBEDDING_CLIENT_H_
