// CircuitBreaker: stops calling an endpoint that keeps failing.
//
//   CircuitBreaker breaker(/*failures_to_open=*/5, absl::Seconds(30));
//   if (absl::Status s = breaker.Admit(absl::Now()); !s.ok()) return s;  // Skipped.
//   ... call ...
//   ok ? breaker.RecordSuccess() : breaker.RecordFailure(absl::Now());
//
// Closed: every call is admitted. After `failures_to_open` failed calls in a row it opens:
// calls are refused for `open_for`. Then it is half-open: one probe call is admitted and the
// others refused until the probe reports; a success closes it, a failure opens it again.
//
// Thread-safe. Times are passed in, so tests control the clock.
#ifndef LLMTAP_COLLECTOR_JUDGE_CIRCUIT_BREAKER_H_
#define LLMTAP_COLLECTOR_JUDGE_CIRCUIT_BREAKER_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace llmtap::collector {

class CircuitBreaker {
 public:
  // REQUIRES: failures_to_open >= 1.
  CircuitBreaker(uint32_t failures_to_open, absl::Duration open_for);

  // OK when a call may go ahead: the caller must then report it with RecordSuccess or
  // RecordFailure. UNAVAILABLE "circuit_open: ..." when it may not (the engine records a
  // skip with reason "circuit_open").
  absl::Status Admit(absl::Time now);
  void RecordSuccess();
  void RecordFailure(absl::Time now);

 private:
  const uint32_t failures_to_open_;
  const absl::Duration open_for_;

  absl::Mutex mu_;
  uint32_t consecutive_failures_ ABSL_GUARDED_BY(mu_) = 0;
  // While open: refuse calls until then. InfinitePast when closed.
  absl::Time open_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Half-open with the probe call in flight.
  bool probing_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_CIRCUIT_BREAKER_H_
