#include "collector/scoring/scorers/cost_scorer.h"

#include "collector/common/strings.h"

namespace llmtap::collector {

absl::StatusOr<std::unique_ptr<Scorer>> CostScorer::Create(const v1::Rubric& rubric,
                                                           const ScorerEnv& env) {
  absl::StatusOr<Bound> bound = Bound::FromRubric(rubric);
  if (!bound.ok()) return bound.status();
  std::vector<v1::ModelPrice> prices;
  if (env.config != nullptr)
    prices.assign(env.config->prices().begin(), env.config->prices().end());
  return std::unique_ptr<Scorer>(new CostScorer(*bound, std::move(prices)));
}

const v1::ModelPrice* CostScorer::FindPrice(const std::string& model) const {
  const v1::ModelPrice* best = nullptr;
  size_t best_prefix = 0;
  for (const v1::ModelPrice& price : prices_) {
    const std::string_view name = price.model();
    if (name == model) return &price;
    if (name.ends_with('*')) {
      const std::string_view prefix = name.substr(0, name.size() - 1);
      if (std::string_view(model).starts_with(prefix) &&
          (best == nullptr || prefix.size() > best_prefix)) {
        best = &price;
        best_prefix = prefix.size();
      }
    }
  }
  return best;
}

absl::StatusOr<ScoreResult> CostScorer::Score(const v1::Sample& sample, const ScoreContext&) const {
  double cost = sample.cost_usd();
  std::string source = "reported";
  if (!(cost > 0)) {
    const v1::ModelPrice* price = FindPrice(sample.model());
    if (price == nullptr) {
      return absl::FailedPreconditionError(Cat("no price for model '", sample.model(), "'"));
    }
    cost =
        static_cast<double>(sample.input_tokens()) * price->usd_per_million_input_tokens() / 1e6 +
        static_cast<double>(sample.output_tokens()) * price->usd_per_million_output_tokens() / 1e6;
    source = Cat("priced as '", price->model(), "'");
  }
  ScoreResult result;
  result.value = bound_.Value(cost);
  result.reasoning =
      Cat("cost $", cost, " (", source, "; good <= ", bound_.good, ", bad >= ", bound_.bad, ")");
  return result;
}

}  // namespace llmtap::collector
