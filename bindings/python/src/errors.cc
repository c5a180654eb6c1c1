#include "errors.h"

namespace py = pybind11;

namespace llmtap::python {
namespace {

// Owned for the life of the process: exception classes must outlive every module reference.
PyObject* error_type = nullptr;
PyObject* invalid_argument_type = nullptr;
PyObject* deadline_exceeded_type = nullptr;
PyObject* query_error_type = nullptr;

PyObject* NewType(py::module_& module, const char* name, py::tuple bases, const char* doc) {
  // The qualified name makes the classes print as llmtap.X, where users meet them.
  std::string qualified = std::string("llmtap.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (type == nullptr) throw py::error_already_set();
  module.add_object(name, py::handle(type).inc_ref());
  return type;
}

[[noreturn]] void Raise(PyObject* type, const std::string& code, const std::string& message) {
  py::object error = py::reinterpret_borrow<py::object>(type)(
      message.empty() ? code : code + ": " + message);
  error.attr("code") = code;
  error.attr("message") = message;
  PyErr_SetObject(type, error.ptr());
  throw py::error_already_set();
}

}  // namespace

void RegisterErrors(py::module_& module) {
  error_type = NewType(module, "Error", py::make_tuple(py::handle(PyExc_Exception)),
                       "Base of every llmtap error. .code names the status code (for example "
                       "'INVALID_ARGUMENT'); .message is the text without the code.");
  invalid_argument_type = NewType(
      module, "InvalidArgumentError",
      py::make_tuple(py::handle(error_type), py::handle(PyExc_ValueError)),
      "An argument was invalid (for example sample_rate outside [0, 1]). Also a ValueError.");
  deadline_exceeded_type = NewType(
      module, "DeadlineExceededError",
      py::make_tuple(py::handle(error_type), py::handle(PyExc_TimeoutError)),
      "flush() or shutdown() ran out of time with samples still pending. Also a TimeoutError.");
  query_error_type = NewType(module, "QueryError", py::make_tuple(py::handle(error_type)),
                             "A query RPC failed. .code is the gRPC status code name, for "
                             "example 'NOT_FOUND' or 'UNAVAILABLE'.");
}

void RaiseStatus(const Status& status) {
  std::string text = status.ToString();  // "CODE: message"
  std::string code = text.substr(0, text.find(':'));
  PyObject* type = error_type;
  if (status.code() == StatusCode::kInvalidArgument) type = invalid_argument_type;
  if (status.code() == StatusCode::kDeadlineExceeded) type = deadline_exceeded_type;
  Raise(type, code, status.message());
}

void RaiseQueryError(const grpc::Status& status) {
  Raise(query_error_type, GrpcCodeName(status.error_code()), status.error_message());
}

std::string GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

}  // namespace llmtap::python
