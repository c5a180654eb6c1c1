// Judging one rule for one group from the rollups of its window (and baseline window).
//
//   Verdict v = CheckRule(rule, window, baseline);   // rule WithAlertDefaults()
//   if (!v.has_data) ... apply the no-data policy ...
//
// What each kind measures over the window's merged rollup W (and baseline B):
//   SCORE_BELOW        value = mean(W)              WARN if value < warn_below, ALERT if < alert_below
//   LATENCY_P95_ABOVE  value = DDSketch p95(W)      WARN if value > warn_above, ALERT if > alert_above
//   ERROR_RATE_ABOVE   value = mean(W) of "m:error" (1 per failed call, 0 per good one)
//                                                   WARN if value > warn_above, ALERT if > alert_above
//   DRIFT              value = z (see DriftZ)       WARN if |z| > warn_above, ALERT if |z| > alert_above
// A window with fewer than min_count observations (DRIFT: in either window, and at least 2
// each) has no data. Comparisons are strict: a value exactly at a threshold does not cross it.
//
// Pure functions; thread-safe.
#ifndef LLMTAP_COLLECTOR_ALERTING_RULE_CHECK_H_
#define LLMTAP_COLLECTOR_ALERTING_RULE_CHECK_H_

#include <cstdint>
#include <string>

#include "collector/store/sketch.h"
#include "llmtap/v1/alert.pb.h"

namespace llmtap::collector {

struct Verdict {
  // False when the window holds too few observations to judge; level is then unspecified.
  bool has_data = false;
  // OK, WARN or ALERT.
  v1::AlertLevel level = v1::ALERT_LEVEL_UNSPECIFIED;
  // The measured value (mean, p95, error rate or z) and the observations behind it (DRIFT:
  // in the evaluation window).
  double value = 0;
  uint64_t count = 0;
  // The threshold the value crossed (WARN or ALERT), else the nearest one. For messages.
  double threshold = 0;
};

// |z| is capped here so that a drift between two constant windows stays finite.
inline constexpr double kMaxAbsZ = 1e6;

// Two-sample z statistic of the difference between the window mean and the baseline mean:
//
//   z = (mean_W - mean_B) / sqrt(s2_W / n_W + s2_B / n_B)
//
// where n is the count, mean = sum / n, and s2 = (sumsq - n * mean^2) / (n - 1) is the unbiased
// sample variance, all from the rollups' count, sum and sum of squares. With a zero standard
// error, z is 0 when the means are equal and +-kMaxAbsZ otherwise. Returns 0 when either window
// has fewer than 2 observations. Negative z: the window mean fell below the baseline.
double DriftZ(const Rollup& window, const Rollup& baseline);

// Judges `rule` (with defaults applied) on its window and, for DRIFT, its baseline window.
Verdict CheckRule(const v1::AlertRule& rule, const Rollup& window, const Rollup& baseline);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_ALERTING_RULE_CHECK_H_
