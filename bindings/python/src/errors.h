// The Python exceptions of llmtap, and raising them from a Status.
//
//   llmtap.Error (Exception)                       .code (e.g. "UNAVAILABLE"), .message
//   ├── llmtap.InvalidArgumentError (+ ValueError)  an SDK call got a bad argument
//   ├── llmtap.DeadlineExceededError (+ TimeoutError)  flush/shutdown ran out of time
//   └── llmtap.QueryError                          a query RPC failed; .code is the gRPC code
//
// Any other non-OK SDK status raises llmtap.Error itself. Every function here REQUIRES the GIL.
#ifndef LLMTAP_BINDINGS_PYTHON_ERRORS_H_
#define LLMTAP_BINDINGS_PYTHON_ERRORS_H_

#include <string>

#include <grpcpp/support/status.h>
#include <pybind11/pybind11.h>

#include "llmtap/status.h"

namespace llmtap::python {

// Creates the exception classes as attributes of `module`. Call once, at import.
void RegisterErrors(pybind11::module_& module);

// Raise the exception for a non-OK status (as pybind11::error_already_set).
// REQUIRES: !status.ok().
[[noreturn]] void RaiseStatus(const Status& status);
[[noreturn]] void RaiseQueryError(const grpc::Status& status);

// "NOT_FOUND" for grpc::StatusCode::NOT_FOUND, and so on.
std::string GrpcCodeName(grpc::StatusCode code);

}  // namespace llmtap::python

#endif  // LLMTAP_BINDINGS_PYTHON_ERRORS_H_
