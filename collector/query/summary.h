// Rollup -> v1.Summary, and the rollup series of each built-in metric.
//
// Thread-safe: pure functions.
#ifndef LLMTAP_COLLECTOR_QUERY_SUMMARY_H_
#define LLMTAP_COLLECTOR_QUERY_SUMMARY_H_

#include <string_view>

#include "collector/store/sketch.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

// Fills a Summary from a rollup: count, sum, mean, stddev, min, max, p50/p95/p99 (from the
// sketch, within Rollup::kRelativeAccuracy) and the 95% confidence interval of the mean.
void ToSummary(const Rollup& rollup, v1::Summary* out);

// The rollup series of `metric` (e.g. "m:latency_ms"); empty for METRIC_UNSPECIFIED or an
// unknown value.
std::string_view MetricSeries(v1::Metric metric);

// The value `metric` contributes for `sample` to its rollup, exactly as ingest rolls it up:
// false when the sample contributes nothing (no time to first token; tokens and cost of an
// error).
bool MetricValue(v1::Metric metric, const v1::Sample& sample, double* value);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_SUMMARY_H_
