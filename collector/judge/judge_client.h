// JudgeClient: the LLM judge's chat call to one OpenAI-compatible endpoint
// (CollectorConfig.judges): it builds the request, sends it through the endpoint's
// EndpointScheduler (which limits concurrency, caps spend, breaks the circuit and retries,
// never waiting past the caller's deadline) and parses the chat completion.
//
//   absl::StatusOr<std::shared_ptr<JudgeClient>> client = JudgeClient::Shared(endpoint);
//   JudgeRequest request{.model = "m", .system = "...", .user = "...", .max_tokens = 256};
//   (*client)->Submit(request, absl::Now() + absl::Seconds(30),
//                     [](absl::StatusOr<JudgeReply> reply) { ... });  // Does not block.
//
// Each call POSTs {base_url}/chat/completions with the model, the two messages, temperature,
// seed, max_tokens and, per JudgeEndpoint.response_format, a response_format asking for
// {"score": number, "reasoning": string}, the JSON schema bounding the score to the scale. An
// endpoint that rejects response_format (HTTP 400 naming it) is asked again with the next
// weaker form (json_schema, json_object, none), and the client remembers the weaker form for
// later calls.
//
// Retries, limits and their errors: see EndpointScheduler.
//
// Thread-safe: scoring workers call Submit() concurrently.
#ifndef LLMTAP_COLLECTOR_JUDGE_JUDGE_CLIENT_H_
#define LLMTAP_COLLECTOR_JUDGE_JUDGE_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/judge/endpoint_scheduler.h"
#include "llmtap/v1/config.pb.h"
#include "llmtap/v1/rubric.pb.h"

namespace llmtap::collector {

struct JudgeRequest {
  std::string model;   // Empty: the endpoint's model.
  std::string system;  // The system message.
  std::string user;    // The user message (the rendered rubric template).
  uint32_t max_tokens = 256;
  // Bounds the score in the response_format schema: integer 1-5 or 0-10, number 0-1, and
  // number 0-10 when unspecified.
  v1::JudgeParams::Scale scale = v1::JudgeParams::SCALE_UNSPECIFIED;
  // When set, the JSON schema (a JSON object as text) sent in response_format instead of the
  // verdict's, for callers that want another shape (claims, pairwise choices).
  std::string json_schema;
};

struct JudgeReply {
  std::string content;  // choices[0].message.content, verbatim.
  int64_t input_tokens = 0;   // usage.prompt_tokens.
  int64_t output_tokens = 0;  // usage.completion_tokens.
  double cost_usd = 0;        // From the endpoint's prices.
};

class JudgeClient {
 public:
  // Defaults of the optional JudgeEndpoint fields (the limits' are EndpointScheduler's).
  static constexpr uint32_t kDefaultMaxConcurrency = EndpointScheduler::kDefaultMaxConcurrency;
  static constexpr uint32_t kDefaultMaxAttempts = EndpointScheduler::kDefaultMaxAttempts;
  static constexpr uint32_t kDefaultTimeoutMs = EndpointScheduler::kDefaultTimeoutMs;
  static constexpr double kDefaultTemperature = 0;
  static constexpr int64_t kDefaultSeed = 42;

  using Done = std::function<void(absl::StatusOr<JudgeReply>)>;

  // The client of `endpoint`, over the endpoint's shared EndpointScheduler, so limits, spend
  // and circuit state are per endpoint. INVALID_ARGUMENT naming the field for a bad endpoint:
  // no base_url or model, an api_key_env that is not set, a spend cap with no prices.
  static absl::StatusOr<std::shared_ptr<JudgeClient>> Shared(const v1::JudgeEndpoint& endpoint);

  // Like Shared() but over a private scheduler on `http` (tests).
  static absl::StatusOr<std::unique_ptr<JudgeClient>> Create(
      const v1::JudgeEndpoint& endpoint, std::unique_ptr<AsyncHttpClient> http);

  // One judge call, done by `deadline`, without blocking: `done` gets the reply or an error
  // (on the scheduler's event thread, or on this thread when refused at once). Errors:
  //   RESOURCE_EXHAUSTED "spend_cap: ..." and UNAVAILABLE "circuit_open: ..." when the call is
  //     not made (skips);
  //   DEADLINE_EXCEEDED when the deadline passes while waiting for a free slot, for an answer
  //     or before a retry;
  //   INTERNAL when the endpoint keeps failing or answers in a form that is not a chat
  //     completion (the message says which, with an excerpt of the answer);
  //   CANCELLED when the collector shuts down first.
  void Submit(const JudgeRequest& request, absl::Time deadline, Done done);
  // Submit, then wait for the outcome.
  absl::StatusOr<JudgeReply> Complete(const JudgeRequest& request, absl::Time deadline);

  const v1::JudgeEndpoint& endpoint() const { return scheduler_->endpoint(); }
  EndpointScheduler& scheduler() const { return *scheduler_; }

 private:
  explicit JudgeClient(std::shared_ptr<EndpointScheduler> scheduler);

  const std::shared_ptr<EndpointScheduler> scheduler_;
  // The response_format in use; only ever weakens (an endpoint rejected a stronger one).
  std::shared_ptr<std::atomic<int>> format_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_JUDGE_CLIENT_H_
