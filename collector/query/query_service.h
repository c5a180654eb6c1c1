// QueryService: the gRPC edge of queries. Each method hands its request to the QueryEngine
// and maps the outcome to a gRPC status. Methods not yet served answer UNIMPLEMENTED.
#ifndef LLMTAP_COLLECTOR_QUERY_QUERY_SERVICE_H_
#define LLMTAP_COLLECTOR_QUERY_QUERY_SERVICE_H_

#include "collector/query/query_engine.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap::collector {

class QueryService final : public v1::QueryService::Service {
 public:
  // `engine` must outlive the service.
  explicit QueryService(const QueryEngine* engine) : engine_(engine) {}

  grpc::Status GetSample(grpc::ServerContext* context, const v1::GetSampleRequest* request,
                         v1::GetSampleResponse* response) override;
  grpc::Status ListSamples(grpc::ServerContext* context, const v1::ListSamplesRequest* request,
                           v1::ListSamplesResponse* response) override;
  grpc::Status Stats(grpc::ServerContext* context, const v1::StatsRequest* request,
                     v1::StatsResponse* response) override;

 private:
  const QueryEngine* const engine_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_QUERY_SERVICE_H_
