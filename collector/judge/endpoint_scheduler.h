// EndpointScheduler: sends calls to one OpenAI-compatible HTTP endpoint (chat completions,
// embeddings, ...) without blocking the caller, and guards the endpoint. It is the shared
// request machinery of every scorer that calls a model: the LLM judge (JudgeClient) and any
// other (embeddings, claim checks) build their JSON body, Submit it, and get the answer in a
// callback.
//
//   absl::StatusOr<std::shared_ptr<EndpointScheduler>> s = EndpointScheduler::Shared(endpoint);
//   EndpointScheduler::Call call;
//   call.path = "/embeddings";
//   call.body = [] { return std::string(R"({"model": "m", "input": ["a", "b"]})"); };
//   call.deadline = absl::Now() + absl::Seconds(30);
//   (*s)->Submit(std::move(call), [](absl::StatusOr<internal::HttpResponse> r) {
//     // r: a 2xx answer, or why there is none. Runs on the event thread: do not block.
//   });
//
// Limits, all per endpoint (v1::JudgeEndpoint) and shared by every user of the same endpoint
// configuration (Shared() returns one scheduler per configuration):
// - Concurrency: at most max_concurrency calls in flight (default 4). More wait in a FIFO
//   queue and start as slots free; a call waiting in the queue holds no thread. The queue is
//   not bounded here: callers bound what they submit (the scoring engine submits at most a
//   few times max_concurrency calls).
// - Spend cap: a call is refused when the endpoint's spend over the last hour is over
//   max_usd_per_hour; callers report each answer's cost with AddSpend().
// - Circuit breaker: after circuit_failures calls in a row failed, calls are refused for
//   circuit_open_s, then one probe call is let through.
// - Retries: up to max_attempts per call (default 3) on connection errors, timeouts, HTTP
//   408, 429 and 5xx; the wait is Retry-After when the server sends one, else 500 ms doubling
//   per attempt times a random factor in [0.5, 1.5). The slot is kept while waiting. A wait
//   that would end past the call's deadline is not started. Each attempt's timeout is
//   min(timeout_ms, time left to the deadline).
//
// Outcomes passed to `done`, exactly once per Submit:
//   a 2xx HttpResponse;
//   RESOURCE_EXHAUSTED "spend_cap: ..." or UNAVAILABLE "circuit_open: ..." when the call was
//     not made (a scorer stores these as skips);
//   DEADLINE_EXCEEDED when the deadline passed while queued, in an attempt or before a retry;
//   INTERNAL "HTTP <status>: <excerpt> (attempt i of n)" or the connection error, when the
//     endpoint keeps failing or refuses the call (4xx);
//   CANCELLED when the scheduler is destroyed with the call not finished.
// `done` runs on the scheduler's event thread, or on the caller's thread before Submit
// returns when the call is refused at once; it must not block, and may call Submit.
//
// Thread-safe. The destructor completes every unfinished call with CANCELLED.
#ifndef LLMTAP_COLLECTOR_JUDGE_ENDPOINT_SCHEDULER_H_
#define LLMTAP_COLLECTOR_JUDGE_ENDPOINT_SCHEDULER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/judge/async_http_client.h"
#include "collector/judge/circuit_breaker.h"
#include "collector/judge/spend_meter.h"
#include "llmtap/v1/config.pb.h"

namespace llmtap::collector {

class EndpointScheduler {
 public:
  // Defaults of the optional JudgeEndpoint fields.
  static constexpr uint32_t kDefaultMaxConcurrency = 4;
  static constexpr uint32_t kDefaultMaxAttempts = 3;
  static constexpr uint32_t kDefaultTimeoutMs = 30000;
  static constexpr uint32_t kDefaultCircuitFailures = 5;
  static constexpr uint32_t kDefaultCircuitOpenS = 30;
  // The first retry waits about this long; each later one twice as long as the one before.
  static constexpr absl::Duration kBaseBackoff = absl::Milliseconds(500);

