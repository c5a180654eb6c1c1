#include "collector/alerting/rule_check.h"

#include <algorithm>
#include <cmath>

namespace llmtap::collector {
namespace {

double Variance(const Rollup& r) {
  const double n = static_cast<double>(r.count());
  const double mean = r.sum() / n;
  // Rounding can make a constant series' variance slightly negative.
  return std::max(0.0, (r.sum_squares() - n * mean * mean) / (n - 1));
}

// Sets the level from `value` against the rule's "above" (or "below") pair.
void Grade(const v1::AlertRule& rule, bool below, double value, Verdict* v) {
  const bool has_warn = below ? rule.has_warn_below() : rule.has_warn_above();
  const bool has_alert = below ? rule.has_alert_below() : rule.has_alert_above();
  const double warn = below ? rule.warn_below() : rule.warn_above();
  const double alert = below ? rule.alert_below() : rule.alert_above();
  auto crosses = [&](double t) { return below ? value < t : value > t; };
  v->level = v1::ALERT_LEVEL_OK;
  v->threshold = has_warn ? warn : alert;
  if (has_alert && crosses(alert)) {
    v->level = v1::ALERT_LEVEL_ALERT;
    v->threshold = alert;
  } else if (has_warn && crosses(warn)) {
    v->level = v1::ALERT_LEVEL_WARN;
    v->threshold = warn;
  }
}

}  // namespace

double DriftZ(const Rollup& window, const Rollup& baseline) {
  if (window.count() < 2 || baseline.count() < 2) return 0;
  const double diff = window.Mean() - baseline.Mean();
  const double se = std::sqrt(Variance(window) / static_cast<double>(window.count()) +
                              Variance(baseline) / static_cast<double>(baseline.count()));
  if (se == 0 || !std::isfinite(se)) return diff == 0 ? 0 : std::copysign(kMaxAbsZ, diff);
  return std::clamp(diff / se, -kMaxAbsZ, kMaxAbsZ);
}

Verdict CheckRule(const v1::AlertRule& rule, const Rollup& window, const Rollup& baseline) {
  Verdict v;
  v.count = window.count();
  const uint64_t min_count = std::max<uint64_t>(rule.min_count(), 1);
  switch (rule.kind()) {
    case v1::ALERT_KIND_SCORE_BELOW:
      if (window.count() < min_count) return v;
      v.value = window.Mean();
      Grade(rule, /*below=*/true, v.value, &v);
      break;
    case v1::ALERT_KIND_LATENCY_P95_ABOVE:
      if (window.count() < min_count) return v;
      v.value = window.Quantile(0.95);
      Grade(rule, /*below=*/false, v.value, &v);
      break;
    case v1::ALERT_KIND_ERROR_RATE_ABOVE:
      if (window.count() < min_count) return v;
      v.value = window.Mean();
      Grade(rule, /*below=*/false, v.value, &v);
      break;
    case v1::ALERT_KIND_DRIFT: {
      const uint64_t need = std::max<uint64_t>(min_count, 2);
      if (window.count() < need || baseline.count() < need) return v;
      v.value = DriftZ(window, baseline);
      Grade(rule, /*below=*/false, std::abs(v.value), &v);
      break;
    }
    default:
      return v;
  }
  v.has_data = true;
  return v;
}

}  // namespace llmtap::collector
