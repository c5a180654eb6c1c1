// RubricRegistry: the rubrics in force, each compiled into its Scorer, versioned and persisted.
//
// Rubrics come from the config file at start and from the UpsertRubric / SetRubricEnabled
// RPCs; both are stored in the meta column family, so API changes survive restarts. A change
// bumps the rubric's version and applies to samples scored from then on, with no restart.
//
// Thread-safe. Readers take a Snapshot() (immutable, shared) and keep it for a whole pass.
#ifndef LLMTAP_COLLECTOR_SCORING_RUBRIC_REGISTRY_H_
#define LLMTAP_COLLECTOR_SCORING_RUBRIC_REGISTRY_H_

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collector/scoring/scorer.h"
#include "collector/store/store.h"
#include "llmtap/v1/rubric.pb.h"

namespace llmtap::collector {

struct CompiledRubric {
  v1::Rubric rubric;  // With defaults applied (sample_rate, threshold, weight, enabled).
  std::shared_ptr<const Scorer> scorer;
};

// Enabled rubrics, composites last (they read the others' values).
using RubricSnapshot = std::vector<CompiledRubric>;

class RubricRegistry {
 public:
  // `store` must outlive the registry; `env` is copied (its config pointer must outlive it).
  RubricRegistry(Store* store, ScorerEnv env);

  // Loads the stored rubrics, then the config's. A config rubric is applied (replacing a
  // stored one of the same name, as a new version) when the config changed it since it was
  // last applied; RPC changes to a rubric the config did not change survive restarts. Any
  // invalid rubric fails the load, naming it.
  absl::Status Load(const google::protobuf::RepeatedPtrField<v1::Rubric>& config_rubrics);

  std::shared_ptr<const RubricSnapshot> Snapshot() const;
  bool AnyEnabled() const;

  // Validates, compiles, versions and stores. Returns the rubric as stored.
  absl::StatusOr<v1::Rubric> Upsert(v1::Rubric rubric);
  absl::StatusOr<v1::Rubric> SetEnabled(const std::string& name, bool enabled);
  std::vector<v1::Rubric> List(bool include_disabled) const;

 private:
  absl::Status UpsertLocked(v1::Rubric rubric, v1::Rubric* stored)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RebuildSnapshotLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Store* const store_;
  const ScorerEnv env_;

  mutable absl::Mutex mu_;
  // All rubrics by name, enabled or not, with their compiled scorers.
  std::map<std::string, CompiledRubric> rubrics_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const RubricSnapshot> snapshot_ ABSL_GUARDED_BY(mu_);
};

// INVALID_ARGUMENT naming the field of the first problem (name, rates, thresholds), without
// compiling the scorer.
absl::Status ValidateRubric(const v1::Rubric& rubric);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_RUBRIC_REGISTRY_H_
