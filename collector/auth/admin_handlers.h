// AdminHandlers: the logic of AdminService, shared by its gRPC service and the HTTP API.
// Each method takes the request's "authorization" value, admits it as ROLE_ADMIN, acts, and
// records the action in the audit log.
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_AUTH_ADMIN_HANDLERS_H_
#define LLMTAP_COLLECTOR_AUTH_ADMIN_HANDLERS_H_

#include "absl/status/statusor.h"
#include "collector/auth/audit_log.h"
#include "collector/auth/authenticator.h"
#include "collector/auth/key_store.h"

namespace llmtap::collector {

class AdminHandlers {
 public:
  // All must outlive this.
  AdminHandlers(const Authenticator* auth, KeyStore* keys, AuditLog* audit)
      : auth_(auth), keys_(keys), audit_(audit) {}

  absl::StatusOr<v1::CreateKeyResponse> CreateKey(std::string_view authorization,
                                                  const v1::CreateKeyRequest& request) const;
  absl::StatusOr<v1::ListKeysResponse> ListKeys(std::string_view authorization,
                                                const v1::ListKeysRequest& request) const;
  absl::StatusOr<v1::ApiKey> RevokeKey(std::string_view authorization,
                                       const v1::RevokeKeyRequest& request) const;
  absl::StatusOr<v1::ListAuditResponse> ListAudit(std::string_view authorization,
                                                  const v1::ListAuditRequest& request) const;

 private:
  const Authenticator* const auth_;
  KeyStore* const keys_;
  AuditLog* const audit_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_AUTH_ADMIN_HANDLERS_H_
