// JudgeClient: calls one OpenAI-compatible chat endpoint (CollectorConfig.judges) for the LLM
// judge, and guards it: a concurrency limit, a spend cap per rolling hour, a circuit breaker,
// and retries with backoff that never wait past the caller's deadline.
//
//   absl::StatusOr<std::shared_ptr<JudgeClient>> client = JudgeClient::Shared(endpoint);
//   JudgeRequest request{.model = "m", .system = "...", .user = "...", .max_tokens = 256};
//   absl::StatusOr<JudgeReply> reply =
//       (*client)->Complete(request, absl::Now() + absl::Seconds(30));
//
// Each call POSTs {base_url}/chat/completions with the model, the two messages, temperature,
// seed, max_tokens and, per JudgeEndpoint.response_format, a response_format asking for
// {"score": number, "reasoning": string}, the JSON schema bounding the score to the scale. An
// endpoint that rejects response_format (HTTP 400 naming it) is asked again with the next
// weaker form (json_schema, json_object, none), and the client remembers the weaker form for
// later calls.
//
// Retries: up to max_attempts per call, on connection errors, timeouts, HTTP 408, 429 and
// 5xx. The wait before a retry is Retry-After when the server sends one, else 500 ms doubling
// per attempt, times a random factor in [0.5, 1.5). A wait that would end past the deadline
// is not started: the call fails at once.
//
// Thread-safe: scoring workers call Complete() concurrently.
#ifndef LLMTAP_COLLECTOR_JUDGE_JUDGE_CLIENT_H_
#define LLMTAP_COLLECTOR_JUDGE_JUDGE_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/judge/circuit_breaker.h"
#include "collector/judge/spend_meter.h"
#include "llmtap/v1/config.pb.h"
#include "llmtap/v1/rubric.pb.h"
#include "sdk/src/http/http_client.h"

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
  // Defaults of the optional JudgeEndpoint fields.
  static constexpr uint32_t kDefaultMaxConcurrency = 4;
  static constexpr uint32_t kDefaultMaxAttempts = 3;
  static constexpr uint32_t kDefaultTimeoutMs = 30000;
  static constexpr uint32_t kDefaultCircuitFailures = 5;
  static constexpr uint32_t kDefaultCircuitOpenS = 30;
  static constexpr double kDefaultTemperature = 0;
  static constexpr int64_t kDefaultSeed = 42;
  // The first retry waits about this long; each later one twice as long as the one before.
  static constexpr absl::Duration kBaseBackoff = absl::Milliseconds(500);

  // The client of `endpoint`, shared by every rubric that names the same endpoint (same
  // configuration), so limits, spend and circuit state are per endpoint. Lives as long as one
  // of its users holds it. INVALID_ARGUMENT naming the field for a bad endpoint: no base_url
  // or model, an api_key_env that is not set, a spend cap with no prices.
  static absl::StatusOr<std::shared_ptr<JudgeClient>> Shared(const v1::JudgeEndpoint& endpoint);

  // Like Shared() but private to the caller, over `http` (tests).
  static absl::StatusOr<std::unique_ptr<JudgeClient>> Create(
      const v1::JudgeEndpoint& endpoint, std::unique_ptr<internal::HttpClient> http);

  // One judge call, done by `deadline`. Errors:
  //   RESOURCE_EXHAUSTED "spend_cap: ..." and UNAVAILABLE "circuit_open: ..." when the call is
  //     not made (skips);
  //   DEADLINE_EXCEEDED when the deadline passes while waiting for a free slot, for an answer
  //     or before a retry;
  //   INTERNAL when the endpoint keeps failing or answers in a form that is not a chat
  //     completion (the message says which, with an excerpt of the answer).
  absl::StatusOr<JudgeReply> Complete(const JudgeRequest& request, absl::Time deadline);

  const v1::JudgeEndpoint& endpoint() const { return endpoint_; }

 private:
  JudgeClient(const v1::JudgeEndpoint& endpoint, std::unique_ptr<internal::HttpClient> http);

  // The attempts of one admitted call (slot taken, breaker and cap passed).
  absl::StatusOr<JudgeReply> CallWithRetries(const JudgeRequest& request, absl::Time deadline);
  std::string RequestBody(const JudgeRequest& request,
                          v1::JudgeEndpoint::ResponseFormat format) const;
  absl::StatusOr<JudgeReply> ParseReply(const std::string& body) const;
  bool SlotFree() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return in_flight_ < max_in_flight_; }

  // Immutable after construction.
  const v1::JudgeEndpoint endpoint_;
  const std::string url_;
  const std::string api_key_;
  const std::unique_ptr<internal::HttpClient> http_;
  const uint32_t max_in_flight_;
  const uint32_t max_attempts_;
  const absl::Duration timeout_;

  CircuitBreaker breaker_;
  SpendMeter spend_;
  // The response_format in use; only ever weakens (an endpoint rejected a stronger one).
  std::atomic<int> format_;

  absl::Mutex mu_;
  uint32_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_JUDGE_CLIENT_H_
