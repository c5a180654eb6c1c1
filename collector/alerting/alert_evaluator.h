// AlertEvaluator: judges every enabled alert rule, per group, over the minute rollups, and
// turns level changes into stored events and webhook notifications.
//
//   AlertEvaluator evaluator(store, &rules, &log, &notifier, &metrics, absl::Seconds(30));
//   evaluator.RestoreState();
//   evaluator.Start();            // a thread: EvaluateOnce(absl::Now()) every interval
//   ...
//   evaluator.Stop();
//
// Windows. Evaluating at time `now`, let cur be the start of now's minute bucket. A rule's
// window is the ceil(window_s / 60) whole minute buckets before cur plus the current (partial)
// bucket, i.e. buckets starting in [cur - 60 * ceil(window_s / 60), cur + 60): a sample stays in
// the window for at least window_s seconds. The DRIFT baseline is the ceil(baseline_window_s /
// 60) minute buckets just before the window. Buckets are the samples' start-time buckets.
//
// Groups. The rows that match a rule's app/model/variant scope and series are merged per group
// (the rule's group_by dimensions); the merged rollups are judged by CheckRule(). A group with
// a stored state but no rows in this pass, and a fully scoped group (e.g. rule.app set and
// group_by ["app"]), are judged with an empty window, so the no-data policy applies to them.
// Each rule and group has an AlertState (levels and cooldown; see alert_state.h).
//
// Thread safety: EvaluateOnce() runs on one thread at a time (the evaluator's own once
// Start() was called); the other methods are thread-safe.
#ifndef LLMTAP_COLLECTOR_ALERTING_ALERT_EVALUATOR_H_
#define LLMTAP_COLLECTOR_ALERTING_ALERT_EVALUATOR_H_

#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "collector/alerting/alert_log.h"
#include "collector/alerting/alert_rule_store.h"
#include "collector/alerting/alert_state.h"
#include "collector/alerting/webhook_notifier.h"
#include "collector/common/metrics.h"
#include "collector/store/store.h"

namespace llmtap::collector {

class AlertEvaluator {
 public:
  // All pointers must outlive the evaluator; `notifier` and `metrics` may be null.
  AlertEvaluator(const Store* store, const AlertRuleStore* rules, AlertLog* log,
                 WebhookNotifier* notifier, Metrics* metrics, absl::Duration interval);
  // Stops (see Stop()).
  ~AlertEvaluator();

  // Sets each rule and group's level and last firing from the stored events, so that a
  // restart neither fires again inside a cooldown nor forgets an alert still firing.
  // REQUIRES: Start() not called yet.
  absl::Status RestoreState();

  // Starts the evaluation thread: a pass at once, then one every interval. Call once.
  void Start();
  // Stops the thread after the pass in progress. Idempotent.
  void Stop();

  // One pass over every enabled rule at time `now`. Returns the events emitted (already
  // stored and handed to the notifier). Storage errors are logged and counted; the pass goes on.
  std::vector<v1::AlertEvent> EvaluateOnce(absl::Time now);

  // Rule and group pairs now at WARN, ALERT or NO_DATA.
  size_t firing() const;

 private:
  // (rule name, group).
  using StateKey = std::pair<std::string, std::string>;

  void Run();
  v1::AlertEvent MakeEvent(const v1::AlertRule& rule, const std::string& group, const Step& step,
                           double value, uint64_t count, double threshold, absl::Time now) const;

  // Immutable after construction.
  const Store* const store_;
  const AlertRuleStore* const rules_;
  AlertLog* const log_;
  WebhookNotifier* const notifier_;
  const absl::Duration interval_;
  Counter* evaluations_ = nullptr;
  Counter* events_ = nullptr;
  Counter* suppressed_ = nullptr;
  Counter* errors_ = nullptr;

  absl::Notification stop_;
  std::thread thread_;

  mutable absl::Mutex mu_;
  std::map<StateKey, AlertState> states_ ABSL_GUARDED_BY(mu_);
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_ALERTING_ALERT_EVALUATOR_H_
