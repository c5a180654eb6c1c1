// QueryEngine: the logic behind QueryService. Reads the Store; knows nothing of gRPC.
// Every method validates its request and returns INVALID_ARGUMENT naming the bad field.
//
// Thread-safe: holds no mutable state of its own.
#ifndef LLMTAP_COLLECTOR_QUERY_QUERY_ENGINE_H_
#define LLMTAP_COLLECTOR_QUERY_QUERY_ENGINE_H_

#include "absl/status/statusor.h"
#include "collector/store/store.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

class QueryEngine {
 public:
  static constexpr uint32_t kDefaultPageSize = 50;
  static constexpr uint32_t kMaxPageSize = 1000;

  // `store` must outlive the engine.
  explicit QueryEngine(const Store* store) : store_(store) {}

  absl::StatusOr<v1::GetSampleResponse> GetSample(const v1::GetSampleRequest& request) const;
  absl::StatusOr<v1::ListSamplesResponse> ListSamples(const v1::ListSamplesRequest& request) const;
  // From rollups when the filter allows (see RollupsCanAnswer), else from the raw samples.
  absl::StatusOr<v1::StatsResponse> Stats(const v1::StatsRequest& request) const;
  // Stored samples, SDK counters (latest report of each client) and per-rubric scored,
  // sampled-out, skipped and error counts, all for the filter's app (or every app).
  absl::StatusOr<v1::CompletenessResponse> Completeness(
      const v1::CompletenessRequest& request) const;

 private:
  const Store* const store_;
};

// INVALID_ARGUMENT naming the bad field of a filter (prefixed with `field`).
absl::Status ValidateFilter(const v1::Filter& filter, std::string_view field);

// Fills a Summary from a rollup.
void ToSummary(const Rollup& rollup, v1::Summary* out);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_QUERY_ENGINE_H_
