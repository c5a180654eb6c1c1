// The gRPC edge of authentication: reads "authorization" from a call's metadata, admits it
// through the Authenticator, and maps a refusal to a grpc::Status (with "retry-after-ms" in
// the trailing metadata when a rate limit refused it).
#ifndef LLMTAP_COLLECTOR_AUTH_GRPC_AUTH_H_
#define LLMTAP_COLLECTOR_AUTH_GRPC_AUTH_H_

#include <grpcpp/server_context.h>

#include <string>

#include "absl/status/statusor.h"
#include "collector/auth/authenticator.h"
#include "collector/common/grpc_status.h"

namespace llmtap::collector {

// The call's "authorization" metadata value, "" when absent.
inline std::string AuthorizationOf(const grpc::ServerContextBase& context) {
  const auto& md = context.client_metadata();
  auto it = md.find("authorization");
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

// ToGrpc, adding the retry delay of a rate-limit refusal to the trailing metadata.
inline grpc::Status RefuseGrpc(grpc::ServerContextBase* context, const absl::Status& s) {
  if (auto after = Authenticator::RetryAfter(s)) {
    context->AddTrailingMetadata("retry-after-ms",
                                 std::to_string(absl::ToInt64Milliseconds(*after)));
  }
  return ToGrpc(s);
}

// Moves a handler's answer into the response, or maps its refusal (RefuseGrpc).
template <typename T>
grpc::Status AnswerGrpc(grpc::ServerContextBase* context, absl::StatusOr<T> result,
                        T* response) {
  if (!result.ok()) return RefuseGrpc(context, result.status());
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_AUTH_GRPC_AUTH_H_
