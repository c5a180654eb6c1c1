#include "collector/scoring/scorers/bound.h"

#include <cmath>

#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"

namespace llmtap::collector {

absl::StatusOr<Bound> Bound::FromRubric(const v1::Rubric& rubric) {
  if (absl::Status s = CheckParamsCase(rubric, v1::Rubric::kBound, "bound"); !s.ok()) return s;
  if (!rubric.has_bound()) return RubricFieldError(rubric, "bound", "missing (good and bad)");
  Bound b{rubric.bound().good(), rubric.bound().bad()};
  if (!std::isfinite(b.good) || b.good < 0) {
    return RubricFieldError(rubric, "bound.good", Cat("must be finite and >= 0, got ", b.good));
  }
  if (!std::isfinite(b.bad) || b.bad < 0) {
    return RubricFieldError(rubric, "bound.bad", Cat("must be finite and >= 0, got ", b.bad));
  }
  if (b.bad <= b.good) {
    return RubricFieldError(rubric, "bound.bad",
                            Cat("must be greater than bound.good (", b.good, "), got ", b.bad));
  }
  return b;
}

double Bound::Value(double x) const {
  if (std::isnan(x)) return 0;
  if (x <= good) return 1;
  if (x >= bad) return 0;
  return (bad - x) / (bad - good);
}

}  // namespace llmtap::collector
