#include "collector/auth/admin_service.h"

#include "collector/auth/grpc_auth.h"

namespace llmtap::collector {
namespace {

template <typename T>
grpc::Status Answer(grpc::ServerContext* context, absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return RefuseGrpc(context, result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status AdminService::CreateKey(grpc::ServerContext* context,
                                     const v1::CreateKeyRequest* request,
                                     v1::CreateKeyResponse* response) {
  return Answer(context, handlers_->CreateKey(AuthorizationOf(*context), *request), response);
}

grpc::Status AdminService::ListKeys(grpc::ServerContext* context,
                                    const v1::ListKeysRequest* request,
                                    v1::ListKeysResponse* response) {
  return Answer(context, handlers_->ListKeys(AuthorizationOf(*context), *request), response);
}

grpc::Status AdminService::RevokeKey(grpc::ServerContext* context,
                                     const v1::RevokeKeyRequest* request, v1::ApiKey* response) {
  return Answer(context, handlers_->RevokeKey(AuthorizationOf(*context), *request), response);
}

grpc::Status AdminService::ListAudit(grpc::ServerContext* context,
                                     const v1::ListAuditRequest* request,
                                     v1::ListAuditResponse* response) {
  return Answer(context, handlers_->ListAudit(AuthorizationOf(*context), *request), response);
}

}  // namespace llmtap::collector
