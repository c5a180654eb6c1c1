// Alerting: the collector's alerts, wired from the config's alerting section: the rule store,
// the evaluator thread, the event log and the webhook notifier, plus the handlers of the
// alert RPCs (ListAlertRules, UpsertAlertRule, DeleteAlertRule, ListAlerts).
//
//   ASSIGN_OR_RETURN(auto alerting, Alerting::Create(store, config.alerting(), &metrics));
//   alerting->Start();
//   ...
//   alerting->Stop();
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_ALERTING_ALERTING_H_
#define LLMTAP_COLLECTOR_ALERTING_ALERTING_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/alerting/alert_evaluator.h"
#include "collector/alerting/alert_log.h"
#include "collector/alerting/alert_rule_store.h"
#include "collector/alerting/webhook_notifier.h"
#include "collector/common/metrics.h"
#include "collector/store/store.h"
#include "llmtap/v1/config.pb.h"
#include "llmtap/v1/query.pb.h"
#include "sdk/src/http/http_client.h"

namespace llmtap::collector {

// AlertingConfig.interval_s default, and the shortest interval accepted.
inline constexpr uint32_t kDefaultAlertIntervalS = 30;
inline constexpr absl::Duration kMinAlertInterval = absl::Milliseconds(10);

class Alerting {
 public:
  // Validates the config (INVALID_ARGUMENT naming the field), loads the rules (stored, then
  // the config's) and restores each rule and group's state from the stored events. `store` and
  // `metrics` (may be null) must outlive the result; `http` defaults to the curl client.
  static absl::StatusOr<std::unique_ptr<Alerting>> Create(
      Store* store, const v1::AlertingConfig& config, Metrics* metrics,
      std::unique_ptr<internal::HttpClient> http = nullptr);
  // Stops (see Stop()).
  ~Alerting();

  // Starts the notifier and evaluator threads. Call once.
  void Start();
  // Stops the evaluator, then the notifier (an HTTP call in flight is cancelled). Idempotent.
  void Stop();

  // The RPC handlers. Upsert: INVALID_ARGUMENT naming the field. Delete: NOT_FOUND.
  // ListAlerts: newest first; INVALID_ARGUMENT on a bad limit or time.
  v1::ListAlertRulesResponse ListRules() const;
  absl::StatusOr<v1::AlertRule> UpsertRule(const v1::UpsertAlertRuleRequest& request);
  absl::StatusOr<v1::DeleteAlertRuleResponse> DeleteRule(
      const v1::DeleteAlertRuleRequest& request);
  absl::StatusOr<v1::ListAlertsResponse> ListAlerts(const v1::ListAlertsRequest& request) const;

  AlertEvaluator* evaluator() { return evaluator_.get(); }

 private:
  Alerting() = default;

  std::unique_ptr<internal::HttpClient> http_;
  std::unique_ptr<AlertLog> log_;
  std::unique_ptr<AlertRuleStore> rules_;
  std::unique_ptr<WebhookNotifier> notifier_;
  std::unique_ptr<AlertEvaluator> evaluator_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_ALERTING_ALERTING_H_
