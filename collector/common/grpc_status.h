// The one place where absl::Status becomes grpc::Status (the codes are numbered alike).
#ifndef LLMTAP_COLLECTOR_COMMON_GRPC_STATUS_H_
#define LLMTAP_COLLECTOR_COMMON_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace llmtap::collector {

inline grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_COMMON_GRPC_STATUS_H_
