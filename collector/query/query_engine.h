// QueryEngine: the logic behind QueryService. Reads the Store; knows nothing of gRPC.
// Every method validates its request and returns INVALID_ARGUMENT naming the bad field.
//
// Thread-safe: holds no mutable state of its own.
#ifndef LLMTAP_COLLECTOR_QUERY_QUERY_ENGINE_H_
#define LLMTAP_COLLECTOR_QUERY_QUERY_ENGINE_H_

#include "absl/status/statusor.h"
#include "collector/query/filter.h"
#include "collector/query/summary.h"
#include "collector/store/store.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

class QueryEngine {
 public:
  static constexpr uint32_t kDefaultPageSize = 50;
  static constexpr uint32_t kMaxPageSize = 1000;

  // `store` must outlive the engine.
  explicit QueryEngine(const Store* store) : store_(store) {}

  // The sample with every score stored for it (value, reasoning, raw judge output, state).
  // INVALID_ARGUMENT for a malformed id, NOT_FOUND for an unknown or expired one.
  absl::StatusOr<v1::GetSampleResponse> GetSample(const v1::GetSampleRequest& request) const;
  // Samples matching the whole filter, newest first across apps, page by page. A filter that
  // matches rarely may give a short (even empty) page with a next_page_token: each page
  // examines at most kMaxScanSamples samples.
  absl::StatusOr<v1::ListSamplesResponse> ListSamples(const v1::ListSamplesRequest& request) const;
  // From rollups when the filter allows (RollupsCanAnswer and no rubric filter), else from a
  // scan of the matching samples (see ScanFiltered).
  absl::StatusOr<v1::StatsResponse> Stats(const v1::StatsRequest& request) const;
  // See trend_query.h.
  absl::StatusOr<v1::TrendResponse> Trend(const v1::TrendRequest& request) const;
  // See compare_query.h.
  absl::StatusOr<v1::CompareResponse> Compare(const v1::CompareRequest& request) const;
  // See agreement_query.h.
  absl::StatusOr<v1::AgreementResponse> Agreement(const v1::AgreementRequest& request) const;
  // Stored samples, SDK counters (latest report of each client) and per-rubric scored,
  // sampled-out, skipped and error counts, all for the filter's app (or every app); only the
  // filter's rubric when it names one. Takes app, model, variant, rubric and time range only.
  absl::StatusOr<v1::CompletenessResponse> Completeness(
      const v1::CompletenessRequest& request) const;

 private:
  const Store* const store_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_QUERY_ENGINE_H_
