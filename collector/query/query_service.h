// QueryService: the gRPC edge of queries. Each method passes the call's "authorization"
// metadata and its request to QueryHandlers (which admits, scopes and audits) and maps the
// outcome to a gRPC status; Tail streams the events its scoped filter matches.
#ifndef LLMTAP_COLLECTOR_QUERY_QUERY_SERVICE_H_
#define LLMTAP_COLLECTOR_QUERY_QUERY_SERVICE_H_

#include "collector/query/query_handlers.h"
#include "collector/scoring/tail_hub.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap::collector {

class QueryService final : public v1::QueryService::Service {
 public:
  // Both must outlive the service.
  QueryService(const QueryHandlers* handlers, TailHub* tail) : handlers_(handlers), tail_(tail) {}

  grpc::Status GetSample(grpc::ServerContext* context, const v1::GetSampleRequest* request,
                         v1::GetSampleResponse* response) override;
  grpc::Status ListSamples(grpc::ServerContext* context, const v1::ListSamplesRequest* request,
                           v1::ListSamplesResponse* response) override;
  grpc::Status Stats(grpc::ServerContext* context, const v1::StatsRequest* request,
                     v1::StatsResponse* response) override;
  grpc::Status Trend(grpc::ServerContext* context, const v1::TrendRequest* request,
                     v1::TrendResponse* response) override;
  grpc::Status Compare(grpc::ServerContext* context, const v1::CompareRequest* request,
                       v1::CompareResponse* response) override;
  grpc::Status Agreement(grpc::ServerContext* context, const v1::AgreementRequest* request,
                         v1::AgreementResponse* response) override;
  grpc::Status Completeness(grpc::ServerContext* context, const v1::CompletenessRequest* request,
                            v1::CompletenessResponse* response) override;
  grpc::Status Tail(grpc::ServerContext* context, const v1::TailRequest* request,
                    grpc::ServerWriter<v1::TailResponse>* writer) override;
  grpc::Status ListRubrics(grpc::ServerContext* context, const v1::ListRubricsRequest* request,
                           v1::ListRubricsResponse* response) override;
  grpc::Status UpsertRubric(grpc::ServerContext* context, const v1::UpsertRubricRequest* request,
                            v1::Rubric* response) override;
  grpc::Status SetRubricEnabled(grpc::ServerContext* context,
                                const v1::SetRubricEnabledRequest* request,
                                v1::Rubric* response) override;
  grpc::Status ListAlertRules(grpc::ServerContext* context,
                              const v1::ListAlertRulesRequest* request,
                              v1::ListAlertRulesResponse* response) override;
  grpc::Status UpsertAlertRule(grpc::ServerContext* context,
                               const v1::UpsertAlertRuleRequest* request,
                               v1::AlertRule* response) override;
  grpc::Status DeleteAlertRule(grpc::ServerContext* context,
                               const v1::DeleteAlertRuleRequest* request,
                               v1::DeleteAlertRuleResponse* response) override;
  grpc::Status ListAlerts(grpc::ServerContext* context, const v1::ListAlertsRequest* request,
                          v1::ListAlertsResponse* response) override;

 private:
  const QueryHandlers* const handlers_;
  TailHub* const tail_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_QUERY_SERVICE_H_
