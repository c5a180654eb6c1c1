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

}  // namespace llmtap::collector
