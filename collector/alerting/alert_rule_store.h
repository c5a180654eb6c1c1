// AlertRuleStore: the alert rules in force, from the config file and from the
// UpsertAlertRule / DeleteAlertRule RPCs, persisted in the meta column family under
// "alertrule/<name>" so that API changes survive restarts.
//
// At start the stored rules load first, then the config's: a config rule replaces a stored
// one of the same name (the file wins). A config rule deleted through the API comes back at the
// next start.
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_ALERTING_ALERT_RULE_STORE_H_
#define LLMTAP_COLLECTOR_ALERTING_ALERT_RULE_STORE_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collector/store/store.h"
#include "llmtap/v1/alert.pb.h"

namespace llmtap::collector {

class AlertRuleStore {
 public:
  // `store` must outlive this. `webhook_names` are the configured webhooks (rules may name
  // only these).
  AlertRuleStore(Store* store, std::set<std::string> webhook_names);

  // Loads the stored rules, then the config's. An invalid config rule fails the load, naming
  // it; an invalid stored rule (e.g. naming a webhook since removed from the config) is
  // skipped with a warning.
  absl::Status Load(const google::protobuf::RepeatedPtrField<v1::AlertRule>& config_rules);

  // Validates (INVALID_ARGUMENT naming the field), applies defaults, stores, and returns the
  // rule as stored. Replaces a rule of the same name.
  absl::StatusOr<v1::AlertRule> Upsert(const v1::AlertRule& rule);
  // NOT_FOUND when no rule has this name.
  absl::Status Delete(const std::string& name);
  // Every rule (with defaults), sorted by name.
  std::vector<v1::AlertRule> List() const;

 private:
  absl::Status UpsertLocked(const v1::AlertRule& rule, v1::AlertRule* stored)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store* const store_;
  const std::set<std::string> webhook_names_;

  mutable absl::Mutex mu_;
  std::map<std::string, v1::AlertRule> rules_ ABSL_GUARDED_BY(mu_);
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_ALERTING_ALERT_RULE_STORE_H_
