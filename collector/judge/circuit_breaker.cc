#include "collector/judge/circuit_breaker.h"

#include "collector/common/strings.h"

namespace llmtap::collector {

CircuitBreaker::CircuitBreaker(uint32_t failures_to_open, absl::Duration open_for)
    : failures_to_open_(failures_to_open), open_for_(open_for) {}

absl::Status CircuitBreaker::Admit(absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (consecutive_failures_ < failures_to_open_) return absl::OkStatus();  // Closed.
  if (now < open_until_) {
    return absl::UnavailableError(
        Cat("circuit_open: ", consecutive_failures_, " failed calls in a row; next try in ",
            absl::FormatDuration(absl::Ceil(open_until_ - now, absl::Milliseconds(1)))));
  }
  if (probing_) {
    return absl::UnavailableError("circuit_open: half-open, a probe call is in flight");
  }
  probing_ = true;
  return absl::OkStatus();
}

void CircuitBreaker::RecordSuccess() {
  absl::MutexLock lock(&mu_);
  consecutive_failures_ = 0;
  probing_ = false;
}

void CircuitBreaker::RecordFailure(absl::Time now) {
  absl::MutexLock lock(&mu_);
  ++consecutive_failures_;
  // Opens on reaching the threshold, and again when a half-open probe fails.
  if (consecutive_failures_ >= failures_to_open_) open_until_ = now + open_for_;
  probing_ = false;
}

}  // namespace llmtap::collector
