// SpendMeter: dollars spent on an endpoint over a rolling hour, against a cap.
//
//   SpendMeter meter(/*max_usd_per_hour=*/5.0);
//   if (absl::Status s = meter.Admit(absl::Now()); !s.ok()) return s;  // Skipped.
//   ... call ...
//   meter.Add(absl::Now(), cost_usd);
//
// The cap is checked before each call, so calls already in flight may overshoot it by their
// own cost (at most the endpoint's concurrency limit of calls).
//
// Thread-safe. Times are passed in, so tests control the clock.
#ifndef LLMTAP_COLLECTOR_JUDGE_SPEND_METER_H_
#define LLMTAP_COLLECTOR_JUDGE_SPEND_METER_H_

#include <deque>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace llmtap::collector {

class SpendMeter {
 public:
  // The window over which spend is summed.
  static constexpr absl::Duration kWindow = absl::Hours(1);

  // `max_usd_per_hour` <= 0 means no cap.
  explicit SpendMeter(double max_usd_per_hour);

  // OK while the spend of the hour before `now` is under the cap; RESOURCE_EXHAUSTED
  // "spend_cap: ..." otherwise (the engine records a skip with reason "spend_cap").
  absl::Status Admit(absl::Time now);
  // Records a call's cost, made at `now`.
  void Add(absl::Time now, double usd);
  // Dollars spent in the hour before `now`.
  double SpentInWindow(absl::Time now);

 private:
  void ExpireLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const double max_usd_per_hour_;

  absl::Mutex mu_;
  // (when, dollars), oldest first, all within kWindow of the latest call; and their sum.
  std::deque<std::pair<absl::Time, double>> spends_ ABSL_GUARDED_BY(mu_);
  double total_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_SPEND_METER_H_
