#include "llmtap/status.h"

namespace llmtap {

std::string Status::ToString() const {
  const char* name = "UNKNOWN";
  switch (code_) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kCancelled: name = "CANCELLED"; break;
    case StatusCode::kUnknown: name = "UNKNOWN"; break;
    case StatusCode::kPermissionDenied: name = "PERMISSION_DENIED"; break;
    case StatusCode::kUnauthenticated: name = "UNAUTHENTICATED"; break;
    case StatusCode::kInvalidArgument: name = "INVALID_ARGUMENT"; break;
    case StatusCode::kDeadlineExceeded: name = "DEADLINE_EXCEEDED"; break;
    case StatusCode::kNotFound: name = "NOT_FOUND"; break;
    case StatusCode::kResourceExhausted: name = "RESOURCE_EXHAUSTED"; break;
    case StatusCode::kFailedPrecondition: name = "FAILED_PRECONDITION"; break;
    case StatusCode::kInternal: name = "INTERNAL"; break;
    case StatusCode::kUnavailable: name = "UNAVAILABLE"; break;
  }
  return std::string(name) + ": " + message_;
}

}  // namespace llmtap
