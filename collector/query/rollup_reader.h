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
bool RollupsCanAnswer(const v1::Filter& filter);

// The coarsest resolution ('d', 'h' or 'm') whose buckets tile [start, end) of the filter
// exactly, and no coarser than `max_bucket_s` (0: no limit). Unbounded ends count as aligned.
char ResolutionFor(const v1::Filter& filter, int64_t max_bucket_s);

// Visits every rollup row of resolution `res` that matches the filter's app, model, variant
// and time range (by bucket start).
absl::Status ReadRollups(const Store& store, const v1::Filter& filter, char res,
                         const std::function<void(const RollupRow&)>& visit);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_ROLLUP_READER_H_
