// Turning what a scorer returned into the stored v1::Score, and accounting for it in the
// ScoreWrite that commits it (rollup series "r:<rubric>" for a value, "s:<rubric>:<reason>"
// for a skip or an error). Shared by the synchronous and asynchronous paths of ScoringEngine.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORE_BUILDER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORE_BUILDER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/scoring/scorer.h"
#include "collector/store/store.h"
#include "llmtap/v1/rubric.pb.h"
#include "llmtap/v1/score.pb.h"

namespace llmtap::collector {

// The rollup series counting skips of `rubric` for `reason`.
std::string SkipSeries(std::string_view rubric, std::string_view reason);

// The Score of `rubric` for `sample` from a scorer's outcome, begun at `started`; a result
// that came after `deadline` is a timeout. UNAVAILABLE and RESOURCE_EXHAUSTED are skips (the
// reason is the message up to its first ':'), other errors are errors.
v1::Score BuildScore(const v1::Rubric& rubric, const v1::Sample& sample,
                     absl::StatusOr<ScoreResult> result, absl::Time started,
                     absl::Time deadline);

// A SKIPPED score with `reason` as its error.
v1::Score SkippedScore(const v1::Rubric& rubric, const v1::Sample& sample,
                       std::string_view reason);

// What a score adds to the rollups: its value, or a count of 1 for its skip reason or
// "error". Returns the reason ("" for a value).
std::string AccountScore(const v1::Score& score, ScoreWrite* write);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORE_BUILDER_H_
