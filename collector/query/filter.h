// The Filter every query takes: validation, matching, and the raw-sample scan that answers
// the parts rollups cannot.
//
// Rollup keys carry app, model, variant, series and time bucket, so filters on those are
// answered from rollups. Session, prompt version, metadata and score thresholds (and, for
// sample metrics, the rubric) are not in rollup keys: those filters scan the raw samples of the
// time range, at most kMaxScanSamples of them per request.
//
// Thread-safe: free functions over const data.
#ifndef LLMTAP_COLLECTOR_QUERY_FILTER_H_
#define LLMTAP_COLLECTOR_QUERY_FILTER_H_

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "collector/store/store.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

// Most raw samples one request may examine when its filter needs a scan. Past it the request
// fails with RESOURCE_EXHAUSTED asking for a narrower time range or an app.
inline constexpr uint64_t kMaxScanSamples = 250000;

// OK, or INVALID_ARGUMENT naming the bad field, prefixed with `field` (e.g.
// "filter.end_unix_nano: must be after start_unix_nano").
absl::Status ValidateFilter(const v1::Filter& filter, std::string_view field);

// The apps a query reads: {app} when set (empty when `apps` is set and lacks it), else
// `apps` when set, else every app with stored samples. The only place that turns a filter's
// app conditions into apps, so that a key's scope (carried in filter.apps) holds everywhere.
std::vector<std::string> AppsToRead(const Store& store, const v1::Filter& filter);
// Whether `app` passes the filter's app and apps conditions.
bool AppMatches(const v1::Filter& filter, std::string_view app);

// The filter's model, variant, session and metadata conditions (not app, time or rubric).
bool SampleMatches(const v1::Filter& filter, const v1::Sample& sample);

// The filter's rubric condition: true when filter.rubric is empty, else when `scores` hold a
// SCORED score of that rubric that is below score_below and above score_above (when set).
bool ScoresMatch(const v1::Filter& filter, const std::vector<v1::Score>& scores);

// The Tail condition: app, model, variant, session and metadata on the event's sample; rubric
// and thresholds on the event's score. The time range is ignored.
bool TailMatches(const v1::Filter& filter, const v1::TailResponse& event);

// Visits every sample matching the whole filter (app, time range, sample conditions and
// rubric condition), newest first within each app. `scores` holds the sample's scores when
// `with_scores` is true or the filter has a rubric, and is empty otherwise.
// Errors: RESOURCE_EXHAUSTED when more than kMaxScanSamples samples would be examined (then
// some samples may already have been visited); storage errors.
absl::Status ScanFiltered(
    const Store& store, const v1::Filter& filter, bool with_scores,
    const std::function<void(const v1::Sample& sample, const std::vector<v1::Score>& scores)>&
        visit);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_FILTER_H_
