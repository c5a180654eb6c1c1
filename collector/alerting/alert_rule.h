// Alert rules (llmtap.v1.AlertRule): validation, defaults, and what a rule reads.
//
//   if (absl::Status s = ValidateAlertRule(rule, webhook_names); !s.ok()) return s;
//   v1::AlertRule r = WithAlertDefaults(rule);
//   std::string series = AlertSeries(r);   // "m:latency_ms", "m:error" or "r:<rubric>"
//
// Pure functions; thread-safe.
#ifndef LLMTAP_COLLECTOR_ALERTING_ALERT_RULE_H_
#define LLMTAP_COLLECTOR_ALERTING_ALERT_RULE_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "llmtap/v1/alert.pb.h"

namespace llmtap::collector {

// Defaults applied to unset (zero) fields.
inline constexpr uint32_t kDefaultAlertMinCount = 1;
inline constexpr uint32_t kDefaultAlertWindowS = 300;
inline constexpr uint32_t kDefaultAlertBaselineWindowS = 86400;
inline constexpr uint32_t kDefaultAlertCooldownS = 600;
// Limits. Windows are read from minute rollups, so a window shorter than a minute means nothing.
inline constexpr uint32_t kMinAlertWindowS = 60;
inline constexpr uint32_t kMaxAlertWindowS = 7 * 86400;
inline constexpr uint32_t kMaxAlertBaselineWindowS = 30 * 86400;
inline constexpr uint32_t kMaxAlertCooldownS = 30 * 86400;
inline constexpr uint32_t kMaxAlertMinCount = 100000000;

// INVALID_ARGUMENT naming the rule and the field of the first problem. `webhook_names` are the
// configured webhooks; every name in rule.webhooks must be one of them.
absl::Status ValidateAlertRule(const v1::AlertRule& rule,
                               const std::set<std::string>& webhook_names);

// The rule with defaults in every unset field (min_count, windows, cooldown, no_data, enabled,
// group_by). REQUIRES: ValidateAlertRule(rule) is OK.
v1::AlertRule WithAlertDefaults(v1::AlertRule rule);

// The rollup series a rule reads: "m:latency_ms", "m:error" or "r:<rubric>".
std::string AlertSeries(const v1::AlertRule& rule);

// Names of a level and a kind as shown in messages and webhooks ("ALERT", "error rate", ...).
std::string LevelName(v1::AlertLevel level);
std::string KindName(v1::AlertKind kind);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_ALERTING_ALERT_RULE_H_
