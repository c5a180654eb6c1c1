#include "collector/alerting/alerting.h"

#include <spdlog/spdlog.h>

#include <set>

namespace llmtap::collector {

absl::StatusOr<std::unique_ptr<Alerting>> Alerting::Create(
    Store* store, const v1::AlertingConfig& config, Metrics* metrics,
    std::unique_ptr<internal::HttpClient> http) {
  if (absl::Status s = ValidateWebhooks(config.webhooks()); !s.ok()) return s;
  absl::Duration interval = absl::Seconds(
      config.has_interval_s() ? config.interval_s() : kDefaultAlertIntervalS);
  if (config.interval_ms() > 0) interval = absl::Milliseconds(config.interval_ms());
  if (interval < kMinAlertInterval) {
    return absl::InvalidArgumentError("alerting.interval_s, interval_ms: at least 10 ms");
  }
  std::set<std::string> webhook_names;
  for (const v1::Webhook& w : config.webhooks()) webhook_names.insert(w.name());

  std::unique_ptr<Alerting> a(new Alerting());
  a->http_ = http ? std::move(http) : internal::NewCurlHttpClient();
  a->log_ = std::make_unique<AlertLog>(store);
  a->rules_ = std::make_unique<AlertRuleStore>(store, std::move(webhook_names));
  if (absl::Status s = a->rules_->Load(config.rules()); !s.ok()) return s;
  AlertLog* log = a->log_.get();
  a->notifier_ = std::make_unique<WebhookNotifier>(
      config.webhooks(), a->http_.get(), metrics, [log](const v1::AlertEvent& event) {
        v1::AlertEvent delivered = event;
        delivered.set_delivered(true);
        if (absl::Status s = log->Put(delivered); !s.ok()) {
          spdlog::warn("alerts: marking event {} delivered: {}", event.id(), s.ToString());
        }
      });
  a->evaluator_ = std::make_unique<AlertEvaluator>(store, a->rules_.get(), log,
                                                   a->notifier_.get(), metrics, interval);
  if (absl::Status s = a->evaluator_->RestoreState(); !s.ok()) return s;
  if (metrics != nullptr) {
    AlertRuleStore* rules = a->rules_.get();
    metrics->AddGauge("llmtap_alert_rules", "Alert rules in force (enabled or not).",
                      [rules] { return static_cast<double>(rules->List().size()); });
  }
  spdlog::info("alerting: {} rule(s), {} webhook(s), every {}", a->rules_->List().size(),
               config.webhooks_size(), absl::FormatDuration(interval));
  return a;
}

Alerting::~Alerting() { Stop(); }

void Alerting::Start() {
  notifier_->Start();
  evaluator_->Start();
}

void Alerting::Stop() {
  // Create() may fail (and destroy this) before every part exists.
  if (evaluator_) evaluator_->Stop();
  if (notifier_) notifier_->Stop();
}

v1::ListAlertRulesResponse Alerting::ListRules() const {
  v1::ListAlertRulesResponse response;
  for (v1::AlertRule& r : rules_->List()) *response.add_rules() = std::move(r);
  return response;
}

absl::StatusOr<v1::AlertRule> Alerting::UpsertRule(const v1::UpsertAlertRuleRequest& request) {
  if (!request.has_rule()) return absl::InvalidArgumentError("rule: required");
  return rules_->Upsert(request.rule());
}

absl::StatusOr<v1::DeleteAlertRuleResponse> Alerting::DeleteRule(
    const v1::DeleteAlertRuleRequest& request) {
  if (request.name().empty()) return absl::InvalidArgumentError("name: required");
  if (absl::Status s = rules_->Delete(request.name()); !s.ok()) return s;
  return v1::DeleteAlertRuleResponse();
}

absl::StatusOr<v1::ListAlertsResponse> Alerting::ListAlerts(
    const v1::ListAlertsRequest& request) const {
  auto events = log_->List(request);
  if (!events.ok()) return events.status();
  v1::ListAlertsResponse response;
  for (v1::AlertEvent& e : *events) *response.add_events() = std::move(e);
  return response;
}

}  // namespace llmtap::collector
