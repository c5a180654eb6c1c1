#include "collector/query/query_handlers.h"

#include <spdlog/spdlog.h>

#include "collector/common/strings.h"
#include "collector/query/filter.h"
#include "collector/query/scope.h"

namespace llmtap::collector {
namespace {

absl::Status NoAlerting() { return absl::UnimplementedError("alerting is not configured"); }

// Runs `call` with the admitted principal, or returns the refusal.
#define LLMTAP_ADMIT(who, auth_header, role)                                  \
  absl::StatusOr<Principal> who##_or = auth_->Admit(auth_header, role);       \
  if (!who##_or.ok()) return who##_or.status();                               \
  const Principal& who = *who##_or

}  // namespace

void QueryHandlers::Audit(const Principal& who, std::string_view action, std::string_view target,
                          std::string_view detail) const {
  if (absl::Status s = audit_->Record(who, action, target, detail); !s.ok()) {
    spdlog::error("audit: {} {} by {} not recorded: {}", action, target, who.Describe(),
                  s.ToString());
  }
}

std::optional<v1::Rubric> QueryHandlers::Visible(const Principal& who, v1::Rubric rubric) {
  if (who.all_apps() || rubric.apps().empty()) return rubric;
  auto* apps = rubric.mutable_apps();
  apps->erase(std::remove_if(apps->begin(), apps->end(),
                             [&](const std::string& a) { return !who.CanAccessApp(a); }),
              apps->end());
  if (apps->empty()) return std::nullopt;
  return rubric;
}

bool QueryHandlers::Visible(const Principal& who, const v1::AlertRule& rule) {
  return who.all_apps() || (!rule.app().empty() && who.CanAccessApp(rule.app()));
}

std::optional<v1::Rubric> QueryHandlers::FindRubric(const std::string& name) const {
  for (v1::Rubric& r : rubrics_->List(/*include_disabled=*/true)) {
    if (r.name() == name) return std::move(r);
  }
  return std::nullopt;
}

std::optional<v1::AlertRule> QueryHandlers::FindRule(const std::string& name) const {
  const v1::ListAlertRulesResponse rules = alerting_->ListRules();
  for (const v1::AlertRule& r : rules.rules()) {
    if (r.name() == name) return r;
  }
  return std::nullopt;
}

absl::StatusOr<v1::GetSampleResponse> QueryHandlers::GetSample(
    Auth a, const v1::GetSampleRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_READ);
  return engine_->GetSample(who, r);
}

absl::StatusOr<v1::ListSamplesResponse> QueryHandlers::ListSamples(
    Auth a, const v1::ListSamplesRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_READ);
  return engine_->ListSamples(who, r);
}

absl::StatusOr<v1::StatsResponse> QueryHandlers::Stats(Auth a, const v1::StatsRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_READ);
  return engine_->Stats(who, r);
}

absl::StatusOr<v1::TrendResponse> QueryHandlers::Trend(Auth a, const v1::TrendRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_READ);
  return engine_->Trend(who, r);
}

absl::StatusOr<v1::CompareResponse> QueryHandlers::Compare(Auth a,
                                                           const v1::CompareRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_READ);
  return engine_->Compare(who, r);
}

absl::StatusOr<v1::CompletenessResponse> QueryHandlers::Completeness(
    Auth a, const v1::CompletenessRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_READ);
  return engine_->Completeness(who, r);
}

absl::StatusOr<v1::AgreementResponse> QueryHandlers::Agreement(
    Auth a, const v1::AgreementRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_READ);
  return engine_->Agreement(who, r);
}

absl::StatusOr<v1::Filter> QueryHandlers::AdmitTail(Auth a, const v1::TailRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_READ);
  if (absl::Status s = ValidateFilter(r.filter(), "filter"); !s.ok()) return s;
  v1::Filter scoped = r.filter();
  if (absl::Status s = ScopeFilter(who, &scoped, "filter"); !s.ok()) return s;
  return scoped;
}

absl::StatusOr<v1::ListRubricsResponse> QueryHandlers::ListRubrics(
    Auth a, const v1::ListRubricsRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_READ);
  v1::ListRubricsResponse response;
  for (v1::Rubric& rubric : rubrics_->List(r.include_disabled())) {
    if (auto seen = Visible(who, std::move(rubric))) *response.add_rubrics() = std::move(*seen);
  }
  return response;
}

