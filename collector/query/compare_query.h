// Compare: two populations, each given by a Filter, rubric by rubric: means, delta, Welch's
// t-test, the 95% confidence interval of the delta, and a verdict against the largest allowed
// drop. This is the online regression gate (A/B, shadow vs production, candidate vs baseline).
//
// Each population's score moments come from rollups when its filter allows (app, model,
// variant, time range, and a rubric filter naming the one rubric compared), else from a scan
// of its samples' scores (see ScanFiltered and its limit).
//
// Verdict per rubric: INSUFFICIENT_DATA with fewer than 2 scores on a side; REGRESSION when
// delta < -max_drop and p < alpha; PASS otherwise. The response passes when no rubric
// regressed.
//
// Pairwise rubrics (RUBRIC_KIND_PAIRWISE, known from the stored rubrics) score the candidate
// against its baseline pair, 1 / 0.5 / 0 for win / tie / loss, on the candidate's samples
// only: they are compared from the candidate's side alone, as wins, losses and ties (recovered
// from the rollup's moments, see PairCountsFromMoments), the win rate with its Wilson interval
// and the exact sign test (RubricComparison.pairwise). With CompareRequest.paired, every other
// rubric is also compared pair by pair over the samples of the two populations that share a
// pair_id (RubricComparison.paired), which needs a scan of both.
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_QUERY_COMPARE_QUERY_H_
#define LLMTAP_COLLECTOR_QUERY_COMPARE_QUERY_H_

#include "absl/status/statusor.h"
#include "collector/store/store.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

// Defaults of CompareRequest.max_drop and .alpha, and the most rubrics one request may name.
inline constexpr double kDefaultMaxDrop = 0.02;
inline constexpr double kDefaultAlpha = 0.05;
inline constexpr int kMaxCompareRubrics = 100;

// Validates the request (INVALID_ARGUMENT naming the field) and compares. Rubrics come in the
// order asked for, or sorted by name when every rubric with scores on both sides is compared.
absl::StatusOr<v1::CompareResponse> RunCompare(const Store& store,
                                               const v1::CompareRequest& request);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_COMPARE_QUERY_H_
