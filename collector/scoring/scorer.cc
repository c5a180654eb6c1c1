#include "collector/scoring/scorer.h"

#include "collector/common/strings.h"

namespace llmtap::collector {
namespace {

std::map<int, ScorerFactory>& Factories() {
  static auto* factories = new std::map<int, ScorerFactory>();
  return *factories;
}

}  // namespace

void RegisterScorer(v1::RubricKind kind, ScorerFactory factory) {
  Factories()[kind] = std::move(factory);
}

absl::StatusOr<std::unique_ptr<Scorer>> CreateScorer(const v1::Rubric& rubric,
                                                     const ScorerEnv& env) {
  auto it = Factories().find(rubric.kind());
  if (it == Factories().end()) {
    return absl::InvalidArgumentError(Cat("rubric '", rubric.name(), "': kind: unknown kind ",
                                          v1::RubricKind_Name(rubric.kind())));
  }
  return it->second(rubric, env);
}

}  // namespace llmtap::collector
