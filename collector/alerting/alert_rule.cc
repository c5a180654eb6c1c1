#include "collector/alerting/alert_rule.h"

#include <cmath>
#include <tuple>
#include <utility>

#include "collector/common/strings.h"
#include "collector/store/store.h"
#include "llmtap/v1/sample.pb.h"

namespace llmtap::collector {
namespace {

absl::Status Bad(const v1::AlertRule& r, std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(Cat("alert rule '", r.name(), "': ", field, ": ", why));
}

// The pair of thresholds a kind uses: "below" (warn >= alert) or "above" (warn <= alert).
absl::Status CheckThresholds(const v1::AlertRule& r, bool below) {
  const bool has_warn = below ? r.has_warn_below() : r.has_warn_above();
  const bool has_alert = below ? r.has_alert_below() : r.has_alert_above();
  const double warn = below ? r.warn_below() : r.warn_above();
  const double alert = below ? r.alert_below() : r.alert_above();
  const char* warn_field = below ? "warn_below" : "warn_above";
  const char* alert_field = below ? "alert_below" : "alert_above";
  if (below ? (r.has_warn_above() || r.has_alert_above())
            : (r.has_warn_below() || r.has_alert_below())) {
    return Bad(r, below ? "warn_above/alert_above" : "warn_below/alert_below",
               Cat("not used by ", KindName(r.kind()), " rules; set ", warn_field, " and/or ",
                   alert_field));
  }
  if (!has_warn && !has_alert) {
    return Bad(r, alert_field, Cat("required (", warn_field, " and/or ", alert_field, ")"));
  }
  if (has_warn && !std::isfinite(warn)) return Bad(r, warn_field, "must be finite");
  if (has_alert && !std::isfinite(alert)) return Bad(r, alert_field, "must be finite");
  if (has_warn && has_alert && (below ? warn < alert : warn > alert)) {
    return Bad(r, warn_field,
               Cat("must be ", below ? ">= " : "<= ", alert_field, " (warn comes before alert)"));
  }
  return absl::OkStatus();
}

absl::Status CheckRange(const v1::AlertRule& r, double lo, double hi, std::string_view what) {
  for (const auto& [has, v, field] :
       {std::tuple{r.has_warn_above(), r.warn_above(), "warn_above"},
        std::tuple{r.has_alert_above(), r.alert_above(), "alert_above"},
        std::tuple{r.has_warn_below(), r.warn_below(), "warn_below"},
        std::tuple{r.has_alert_below(), r.alert_below(), "alert_below"}}) {
    if (has && !(v >= lo && v <= hi)) return Bad(r, field, Cat("must be ", what));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateAlertRule(const v1::AlertRule& r, const std::set<std::string>& webhooks) {
  if (!IsValidName(r.name())) return Bad(r, "name", "want [a-z0-9_.-]{1,64}");
  if (r.kind() == v1::ALERT_KIND_UNSPECIFIED || !v1::AlertKind_IsValid(r.kind())) {
    return Bad(r, "kind", "required: one of SCORE_BELOW, LATENCY_P95_ABOVE, ERROR_RATE_ABOVE, DRIFT");
  }
  for (const auto& [value, field] :
       {std::pair{&r.app(), "app"}, std::pair{&r.model(), "model"},
        std::pair{&r.variant(), "variant"}}) {
    if (value->size() > v1::LIMIT_NAME_BYTES) {
      return Bad(r, field,
                 Cat("longer than ", static_cast<int>(v1::LIMIT_NAME_BYTES), " bytes"));
    }
    if (value->find('\0') != std::string::npos) return Bad(r, field, "holds a NUL byte");
  }
  const bool wants_rubric =
      r.kind() == v1::ALERT_KIND_SCORE_BELOW || r.kind() == v1::ALERT_KIND_DRIFT;
  if (wants_rubric && r.rubric().empty()) {
    return Bad(r, "rubric", Cat("required for ", KindName(r.kind()), " rules"));
  }
  if (!wants_rubric && !r.rubric().empty()) {
    return Bad(r, "rubric", Cat("not used by ", KindName(r.kind()), " rules"));
  }
  if (!r.rubric().empty() && !IsValidName(r.rubric())) {
    return Bad(r, "rubric", "want [a-z0-9_.-]{1,64}");
  }
  absl::Status s;
  switch (r.kind()) {
    case v1::ALERT_KIND_SCORE_BELOW:
      s = CheckThresholds(r, /*below=*/true);
      if (s.ok()) s = CheckRange(r, 0, 1, "in [0, 1] (scores are)");
      break;
    case v1::ALERT_KIND_LATENCY_P95_ABOVE:
      s = CheckThresholds(r, /*below=*/false);
      if (s.ok()) s = CheckRange(r, 0, 1e12, ">= 0 (milliseconds)");
      break;
    case v1::ALERT_KIND_ERROR_RATE_ABOVE:
      s = CheckThresholds(r, /*below=*/false);
      if (s.ok()) s = CheckRange(r, 0, 1, "in [0, 1] (a fraction)");
      break;
    case v1::ALERT_KIND_DRIFT:
      s = CheckThresholds(r, /*below=*/false);
      if (s.ok()) s = CheckRange(r, 1e-9, 1e6, "> 0 (a |z| bound)");
      break;
    default:
      break;
  }
  if (!s.ok()) return s;
  if (r.min_count() > kMaxAlertMinCount) {
    return Bad(r, "min_count", Cat("at most ", kMaxAlertMinCount));
  }
  if (r.window_s() != 0 && (r.window_s() < kMinAlertWindowS || r.window_s() > kMaxAlertWindowS)) {
    return Bad(r, "window_s", Cat("must be in [", kMinAlertWindowS, ", ", kMaxAlertWindowS, "]"));
  }
  if (r.baseline_window_s() != 0) {
    if (r.kind() != v1::ALERT_KIND_DRIFT) return Bad(r, "baseline_window_s", "DRIFT rules only");
    if (r.baseline_window_s() < kMinAlertWindowS ||
        r.baseline_window_s() > kMaxAlertBaselineWindowS) {
      return Bad(r, "baseline_window_s",
                 Cat("must be in [", kMinAlertWindowS, ", ", kMaxAlertBaselineWindowS, "]"));
    }
  }
  if (r.cooldown_s() > kMaxAlertCooldownS) {
    return Bad(r, "cooldown_s", Cat("at most ", kMaxAlertCooldownS));
  }
  if (!v1::AlertRule::NoData_IsValid(r.no_data())) return Bad(r, "no_data", "unknown policy");
  for (const std::string& w : r.webhooks()) {
    if (!webhooks.contains(w)) return Bad(r, "webhooks", Cat("no webhook named '", w, "'"));
  }
  std::set<std::string> dims;
  for (const std::string& d : r.group_by()) {
    if (d != "app" && d != "model" && d != "variant") {
      return Bad(r, "group_by", Cat("'", d, "': want app, model or variant"));
    }
    if (!dims.insert(d).second) return Bad(r, "group_by", Cat("'", d, "' twice"));
  }
  return absl::OkStatus();
}

v1::AlertRule WithAlertDefaults(v1::AlertRule r) {
  if (r.min_count() == 0) r.set_min_count(kDefaultAlertMinCount);
  if (r.window_s() == 0) r.set_window_s(kDefaultAlertWindowS);
  if (r.kind() == v1::ALERT_KIND_DRIFT && r.baseline_window_s() == 0) {
    r.set_baseline_window_s(kDefaultAlertBaselineWindowS);
  }
  if (r.cooldown_s() == 0) r.set_cooldown_s(kDefaultAlertCooldownS);
  if (r.no_data() == v1::AlertRule::NO_DATA_UNSPECIFIED) r.set_no_data(v1::AlertRule::NO_DATA_KEEP);
  if (!r.has_enabled()) r.set_enabled(true);
  if (r.group_by().empty()) r.add_group_by("app");
  return r;
}

std::string AlertSeries(const v1::AlertRule& rule) {
  switch (rule.kind()) {
    case v1::ALERT_KIND_LATENCY_P95_ABOVE:
      return std::string(kLatencySeries);
    case v1::ALERT_KIND_ERROR_RATE_ABOVE:
      return std::string(kErrorSeries);
    default:
      return RubricSeries(rule.rubric());
  }
}

std::string LevelName(v1::AlertLevel level) {
  switch (level) {
    case v1::ALERT_LEVEL_OK:
      return "OK";
    case v1::ALERT_LEVEL_WARN:
      return "WARN";
    case v1::ALERT_LEVEL_ALERT:
      return "ALERT";
    case v1::ALERT_LEVEL_NO_DATA:
      return "NO_DATA";
    default:
      return "UNSPECIFIED";
  }
}

std::string KindName(v1::AlertKind kind) {
  switch (kind) {
    case v1::ALERT_KIND_SCORE_BELOW:
      return "score mean";
    case v1::ALERT_KIND_LATENCY_P95_ABOVE:
      return "p95 latency";
    case v1::ALERT_KIND_ERROR_RATE_ABOVE:
      return "error rate";
    case v1::ALERT_KIND_DRIFT:
      return "drift";
    default:
      return "unknown";
  }
}

}  // namespace llmtap::collector
