#include "collector/query/query_service.h"

#include "collector/auth/grpc_auth.h"
#include "collector/query/filter.h"

namespace llmtap::collector {
grpc::Status QueryService::GetSample(grpc::ServerContext* context, const v1::GetSampleRequest* request,
                                 v1::GetSampleResponse* response) {
  return AnswerGrpc(context, handlers_->GetSample(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::ListSamples(grpc::ServerContext* context, const v1::ListSamplesRequest* request,
                                 v1::ListSamplesResponse* response) {
  return AnswerGrpc(context, handlers_->ListSamples(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::Stats(grpc::ServerContext* context, const v1::StatsRequest* request,
                                 v1::StatsResponse* response) {
  return AnswerGrpc(context, handlers_->Stats(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::Trend(grpc::ServerContext* context, const v1::TrendRequest* request,
                                 v1::TrendResponse* response) {
  return AnswerGrpc(context, handlers_->Trend(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::Compare(grpc::ServerContext* context, const v1::CompareRequest* request,
                                 v1::CompareResponse* response) {
  return AnswerGrpc(context, handlers_->Compare(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::Completeness(grpc::ServerContext* context, const v1::CompletenessRequest* request,
                                 v1::CompletenessResponse* response) {
  return AnswerGrpc(context, handlers_->Completeness(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::ListRubrics(grpc::ServerContext* context, const v1::ListRubricsRequest* request,
                                 v1::ListRubricsResponse* response) {
  return AnswerGrpc(context, handlers_->ListRubrics(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::UpsertRubric(grpc::ServerContext* context, const v1::UpsertRubricRequest* request,
                                 v1::Rubric* response) {
  return AnswerGrpc(context, handlers_->UpsertRubric(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::SetRubricEnabled(grpc::ServerContext* context, const v1::SetRubricEnabledRequest* request,
                                 v1::Rubric* response) {
  return AnswerGrpc(context, handlers_->SetRubricEnabled(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::ListAlertRules(grpc::ServerContext* context, const v1::ListAlertRulesRequest* request,
                                 v1::ListAlertRulesResponse* response) {
  return AnswerGrpc(context, handlers_->ListAlertRules(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::UpsertAlertRule(grpc::ServerContext* context, const v1::UpsertAlertRuleRequest* request,
                                 v1::AlertRule* response) {
  return AnswerGrpc(context, handlers_->UpsertAlertRule(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::DeleteAlertRule(grpc::ServerContext* context, const v1::DeleteAlertRuleRequest* request,
                                 v1::DeleteAlertRuleResponse* response) {
  return AnswerGrpc(context, handlers_->DeleteAlertRule(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::ListAlerts(grpc::ServerContext* context, const v1::ListAlertsRequest* request,
                                 v1::ListAlertsResponse* response) {
  return AnswerGrpc(context, handlers_->ListAlerts(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::Agreement(grpc::ServerContext* context, const v1::AgreementRequest* request,
                                 v1::AgreementResponse* response) {
  return AnswerGrpc(context, handlers_->Agreement(AuthorizationOf(*context), *request), response);
}

grpc::Status QueryService::Tail(grpc::ServerContext* context, const v1::TailRequest* request,
                                grpc::ServerWriter<v1::TailResponse>* writer) {
  absl::StatusOr<v1::Filter> filter = handlers_->AdmitTail(AuthorizationOf(*context), *request);
  if (!filter.ok()) return RefuseGrpc(context, filter.status());
  auto subscription = tail_->Subscribe();
  v1::TailResponse event;
  while (!context->IsCancelled() && !subscription->closed()) {
    if (!subscription->Next(&event, absl::Milliseconds(250))) continue;
    if (!TailMatches(*filter, event)) continue;
    if (!writer->Write(event)) break;
  }
  tail_->Unsubscribe(subscription);
  if (subscription->closed()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "collector shutting down");
  }
  return grpc::Status::OK;
}

}  // namespace llmtap::collector
