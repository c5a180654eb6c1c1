#include "collector/alerting/alert_rule_store.h"

#include <spdlog/spdlog.h>

#include "collector/alerting/alert_rule.h"
#include "collector/common/strings.h"
#include "collector/store/keys.h"

namespace llmtap::collector {

AlertRuleStore::AlertRuleStore(Store* store, std::set<std::string> webhook_names)
    : store_(store), webhook_names_(std::move(webhook_names)) {}

absl::Status AlertRuleStore::Load(
    const google::protobuf::RepeatedPtrField<v1::AlertRule>& config_rules) {
  absl::MutexLock lock(&mu_);
  absl::Status s = store_->ScanMeta(keys::kAlertRulePrefix, [&](std::string_view key,
                                                                std::string_view value) {
    v1::AlertRule rule;
    if (!rule.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      spdlog::warn("alert rule {}: unreadable, skipped", key);
      return;
    }
    if (absl::Status v = ValidateAlertRule(rule, webhook_names_); !v.ok()) {
      spdlog::warn("stored {}; skipped", v.ToString());
      return;
    }
    const std::string name = rule.name();
    rules_[name] = WithAlertDefaults(std::move(rule));
  });
  if (!s.ok()) return s;
  for (const v1::AlertRule& rule : config_rules) {
    v1::AlertRule stored;
    if (absl::Status u = UpsertLocked(rule, &stored); !u.ok()) {
      return absl::InvalidArgumentError(Cat("config alerting.rules: ", u.message()));
    }
  }
  return absl::OkStatus();
}

absl::Status AlertRuleStore::UpsertLocked(const v1::AlertRule& rule, v1::AlertRule* stored) {
  if (absl::Status s = ValidateAlertRule(rule, webhook_names_); !s.ok()) return s;
  v1::AlertRule r = WithAlertDefaults(rule);
  if (absl::Status s = store_->PutMeta(Cat(keys::kAlertRulePrefix, r.name()),
                                       r.SerializeAsString());
      !s.ok()) {
    return s;
  }
  *stored = r;
  const std::string name = r.name();
  rules_[name] = std::move(r);
  return absl::OkStatus();
}

absl::StatusOr<v1::AlertRule> AlertRuleStore::Upsert(const v1::AlertRule& rule) {
  absl::MutexLock lock(&mu_);
  v1::AlertRule stored;
  if (absl::Status s = UpsertLocked(rule, &stored); !s.ok()) return s;
  return stored;
}

absl::Status AlertRuleStore::Delete(const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = rules_.find(name);
  if (it == rules_.end()) return absl::NotFoundError(Cat("name: no alert rule '", name, "'"));
  if (absl::Status s = store_->DeleteMeta(Cat(keys::kAlertRulePrefix, name)); !s.ok()) return s;
  rules_.erase(it);
  return absl::OkStatus();
}

std::vector<v1::AlertRule> AlertRuleStore::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::AlertRule> out;
  out.reserve(rules_.size());
  for (const auto& [name, rule] : rules_) out.push_back(rule);
  return out;
}

}  // namespace llmtap::collector
