// Reading rollups for a Filter: picks the resolution, walks the apps, and applies the model
// and variant filters that the rollup key carries.
#ifndef LLMTAP_COLLECTOR_QUERY_ROLLUP_READER_H_
#define LLMTAP_COLLECTOR_QUERY_ROLLUP_READER_H_

#include <functional>
#include <string_view>

#include "absl/status/status.h"
#include "collector/store/store.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

struct RollupRow {
  std::string_view app;
  std::string_view model;
  std::string_view variant;
  std::string_view series;
  int64_t bucket_start_s;
  const Rollup& rollup;
};

// True when the filter can be answered from rollups: no session, metadata or score filter.
// (A rubric filter is a series choice for rubric queries, but a sample condition for metric
// queries; callers that read metric series also need filter.rubric empty.)
bool RollupsCanAnswer(const v1::Filter& filter);

// The coarsest resolution ('d', 'h' or 'm') whose buckets tile [start, end) of the filter
// exactly and, when `bucket_s` > 0, whose width divides bucket_s (so that rollup buckets tile
// buckets of that width). Unbounded ends count as aligned. 'm' when nothing coarser fits.
char ResolutionFor(const v1::Filter& filter, int64_t bucket_s);

// Visits every rollup row of resolution `res` that matches the filter's app, model, variant
// and time range. The range is applied by bucket start, rounded up to whole buckets: a bucket
// counts when its start is in [ceil(start), ceil(end)). With ResolutionFor's choice and
// aligned ends this is exact; otherwise it is exact to the minute.
absl::Status ReadRollups(const Store& store, const v1::Filter& filter, char res,
                         const std::function<void(const RollupRow&)>& visit);
// The same for only the series that start with `series_prefix` (e.g. "r:" for rubric scores);
// the store seeks past the others without reading them.
absl::Status ReadRollups(const Store& store, const v1::Filter& filter, char res,
                         std::string_view series_prefix,
                         const std::function<void(const RollupRow&)>& visit);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_ROLLUP_READER_H_
