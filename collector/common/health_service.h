// HealthService: grpc.health.v1.Health for the collector. "" (the whole server) and each
// llmtap service are SERVING until SetNotServing() is called at shutdown.
#ifndef LLMTAP_COLLECTOR_COMMON_HEALTH_SERVICE_H_
#define LLMTAP_COLLECTOR_COMMON_HEALTH_SERVICE_H_

#include <set>
#include <string>

#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace llmtap::collector {

class HealthService final : public grpc::health::v1::Health::Service {
 public:
  explicit HealthService(std::set<std::string> services);

  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  grpc::Status Watch(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

  // Every service turns NOT_SERVING; Watch calls see it and end.
  void SetNotServing();

 private:
  const std::set<std::string> services_;
  absl::Mutex mu_;
  bool serving_ ABSL_GUARDED_BY(mu_) = true;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_COMMON_HEALTH_SERVICE_H_
