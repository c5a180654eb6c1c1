// Bound: the linear "good .. bad" mapping shared by the latency, tokens and cost scorers.
//
//   value(x) = 1                          if x <= good
//            = 0                          if x >= bad
//            = (bad - x) / (bad - good)   otherwise
//
// Example: Bound{100, 300}.Value(150) == 0.75.
//
// Thread-safety: immutable after construction.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_BOUND_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_BOUND_H_

#include "absl/status/statusor.h"
#include "llmtap/v1/rubric.pb.h"

namespace llmtap::collector {

struct Bound {
  double good = 0;
  double bad = 0;

  // Reads rubric.bound(). INVALID_ARGUMENT naming "bound" when the params are missing or of
  // another kind, "bound.good" / "bound.bad" when not finite or negative, and "bound.bad" when
  // bad <= good.
  static absl::StatusOr<Bound> FromRubric(const v1::Rubric& rubric);

  // REQUIRES: bad > good. Returns value(x) above; NaN maps to 0.
  double Value(double x) const;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_BOUND_H_