  struct Call {
    // Appended to the endpoint's base_url (trailing slashes trimmed), e.g. "/chat/completions".
    std::string path;
    // The JSON request body, built before each attempt (so that a rejected form can be
    // changed, see `rejected`). REQUIRED.
    std::function<std::string()> body;
    absl::Time deadline = absl::InfiniteFuture();
    // Optional. Called on the event thread with a non-2xx answer before it is handled as a
    // failure; returning true sends the call again at once without spending an attempt
    // (e.g. with a weaker response_format after HTTP 400).
    std::function<bool(const internal::HttpResponse&)> rejected;
  };
  using Done = std::function<void(absl::StatusOr<internal::HttpResponse>)>;

  // The scheduler of `endpoint`, shared by every caller that names the same configuration,
  // over a libcurl multi client with its own event thread. Lives as long as a caller holds
  // it. INVALID_ARGUMENT naming the field for a bad endpoint: no base_url or model, an
  // api_key_env that is not set, a spend cap with no prices, a zero limit.
  static absl::StatusOr<std::shared_ptr<EndpointScheduler>> Shared(
      const v1::JudgeEndpoint& endpoint);
  // A private scheduler over `http` (tests).
  static absl::StatusOr<std::unique_ptr<EndpointScheduler>> Create(
      const v1::JudgeEndpoint& endpoint, std::unique_ptr<AsyncHttpClient> http);
  // The schedulers alive now (for metrics).
  static std::vector<std::shared_ptr<EndpointScheduler>> Live();
  // INVALID_ARGUMENT naming the first bad field of `endpoint`.
  static absl::Status Validate(const v1::JudgeEndpoint& endpoint);

  ~EndpointScheduler();

  void Submit(Call call, Done done);
  // Submit, then wait for the outcome (not on the event thread).
  absl::StatusOr<internal::HttpResponse> Send(Call call);

  // Records the cost of an answer against the spend cap.
  void AddSpend(double usd);
  // The cost of a call from its token counts and the endpoint's prices.
  double Cost(int64_t input_tokens, int64_t output_tokens) const;
  // Tells the breaker that a 2xx answer was unusable (not the expected JSON): counts as a
  // failed call.
  void ReportUnusableAnswer();

  const v1::JudgeEndpoint& endpoint() const { return endpoint_; }
  uint32_t max_concurrency() const { return max_in_flight_; }
  // Calls holding a slot (sending, or waiting to retry), and calls queued for one.
  uint32_t in_flight() const;
  size_t queued() const;

 private:
  struct Pending;
  EndpointScheduler(const v1::JudgeEndpoint& endpoint, std::unique_ptr<AsyncHttpClient> http);

  // Starts queued calls while slots are free.
  void Pump();
  // Takes the admission checks for a call that holds a slot and sends its first attempt;
  // false (and `error` set) when it is refused.
  bool Begin(const std::shared_ptr<Pending>& p, absl::Status* error);
  void Attempt(const std::shared_ptr<Pending>& p);
  void OnAnswer(const std::shared_ptr<Pending>& p, absl::StatusOr<internal::HttpResponse> r);
  // Frees the call's slot, starts the next ones, and calls done.
  void Finish(const std::shared_ptr<Pending>& p, absl::StatusOr<internal::HttpResponse> r);

  // Immutable after construction.
  const v1::JudgeEndpoint endpoint_;
  const std::string base_url_;
  const std::string api_key_;
  const uint32_t max_in_flight_;
  const uint32_t max_attempts_;
  const absl::Duration timeout_;
  std::unique_ptr<AsyncHttpClient> http_;  // Reset first in the destructor.

  CircuitBreaker breaker_;
  SpendMeter spend_;

  mutable absl::Mutex mu_;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  uint32_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::deque<std::shared_ptr<Pending>> queue_ ABSL_GUARDED_BY(mu_);
  // Calls waiting for a retry timer (failed with CANCELLED if the timer never fires).
  std::set<std::shared_ptr<Pending>> retrying_ ABSL_GUARDED_BY(mu_);
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_ENDPOINT_SCHEDULER_H_
