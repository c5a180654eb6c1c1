#include "collector/common/health_service.h"

namespace llmtap::collector {

using grpc::health::v1::HealthCheckResponse;

HealthService::HealthService(std::set<std::string> services) : services_(std::move(services)) {}

grpc::Status HealthService::Check(grpc::ServerContext*,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  HealthCheckResponse* response) {
  if (!request->service().empty() && services_.count(request->service()) == 0) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service " + request->service());
  }
  absl::MutexLock lock(&mu_);
  response->set_status(serving_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
  return grpc::Status::OK;
}

grpc::Status HealthService::Watch(grpc::ServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::ServerWriter<HealthCheckResponse>* writer) {
  HealthCheckResponse response;
  if (!request->service().empty() && services_.count(request->service()) == 0) {
    response.set_status(HealthCheckResponse::SERVICE_UNKNOWN);
    writer->Write(response);
  }
  absl::MutexLock lock(&mu_);
  response.set_status(serving_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
  mu_.Unlock();
  const bool ok = writer->Write(response);
  mu_.Lock();
  // Status only changes once (to NOT_SERVING), so wait for that or for the caller to leave.
  while (ok && serving_ && !context->IsCancelled()) {
    mu_.AwaitWithTimeout(absl::Condition(
                             +[](bool* serving) { return !*serving; }, &serving_),
                         absl::Seconds(1));
  }
  if (ok && !serving_ && !context->IsCancelled()) {
    response.set_status(HealthCheckResponse::NOT_SERVING);
    mu_.Unlock();
    writer->Write(response);
    mu_.Lock();
  }
  return grpc::Status::OK;
}

void HealthService::SetNotServing() {
  absl::MutexLock lock(&mu_);
  serving_ = false;
}

}  // namespace llmtap::collector
