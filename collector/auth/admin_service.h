// AdminService: API keys and the audit log over gRPC (security.proto). Every call needs
// ROLE_ADMIN; the logic lives in KeyStore and AuditLog.
#ifndef LLMTAP_COLLECTOR_AUTH_ADMIN_SERVICE_H_
#define LLMTAP_COLLECTOR_AUTH_ADMIN_SERVICE_H_

#include "collector/auth/admin_handlers.h"
#include "llmtap/v1/security.grpc.pb.h"

namespace llmtap::collector {

class AdminService final : public v1::AdminService::Service {
 public:
  // `handlers` must outlive the service.
  explicit AdminService(const AdminHandlers* handlers) : handlers_(handlers) {}

  grpc::Status CreateKey(grpc::ServerContext* context, const v1::CreateKeyRequest* request,
                         v1::CreateKeyResponse* response) override;
  grpc::Status ListKeys(grpc::ServerContext* context, const v1::ListKeysRequest* request,
                        v1::ListKeysResponse* response) override;
  grpc::Status RevokeKey(grpc::ServerContext* context, const v1::RevokeKeyRequest* request,
                         v1::ApiKey* response) override;
  grpc::Status ListAudit(grpc::ServerContext* context, const v1::ListAuditRequest* request,
                         v1::ListAuditResponse* response) override;

 private:
  const AdminHandlers* const handlers_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_AUTH_ADMIN_SERVICE_H_
