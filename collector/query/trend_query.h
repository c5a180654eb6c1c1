// Trend: time-bucketed summaries of a metric or of rubric scores, optionally grouped.
//
//   TrendRequest r;  // filter {app, start, end, rubric}, bucket_s 3600
//   ASSIGN_OR_RETURN(TrendResponse t, RunTrend(store, r));
//
// Answered from rollups when the filter allows (see RollupsCanAnswer; a metric trend also
// needs no rubric filter; GROUP_BY_METADATA and _PROMPT_VERSION always scan); else from a
// scan of the raw samples (see ScanFiltered and its limit). Trend buckets start at multiples of bucket_s
// since the Unix epoch; buckets without data are left out.
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_QUERY_TREND_QUERY_H_
#define LLMTAP_COLLECTOR_QUERY_TREND_QUERY_H_

#include "absl/status/statusor.h"
#include "collector/store/store.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

// Most buckets one trend may span.
inline constexpr int64_t kMaxTrendBuckets = 10000;
// Bucket width when TrendRequest.bucket_s is 0.
inline constexpr uint32_t kDefaultTrendBucketS = 3600;

// Validates the request (INVALID_ARGUMENT naming the field) and computes the trend: one series
// per group, sorted by group, each with its points in time order and a total over the range.
absl::StatusOr<v1::TrendResponse> RunTrend(const Store& store, const v1::TrendRequest& request);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_TREND_QUERY_H_
