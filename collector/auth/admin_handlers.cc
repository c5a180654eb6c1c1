#include "collector/auth/admin_handlers.h"

#include <spdlog/spdlog.h>

#include "absl/strings/str_join.h"
#include "collector/common/strings.h"

namespace llmtap::collector {
namespace {

void Audit(AuditLog* audit, const Principal& actor, std::string_view action,
           std::string_view target, std::string_view detail) {
  if (absl::Status s = audit->Record(actor, action, target, detail); !s.ok()) {
    spdlog::error("audit: {} {} by {} not recorded: {}", action, target, actor.Describe(),
                  s.ToString());
  }
}

}  // namespace

absl::StatusOr<v1::CreateKeyResponse> AdminHandlers::CreateKey(
    std::string_view authorization, const v1::CreateKeyRequest& request) const {
  absl::StatusOr<Principal> actor = auth_->Admit(authorization, v1::ROLE_ADMIN);
  if (!actor.ok()) return actor.status();
  absl::StatusOr<v1::CreateKeyResponse> made = keys_->Create(*actor, request);
  if (!made.ok()) return made.status();
  const v1::ApiKey& k = made->key();
  Audit(audit_, *actor, "CreateKey", k.id(),
        Cat("name=", k.name(), " role=", v1::Role_Name(k.role()), " apps=[",
            absl::StrJoin(k.apps(), ","), "]"));
  spdlog::info("auth: key {} ({}) made by {}", k.id(), v1::Role_Name(k.role()),
               actor->Describe());
  return made;
}

absl::StatusOr<v1::ListKeysResponse> AdminHandlers::ListKeys(
    std::string_view authorization, const v1::ListKeysRequest& request) const {
  absl::StatusOr<Principal> actor = auth_->Admit(authorization, v1::ROLE_ADMIN);
  if (!actor.ok()) return actor.status();
  v1::ListKeysResponse response;
  for (auto& k : keys_->List(*actor, request.include_revoked())) *response.add_keys() = std::move(k);
  return response;
}

absl::StatusOr<v1::ApiKey> AdminHandlers::RevokeKey(std::string_view authorization,
                                                    const v1::RevokeKeyRequest& request) const {
  absl::StatusOr<Principal> actor = auth_->Admit(authorization, v1::ROLE_ADMIN);
  if (!actor.ok()) return actor.status();
  if (request.id().empty()) return absl::InvalidArgumentError("id: required");
  absl::StatusOr<v1::ApiKey> revoked = keys_->Revoke(*actor, request.id());
  if (!revoked.ok()) return revoked.status();
  Audit(audit_, *actor, "RevokeKey", revoked->id(), Cat("name=", revoked->name()));
  spdlog::info("auth: key {} revoked by {}", revoked->id(), actor->Describe());
  return revoked;
}

absl::StatusOr<v1::ListAuditResponse> AdminHandlers::ListAudit(
    std::string_view authorization, const v1::ListAuditRequest& request) const {
  absl::StatusOr<Principal> actor = auth_->Admit(authorization, v1::ROLE_ADMIN);
  if (!actor.ok()) return actor.status();
  auto events = audit_->List(request.limit());
  if (!events.ok()) return events.status();
  v1::ListAuditResponse response;
  for (auto& e : *events) *response.add_events() = std::move(e);
  return response;
}

}  // namespace llmtap::collector