absl::StatusOr<v1::Rubric> QueryHandlers::UpsertRubric(Auth a,
                                                       const v1::UpsertRubricRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_ADMIN);
  if (!r.has_rubric()) return absl::InvalidArgumentError("rubric: required");
  const std::vector<std::string> apps(r.rubric().apps().begin(), r.rubric().apps().end());
  if (!who.CoversApps(apps)) {
    return absl::PermissionDeniedError("rubric.apps: must name only this key's apps");
  }
  if (auto existing = FindRubric(r.rubric().name());
      existing && !who.CoversApps({existing->apps().begin(), existing->apps().end()})) {
    return absl::PermissionDeniedError("rubric.name: taken by a rubric outside this key's apps");
  }
  absl::StatusOr<v1::Rubric> stored = rubrics_->Upsert(r.rubric());
  if (stored.ok()) {
    Audit(who, "UpsertRubric", stored->name(),
          Cat("version=", stored->version(), " enabled=", stored->enabled() ? "true" : "false"));
  }
  return stored;
}

absl::StatusOr<v1::Rubric> QueryHandlers::SetRubricEnabled(
    Auth a, const v1::SetRubricEnabledRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_ADMIN);
  if (auto existing = FindRubric(r.name());
      existing && !who.CoversApps({existing->apps().begin(), existing->apps().end()})) {
    if (!Visible(who, *existing)) return absl::NotFoundError(Cat("rubric ", r.name(), ": not found"));
    return absl::PermissionDeniedError("name: the rubric also applies outside this key's apps");
  }
  absl::StatusOr<v1::Rubric> stored = rubrics_->SetEnabled(r.name(), r.enabled());
  if (stored.ok()) {
    Audit(who, "SetRubricEnabled", stored->name(), r.enabled() ? "enabled" : "disabled");
  }
  return stored;
}

absl::StatusOr<v1::ListAlertRulesResponse> QueryHandlers::ListAlertRules(
    Auth a, const v1::ListAlertRulesRequest&) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_READ);
  if (alerting_ == nullptr) return NoAlerting();
  v1::ListAlertRulesResponse all = alerting_->ListRules();
  if (who.all_apps()) return all;
  v1::ListAlertRulesResponse response;
  for (const v1::AlertRule& rule : all.rules()) {
    if (Visible(who, rule)) *response.add_rules() = rule;
  }
  return response;
}

absl::StatusOr<v1::AlertRule> QueryHandlers::UpsertAlertRule(
    Auth a, const v1::UpsertAlertRuleRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_ADMIN);
  if (alerting_ == nullptr) return NoAlerting();
  if (!Visible(who, r.rule())) {
    return absl::PermissionDeniedError("rule.app: must be one of this key's apps");
  }
  if (auto existing = FindRule(r.rule().name()); existing && !Visible(who, *existing)) {
    return absl::PermissionDeniedError("rule.name: taken by a rule outside this key's apps");
  }
  absl::StatusOr<v1::AlertRule> stored = alerting_->UpsertRule(r);
  if (stored.ok()) Audit(who, "UpsertAlertRule", stored->name(), v1::AlertKind_Name(stored->kind()));
  return stored;
}

absl::StatusOr<v1::DeleteAlertRuleResponse> QueryHandlers::DeleteAlertRule(
    Auth a, const v1::DeleteAlertRuleRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_ADMIN);
  if (alerting_ == nullptr) return NoAlerting();
  if (auto existing = FindRule(r.name()); existing && !Visible(who, *existing)) {
    return absl::NotFoundError(Cat("alert rule ", r.name(), ": not found"));
  }
  absl::StatusOr<v1::DeleteAlertRuleResponse> done = alerting_->DeleteRule(r);
  if (done.ok()) Audit(who, "DeleteAlertRule", r.name(), "");
  return done;
}

absl::StatusOr<v1::ListAlertsResponse> QueryHandlers::ListAlerts(
    Auth a, const v1::ListAlertsRequest& r) const {
  LLMTAP_ADMIT(who, a, v1::ROLE_READ);
  if (alerting_ == nullptr) return NoAlerting();
  absl::StatusOr<v1::ListAlertsResponse> all = alerting_->ListAlerts(r);
  if (!all.ok() || who.all_apps()) return all;
  std::set<std::string> visible;
  const v1::ListAlertRulesResponse rules = alerting_->ListRules();
  for (const v1::AlertRule& rule : rules.rules()) {
    if (Visible(who, rule)) visible.insert(rule.name());
  }
  v1::ListAlertsResponse response;
  for (v1::AlertEvent& e : *all->mutable_events()) {
    if (visible.count(e.rule())) *response.add_events() = std::move(e);
  }
  return response;
}

}  // namespace llmtap::collector
