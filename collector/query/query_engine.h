// QueryEngine: the logic behind QueryService. Reads the Store; knows nothing of gRPC.
// Every method validates its request and returns INVALID_ARGUMENT naming the bad field.
// Every method takes the caller's Principal and reads only its apps (scope.h): a filter that
// names another app is PERMISSION_DENIED, a sample of another app is NOT_FOUND as if unknown.
//
// Thread-safe: holds no mutable state of its own.
#ifndef LLMTAP_COLLECTOR_QUERY_QUERY_ENGINE_H_
#define LLMTAP_COLLECTOR_QUERY_QUERY_ENGINE_H_

#include <functional>

#include "absl/status/statusor.h"
#include "collector/auth/principal.h"
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
  absl::StatusOr<v1::GetSampleResponse> GetSample(const Principal& who,
                                                  const v1::GetSampleRequest& request) const;
  // Samples matching the whole filter, newest first across apps, page by page. A filter that
  // matches rarely may give a short (even empty) page with a next_page_token: each page
  // examines at most kMaxScanSamples samples.
  absl::StatusOr<v1::ListSamplesResponse> ListSamples(const Principal& who,
                                                      const v1::ListSamplesRequest& request) const;
  // From rollups when the filter allows (RollupsCanAnswer and no rubric filter), else from a
  // scan of the matching samples (see ScanFiltered).
  absl::StatusOr<v1::StatsResponse> Stats(const Principal& who,
                                          const v1::StatsRequest& request) const;
  // See trend_query.h.
  absl::StatusOr<v1::TrendResponse> Trend(const Principal& who,
                                          const v1::TrendRequest& request) const;
  // See compare_query.h.
  absl::StatusOr<v1::CompareResponse> Compare(const Principal& who,
                                              const v1::CompareRequest& request) const;
  // See agreement_query.h.
  absl::StatusOr<v1::AgreementResponse> Agreement(const Principal& who,
                                                  const v1::AgreementRequest& request) const;
  // Stored samples, SDK counters (latest report of each client) and per-rubric scored,
  // sampled-out, skipped and error counts, all for the filter's app (or every app); only the
  // filter's rubric when it names one. Takes app, model, variant, rubric and time range only.
  absl::StatusOr<v1::CompletenessResponse> Completeness(
      const Principal& who, const v1::CompletenessRequest& request) const;
  // Fills Completeness's live scoring fields (20-29) for an app ("" for all); set once, before
  // serving (the scoring engine's FillCompleteness).
  // `app_matches` says which apps the caller's filter (and key) covers.
  using AppMatcher = std::function<bool(std::string_view app)>;
  using LiveScoring = std::function<void(const AppMatcher& app_matches, v1::CompletenessResponse*)>;
  void SetLiveScoring(LiveScoring live) { live_scoring_ = std::move(live); }

 private:
  absl::StatusOr<v1::GetSampleResponse> GetSample(const v1::GetSampleRequest& request) const;
  absl::StatusOr<v1::ListSamplesResponse> ListSamples(const v1::ListSamplesRequest& r) const;
  absl::StatusOr<v1::StatsResponse> Stats(const v1::StatsRequest& request) const;
  absl::StatusOr<v1::CompletenessResponse> Completeness(
      const v1::CompletenessRequest& request) const;

  const Store* const store_;
  LiveScoring live_scoring_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_QUERY_ENGINE_H_
