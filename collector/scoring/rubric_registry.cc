#include "collector/scoring/rubric_registry.h"

#include <cmath>

#include "collector/common/strings.h"
#include "collector/store/keys.h"
#include "google/protobuf/util/message_differencer.h"

namespace llmtap::collector {
namespace {

absl::Status Bad(const v1::Rubric& r, std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(Cat("rubric '", r.name(), "': ", field, ": ", why));
}

void ApplyDefaults(v1::Rubric* r) {
  if (!r->has_sample_rate()) r->set_sample_rate(1);
  if (!r->has_threshold()) r->set_threshold(0.5);
  if (!r->has_weight()) r->set_weight(1);
  if (!r->has_enabled()) r->set_enabled(true);
  if (r->priority() == v1::PRIORITY_UNSPECIFIED) r->set_priority(v1::PRIORITY_NORMAL);
  // Rubrics that call a model endpoint get the judge's deadline.
  const bool remote = r->kind() == v1::RUBRIC_KIND_LLM_JUDGE ||
                      r->kind() == v1::RUBRIC_KIND_EMBEDDING_SIMILARITY ||
                      r->kind() == v1::RUBRIC_KIND_FAITHFULNESS_CLAIMS ||
                      r->kind() == v1::RUBRIC_KIND_PAIRWISE;
  if (r->timeout_ms() == 0) r->set_timeout_ms(remote ? 30000 : 1000);
}

// Same rubric apart from its version?
bool SameContent(v1::Rubric a, v1::Rubric b) {
  a.clear_version();
  b.clear_version();
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

}  // namespace

absl::Status ValidateRubric(const v1::Rubric& r) {
  if (!IsValidName(r.name())) return Bad(r, "name", "want [a-z0-9_.-]{1,64}");
  if (r.kind() == v1::RUBRIC_KIND_UNSPECIFIED || !v1::RubricKind_IsValid(r.kind())) {
    return Bad(r, "kind", "unknown kind");
  }
  if (r.has_sample_rate() && !(r.sample_rate() >= 0 && r.sample_rate() <= 1)) {
    return Bad(r, "sample_rate", "must be in [0, 1]");
  }
  if (r.has_threshold() && !std::isfinite(r.threshold())) return Bad(r, "threshold", "must be finite");
  if (r.has_weight() && !(std::isfinite(r.weight()) && r.weight() >= 0)) {
    return Bad(r, "weight", "must be finite and >= 0");
  }
  for (const auto& app : r.apps()) {
    if (app.empty() || app.size() > v1::LIMIT_NAME_BYTES) return Bad(r, "apps", "bad app name");
  }
  return absl::OkStatus();
}

RubricRegistry::RubricRegistry(Store* store, ScorerEnv env)
    : store_(store), env_(env), snapshot_(std::make_shared<RubricSnapshot>()) {}

absl::Status RubricRegistry::Load(
    const google::protobuf::RepeatedPtrField<v1::Rubric>& config_rubrics) {
  absl::MutexLock lock(&mu_);
  absl::Status status;
  store_
      ->ScanMeta(keys::kRubricPrefix,
                 [&](std::string_view, std::string_view value) {
                   v1::Rubric r;
                   if (!status.ok() || !r.ParseFromArray(value.data(), value.size())) return;
                   auto scorer = CreateScorer(r, env_);
                   if (!scorer.ok()) {
                     status = scorer.status();
                     return;
                   }
                   rubrics_[r.name()] = CompiledRubric{r, std::move(*scorer)};
                 })
      .IgnoreError();
  if (!status.ok()) return status;
  // A config rubric is applied when it differs from what the config said last time, so an
  // unchanged config does not undo RPC changes made since. Composites last: they refer to
  // the others.
  for (bool composites : {false, true}) {
    for (const v1::Rubric& r : config_rubrics) {
      if ((r.kind() == v1::RUBRIC_KIND_COMPOSITE) != composites) continue;
      const std::string applied_key = Cat(keys::kRubricConfigPrefix, r.name());
      v1::Rubric applied;
      if (auto v = store_->GetMeta(applied_key); v.ok() && applied.ParseFromString(*v) &&
          google::protobuf::util::MessageDifferencer::Equals(applied, r) &&
          rubrics_.count(r.name())) {
        continue;
      }
      v1::Rubric stored;
      if (absl::Status s = UpsertLocked(r, &stored); !s.ok()) return s;
      if (absl::Status s = store_->PutMeta(applied_key, r.SerializeAsString()); !s.ok()) return s;
    }
  }
  RebuildSnapshotLocked();
  return absl::OkStatus();
}

absl::Status RubricRegistry::UpsertLocked(v1::Rubric rubric, v1::Rubric* stored) {
  if (absl::Status s = ValidateRubric(rubric); !s.ok()) return s;
  ApplyDefaults(&rubric);
  auto it = rubrics_.find(rubric.name());
  if (it != rubrics_.end() && SameContent(it->second.rubric, rubric)) {
    *stored = it->second.rubric;
    return absl::OkStatus();
  }
  if (rubric.kind() == v1::RUBRIC_KIND_COMPOSITE) {
    for (const std::string& part : rubric.composite().rubrics()) {
      if (part != rubric.name() && !rubrics_.count(part)) {
        return Bad(rubric, "composite.rubrics", Cat("no rubric '", part, "'"));
      }
    }
  }
  rubric.set_version(it == rubrics_.end() ? 1 : it->second.rubric.version() + 1);
  auto scorer = CreateScorer(rubric, env_);
  if (!scorer.ok()) return scorer.status();
  if (absl::Status s = store_->PutMeta(Cat(keys::kRubricPrefix, rubric.name()),
                                       rubric.SerializeAsString());
      !s.ok()) {
    return s;
  }
  *stored = rubric;
  // The name is read before the move: the right side of = is evaluated first.
  const std::string name = rubric.name();
  rubrics_[name] = CompiledRubric{std::move(rubric), std::move(*scorer)};
  return absl::OkStatus();
}

void RubricRegistry::RebuildSnapshotLocked() {
  auto snapshot = std::make_shared<RubricSnapshot>();
  for (const auto& [name, c] : rubrics_) {
    if (c.rubric.enabled() && c.rubric.kind() != v1::RUBRIC_KIND_COMPOSITE) snapshot->push_back(c);
  }
  for (const auto& [name, c] : rubrics_) {
    if (c.rubric.enabled() && c.rubric.kind() == v1::RUBRIC_KIND_COMPOSITE) snapshot->push_back(c);
  }
  snapshot_ = std::move(snapshot);
}

std::shared_ptr<const RubricSnapshot> RubricRegistry::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return snapshot_;
}

bool RubricRegistry::AnyEnabled() const {
  absl::MutexLock lock(&mu_);
  return !snapshot_->empty();
}

absl::StatusOr<v1::Rubric> RubricRegistry::Upsert(v1::Rubric rubric) {
  absl::MutexLock lock(&mu_);
  v1::Rubric stored;
  if (absl::Status s = UpsertLocked(std::move(rubric), &stored); !s.ok()) return s;
  RebuildSnapshotLocked();
  return stored;
}

absl::StatusOr<v1::Rubric> RubricRegistry::SetEnabled(const std::string& name, bool enabled) {
  absl::MutexLock lock(&mu_);
  auto it = rubrics_.find(name);
  if (it == rubrics_.end()) return absl::NotFoundError(Cat("name: no rubric '", name, "'"));
  v1::Rubric r = it->second.rubric;
  r.set_enabled(enabled);
  v1::Rubric stored;
  if (absl::Status s = UpsertLocked(std::move(r), &stored); !s.ok()) return s;
  RebuildSnapshotLocked();
  return stored;
}

std::vector<v1::Rubric> RubricRegistry::List(bool include_disabled) const {
  absl::MutexLock lock(&mu_);
  std::vector<v1::Rubric> out;
  for (const auto& [name, c] : rubrics_) {
    if (include_disabled || c.rubric.enabled()) out.push_back(c.rubric);
  }
  return out;
}

}  // namespace llmtap::collector
