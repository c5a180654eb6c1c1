// Status: the outcome of an SDK call that can fail, as a value. The SDK never throws across
// its API.
//
//   llmtap::Status s = client->Flush(std::chrono::seconds(2));
//   if (!s.ok()) std::cerr << s.ToString() << "\n";
#ifndef LLMTAP_STATUS_H_
#define LLMTAP_STATUS_H_

#include <string>
#include <utility>

namespace llmtap {

// The codes mirror gRPC's (and absl::StatusCode's) numbering.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kInternal = 13,
  kUnavailable = 14,
  kUnauthenticated = 16,
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "OK", or "<CODE_NAME>: <message>".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace llmtap

#endif  // LLMTAP_STATUS_H_
