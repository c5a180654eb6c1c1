#include "collector/query/query_service.h"

#include "collector/common/grpc_status.h"

namespace llmtap::collector {
namespace {

// Moves a handler's answer into the response, or maps its error.
template <typename T>
grpc::Status Answer(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpc(result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status QueryService::GetSample(grpc::ServerContext*, const v1::GetSampleRequest* request,
                                     v1::GetSampleResponse* response) {
  return Answer(engine_->GetSample(*request), response);
}

grpc::Status QueryService::ListSamples(grpc::ServerContext*,
                                       const v1::ListSamplesRequest* request,
                                       v1::ListSamplesResponse* response) {
  return Answer(engine_->ListSamples(*request), response);
}

grpc::Status QueryService::Stats(grpc::ServerContext*, const v1::StatsRequest* request,
                                 v1::StatsResponse* response) {
  return Answer(engine_->Stats(*request), response);
}

grpc::Status QueryService::Trend(grpc::ServerContext*, const v1::TrendRequest* request,
                                 v1::TrendResponse* response) {
  return Answer(engine_->Trend(*request), response);
}

grpc::Status QueryService::Compare(grpc::ServerContext*, const v1::CompareRequest* request,
                                   v1::CompareResponse* response) {
  return Answer(engine_->Compare(*request), response);
}

grpc::Status QueryService::Agreement(grpc::ServerContext*, const v1::AgreementRequest* request,
                                     v1::AgreementResponse* response) {
  return Answer(engine_->Agreement(*request), response);
}

grpc::Status QueryService::Completeness(grpc::ServerContext*,
                                        const v1::CompletenessRequest* request,
                                        v1::CompletenessResponse* response) {
  return Answer(engine_->Completeness(*request), response);
}

grpc::Status QueryService::Tail(grpc::ServerContext* context, const v1::TailRequest* request,
                                grpc::ServerWriter<v1::TailResponse>* writer) {
  if (absl::Status s = ValidateFilter(request->filter(), "filter"); !s.ok()) return ToGrpc(s);
  const v1::Filter& f = request->filter();
  auto subscription = tail_->Subscribe();
  v1::TailResponse event;
  while (!context->IsCancelled() && !subscription->closed()) {
    if (!subscription->Next(&event, absl::Milliseconds(250))) continue;
    if (!TailMatches(f, event)) continue;
    if (!writer->Write(event)) break;
  }
  tail_->Unsubscribe(subscription);
  if (subscription->closed()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "collector shutting down");
  }
  return grpc::Status::OK;
}

grpc::Status QueryService::ListRubrics(grpc::ServerContext*, const v1::ListRubricsRequest* request,
                                       v1::ListRubricsResponse* response) {
  for (auto& r : rubrics_->List(request->include_disabled())) *response->add_rubrics() = std::move(r);
  return grpc::Status::OK;
}

grpc::Status QueryService::UpsertRubric(grpc::ServerContext*,
                                        const v1::UpsertRubricRequest* request,
                                        v1::Rubric* response) {
  if (!request->has_rubric()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "rubric: required");
  }
  return Answer(rubrics_->Upsert(request->rubric()), response);
}

grpc::Status QueryService::SetRubricEnabled(grpc::ServerContext*,
                                            const v1::SetRubricEnabledRequest* request,
                                            v1::Rubric* response) {
  return Answer(rubrics_->SetEnabled(request->name(), request->enabled()), response);
}

grpc::Status QueryService::ListAlertRules(grpc::ServerContext*,
                                          const v1::ListAlertRulesRequest*,
                                          v1::ListAlertRulesResponse* response) {
  if (alerting_ == nullptr) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no alerting");
  *response = alerting_->ListRules();
  return grpc::Status::OK;
}

grpc::Status QueryService::UpsertAlertRule(grpc::ServerContext*,
                                           const v1::UpsertAlertRuleRequest* request,
                                           v1::AlertRule* response) {
  if (alerting_ == nullptr) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no alerting");
  return Answer(alerting_->UpsertRule(*request), response);
}

grpc::Status QueryService::DeleteAlertRule(grpc::ServerContext*,
                                           const v1::DeleteAlertRuleRequest* request,
                                           v1::DeleteAlertRuleResponse* response) {
  if (alerting_ == nullptr) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no alerting");
  return Answer(alerting_->DeleteRule(*request), response);
}

grpc::Status QueryService::ListAlerts(grpc::ServerContext*, const v1::ListAlertsRequest* request,
                                      v1::ListAlertsResponse* response) {
  if (alerting_ == nullptr) return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no alerting");
  return Answer(alerting_->ListAlerts(*request), response);
}

}  // namespace llmtap::collector
