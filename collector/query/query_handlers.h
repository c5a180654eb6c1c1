// QueryHandlers: the logic of every QueryService call, shared by the gRPC service and the HTTP
// JSON API, so both admit the caller, scope it and audit it the same way.
//
// Each method takes the request's "authorization" value and the request; it admits the caller
// through the Authenticator with the role the call needs (ROLE_READ for reads, ROLE_ADMIN for
// rubric and alert rule changes), then acts with the caller's Principal:
// - queries read only the key's apps (the QueryEngine takes the Principal; scope.h);
// - rubrics are visible when they apply to every app or to one of the key's apps (their app
//   list shown only within the key's apps), and may be changed only by an admin whose apps
//   cover the rubric's (before and after the change);
// - alert rules are visible, changed and deleted only when their app is one of the key's, and
//   events only of visible rules (an app-scoped key does not see rules over every app);
// - every change is recorded in the audit log with the key that made it.
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_QUERY_QUERY_HANDLERS_H_
#define LLMTAP_COLLECTOR_QUERY_QUERY_HANDLERS_H_

#include "absl/status/statusor.h"
#include "collector/alerting/alerting.h"
#include "collector/auth/audit_log.h"
#include "collector/auth/authenticator.h"
#include "collector/query/query_engine.h"
#include "collector/scoring/rubric_registry.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

class QueryHandlers {
 public:
  // All pointers must outlive this. Without `alerting` the alert calls are UNIMPLEMENTED.
  QueryHandlers(const Authenticator* auth, const QueryEngine* engine, RubricRegistry* rubrics,
                Alerting* alerting, AuditLog* audit)
      : auth_(auth), engine_(engine), rubrics_(rubrics), alerting_(alerting), audit_(audit) {}

  using Auth = std::string_view;
  absl::StatusOr<v1::GetSampleResponse> GetSample(Auth a, const v1::GetSampleRequest& r) const;
  absl::StatusOr<v1::ListSamplesResponse> ListSamples(Auth a,
                                                      const v1::ListSamplesRequest& r) const;
  absl::StatusOr<v1::StatsResponse> Stats(Auth a, const v1::StatsRequest& r) const;
  absl::StatusOr<v1::TrendResponse> Trend(Auth a, const v1::TrendRequest& r) const;
  absl::StatusOr<v1::CompareResponse> Compare(Auth a, const v1::CompareRequest& r) const;
  absl::StatusOr<v1::CompletenessResponse> Completeness(Auth a,
                                                        const v1::CompletenessRequest& r) const;
  absl::StatusOr<v1::AgreementResponse> Agreement(Auth a, const v1::AgreementRequest& r) const;
  // Tail: admits the caller and returns the request's filter scoped to its apps (validated),
  // which the caller's stream then applies to each event with TailMatches.
  absl::StatusOr<v1::Filter> AdmitTail(Auth a, const v1::TailRequest& r) const;
  absl::StatusOr<v1::ListRubricsResponse> ListRubrics(Auth a,
                                                      const v1::ListRubricsRequest& r) const;
  absl::StatusOr<v1::Rubric> UpsertRubric(Auth a, const v1::UpsertRubricRequest& r) const;
  absl::StatusOr<v1::Rubric> SetRubricEnabled(Auth a, const v1::SetRubricEnabledRequest& r) const;
  absl::StatusOr<v1::ListAlertRulesResponse> ListAlertRules(
      Auth a, const v1::ListAlertRulesRequest& r) const;
  absl::StatusOr<v1::AlertRule> UpsertAlertRule(Auth a, const v1::UpsertAlertRuleRequest& r) const;
  absl::StatusOr<v1::DeleteAlertRuleResponse> DeleteAlertRule(
      Auth a, const v1::DeleteAlertRuleRequest& r) const;
  absl::StatusOr<v1::ListAlertsResponse> ListAlerts(Auth a, const v1::ListAlertsRequest& r) const;

 private:
  void Audit(const Principal& who, std::string_view action, std::string_view target,
             std::string_view detail) const;
  // The rubric as `who` may see it, or nullopt when it may not.
  static std::optional<v1::Rubric> Visible(const Principal& who, v1::Rubric rubric);
  static bool Visible(const Principal& who, const v1::AlertRule& rule);
  std::optional<v1::Rubric> FindRubric(const std::string& name) const;
  std::optional<v1::AlertRule> FindRule(const std::string& name) const;

  const Authenticator* const auth_;
  const QueryEngine* const engine_;
  RubricRegistry* const rubrics_;
  Alerting* const alerting_;
  AuditLog* const audit_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_QUERY_HANDLERS_H_
