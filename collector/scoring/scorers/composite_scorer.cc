#include "collector/scoring/scorers/composite_scorer.h"

#include <set>

#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"

namespace llmtap::collector {

absl::StatusOr<std::unique_ptr<Scorer>> CompositeScorer::Create(const v1::Rubric& rubric,
                                                                const ScorerEnv&) {
  if (absl::Status s = CheckParamsCase(rubric, v1::Rubric::kComposite, "composite"); !s.ok()) {
    return s;
  }
  const auto& names = rubric.composite().rubrics();
  if (names.empty()) return RubricFieldError(rubric, "composite.rubrics", "lists no rubrics");
  std::set<std::string> seen;
  for (int i = 0; i < names.size(); ++i) {
    const std::string field = Cat("composite.rubrics[", i, "]");
    if (names[i].empty()) return RubricFieldError(rubric, field, "empty name");
    if (names[i] == rubric.name()) return RubricFieldError(rubric, field, "refers to itself");
    if (!seen.insert(names[i]).second) {
      return RubricFieldError(rubric, field, Cat("duplicate '", names[i], "'"));
    }
  }
  return std::unique_ptr<Scorer>(
      new CompositeScorer(std::vector<std::string>(names.begin(), names.end())));
}

absl::StatusOr<ScoreResult> CompositeScorer::Score(const v1::Sample&,
                                                   const ScoreContext& context) const {
  double sum = 0, total_weight = 0;
  size_t present = 0;
  std::string missing;
  for (const std::string& name : rubrics_) {
    auto it = context.earlier == nullptr ? std::map<std::string, double>::const_iterator()
                                         : context.earlier->find(name);
    if (context.earlier == nullptr || it == context.earlier->end()) {
      missing = Cat(missing, missing.empty() ? "" : ", ", name);
      continue;
    }
    double weight = 1;
    if (context.weights != nullptr) {
      if (auto w = context.weights->find(name); w != context.weights->end()) weight = w->second;
    }
    sum += weight * it->second;
    total_weight += weight;
    ++present;
  }
  if (present == 0) {
    return absl::FailedPreconditionError("none of the composite's rubrics has a score");
  }
  if (total_weight <= 0) {
    return absl::FailedPreconditionError("the composite's scored rubrics all weigh 0");
  }
  ScoreResult result;
  result.value = std::clamp(sum / total_weight, 0.0, 1.0);
  result.reasoning = Cat("weighted mean of ", present, " of ", rubrics_.size(), " rubrics");
  if (!missing.empty()) result.reasoning = Cat(result.reasoning, "; left out: ", missing);
  return result;
}

}  // namespace llmtap::collector
