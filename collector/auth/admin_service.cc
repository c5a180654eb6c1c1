#include "collector/auth/admin_service.h"

#include "collector/auth/grpc_auth.h"

namespace llmtap::collector {
grpc::Status AdminService::CreateKey(grpc::ServerContext* context,
                                     const v1::CreateKeyRequest* request,
                                     v1::CreateKeyResponse* response) {
  return AnswerGrpc(context, handlers_->CreateKey(AuthorizationOf(*context), *request), response);
}

grpc::Status AdminService::ListKeys(grpc::ServerContext* context,
                                    const v1::ListKeysRequest* request,
                                    v1::ListKeysResponse* response) {
  return AnswerGrpc(context, handlers_->ListKeys(AuthorizationOf(*context), *request), response);
}

grpc::Status AdminService::RevokeKey(grpc::ServerContext* context,
                                     const v1::RevokeKeyRequest* request, v1::ApiKey* response) {
  return AnswerGrpc(context, handlers_->RevokeKey(AuthorizationOf(*context), *request), response);
}

grpc::Status AdminService::ListAudit(grpc::ServerContext* context,
                                     const v1::ListAuditRequest* request,
                                     v1::ListAuditResponse* response) {
  return AnswerGrpc(context, handlers_->ListAudit(AuthorizationOf(*context), *request), response);
}

}  // namespace llmtap::collector
