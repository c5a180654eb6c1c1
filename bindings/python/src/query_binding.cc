// Python wrapper of QueryClient: builds requests from keyword arguments, runs each RPC with
// the GIL released, and returns plain dicts (see proto_dict.h) or raises llmtap.QueryError.
#include <chrono>
#include <cctype>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "bindings.h"
#include "errors.h"
#include "proto_dict.h"
#include "py_time.h"
#include "query_client.h"

namespace py = pybind11;

namespace llmtap::python {
namespace {

// Runs `rpc` without the GIL and raises on failure.
template <typename Rpc>
void Run(Rpc rpc) {
  grpc::Status s;
  {
    py::gil_scoped_release unlocked;
    s = rpc();
  }
  if (!s.ok()) RaiseQueryError(s);
}

// None (unbounded: 0), Unix seconds or a datetime, as Unix nanoseconds.
int64_t UnixNanos(const py::object& value, const char* name) {
  int64_t nanos = 0;
  if (!value.is_none() && !ToUnixNanos(value, &nanos)) {
    RaiseQueryError(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 std::string(name) + " must be a datetime or Unix seconds"));
  }
  return nanos;
}

std::unique_ptr<QueryClient> MakeQueryClient(const std::string& address, double timeout_s,
                                             std::string api_key, bool tls,
                                             std::string root_certs_pem,
                                             std::string server_name) {
  if (!(timeout_s > 0) || !std::isfinite(timeout_s)) {
    RaiseQueryError(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "timeout_s must be a finite number > 0"));
  }
  auto timeout = std::chrono::milliseconds(std::max<int64_t>(1, std::llround(timeout_s * 1000)));
  QueryClientSecurity security;
  security.api_key = std::move(api_key);
  security.tls = tls;
  security.root_certs_pem = std::move(root_certs_pem);
  security.server_name = std::move(server_name);
  return std::make_unique<QueryClient>(address, timeout, security);
}

// "ingest", "read", "admin" (any case) or a v1::Role name such as "ROLE_READ".
v1::Role ParseRole(const std::string& given) {
  std::string name = given;
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  v1::Role role = v1::ROLE_UNSPECIFIED;
  if (!v1::Role_Parse(name, &role) && !v1::Role_Parse("ROLE_" + name, &role)) {
    role = v1::ROLE_UNSPECIFIED;
  }
  if (role == v1::ROLE_UNSPECIFIED) {
    RaiseQueryError(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "role must be one of ingest, read, admin; got '" + given + "'"));
  }
  return role;
}

// An ApiKey as a dict without its salt and hash (the collector sends neither; bytes would
// not print as JSON).
py::dict KeyDict(const v1::ApiKey& key) {
  py::dict d = ToDict(key);
  d.attr("pop")("salt", py::none());
  d.attr("pop")("secret_sha256", py::none());
  return d;
}

// TailStream.read(timeout_s): the next {"score", "sample"} dict, None after timeout_s with
// nothing new; raises StopIteration when the stream ended normally (or was cancelled), and
// QueryError when it failed.
py::object ReadTail(TailStream& stream, double timeout_s) {
  v1::TailResponse response;
  grpc::Status status;
  TailStream::Result result;
  {
    py::gil_scoped_release unlocked;
    result = stream.Read(std::chrono::milliseconds(std::llround(std::max(0.0, timeout_s) * 1000)),
                         &response, &status);
  }
  switch (result) {
    case TailStream::Result::kItem: return ToDict(response);
    case TailStream::Result::kTimeout: return py::none();
    case TailStream::Result::kEnd: break;
  }
  if (status.ok() || status.error_code() == grpc::StatusCode::CANCELLED) {
    throw py::stop_iteration();
  }
  RaiseQueryError(status);
}

}  // namespace

void BindQueryClient(py::module_& m) {
  py::class_<QueryClient>(m, "QueryClient", "A blocking client of llmtap.v1.QueryService and AdminService.")
      .def(py::init(&MakeQueryClient), py::arg("address"), py::arg("timeout_s") = 10.0,
           py::kw_only(), py::arg("api_key") = "", py::arg("tls") = false,
           py::arg("root_certs_pem") = "", py::arg("server_name") = "")
      .def_property_readonly("address", &QueryClient::address)
      .def(
          "get_sample",
          [](QueryClient& self, const std::string& id) {
            v1::GetSampleRequest request;
            request.set_id(id);
            v1::GetSampleResponse response;
            Run([&] { return self.GetSample(request, &response); });
            return ToDict(response);
          },
          py::arg("id"))
      .def(
          "list_samples",
          [](QueryClient& self, std::optional<std::string> app, std::optional<std::string> model,
             std::optional<std::string> variant, std::optional<std::string> session_id,
             std::optional<std::map<std::string, std::string>> metadata, py::object start,
             py::object end, uint32_t page_size, std::string page_token, bool with_scores) {
            v1::ListSamplesRequest request;
            v1::Filter* filter = request.mutable_filter();
            if (app) filter->set_app(*app);
            if (model) filter->set_model(*model);
            if (variant) filter->set_variant(*variant);
            if (session_id) filter->set_session_id(*session_id);
            if (metadata) filter->mutable_metadata()->insert(metadata->begin(), metadata->end());
            filter->set_start_unix_nano(UnixNanos(start, "start"));
            filter->set_end_unix_nano(UnixNanos(end, "end"));
            request.set_page_size(page_size);
            request.set_page_token(std::move(page_token));
            request.set_with_scores(with_scores);
            v1::ListSamplesResponse response;
            Run([&] { return self.ListSamples(request, &response); });
            return ToDict(response);
          },
          py::kw_only(), py::arg("app") = py::none(), py::arg("model") = py::none(),
          py::arg("variant") = py::none(), py::arg("session_id") = py::none(),
          py::arg("metadata") = py::none(), py::arg("start") = py::none(),
          py::arg("end") = py::none(), py::arg("page_size") = 50, py::arg("page_token") = "",
          py::arg("with_scores") = false)
      .def(
          "create_key",
          [](QueryClient& self, const std::string& name, const std::string& role,
             const std::vector<std::string>& apps, double ingest_samples_per_s,
             double queries_per_s) {
            v1::CreateKeyRequest request;
            request.set_name(name);
            request.set_role(ParseRole(role));
            for (const std::string& app : apps) request.add_apps(app);
            request.set_ingest_samples_per_s(ingest_samples_per_s);
            request.set_queries_per_s(queries_per_s);
            v1::CreateKeyResponse response;
            Run([&] { return self.CreateKey(request, &response); });
            py::dict d;
            d["key"] = KeyDict(response.key());
            d["secret"] = response.secret();
            return d;
          },
          py::kw_only(), py::arg("name") = "", py::arg("role"),
          py::arg("apps") = std::vector<std::string>(), py::arg("ingest_samples_per_s") = 0.0,
          py::arg("queries_per_s") = 0.0)
      .def(
          "list_keys",
          [](QueryClient& self, bool include_revoked) {
            v1::ListKeysRequest request;
            request.set_include_revoked(include_revoked);
            v1::ListKeysResponse response;
            Run([&] { return self.ListKeys(request, &response); });
            py::list keys;
            for (const v1::ApiKey& key : response.keys()) keys.append(KeyDict(key));
            return keys;
          },
          py::kw_only(), py::arg("include_revoked") = false)
      .def(
          "revoke_key",
          [](QueryClient& self, const std::string& id) {
            v1::RevokeKeyRequest request;
            request.set_id(id);
            v1::ApiKey response;
            Run([&] { return self.RevokeKey(request, &response); });
            return KeyDict(response);
          },
          py::arg("id"))
      .def(
          "list_audit",
          [](QueryClient& self, uint32_t limit) {
            v1::ListAuditRequest request;
            request.set_limit(limit);
            v1::ListAuditResponse response;
            Run([&] { return self.ListAudit(request, &response); });
            py::list events;
            for (const v1::AuditEvent& event : response.events()) events.append(ToDict(event));
            return events;
          },
          py::kw_only(), py::arg("limit") = 100)
      .def(
          "call",
          [](QueryClient& self, const std::string& method, const std::string& request_json) {
            std::unique_ptr<google::protobuf::Message> response;
            Run([&] { return self.Call(method, request_json, &response); });
            std::string json;
            if (grpc::Status s = QueryClient::ToJson(*response, &json); !s.ok()) {
              RaiseQueryError(s);
            }
            return json;
          },
          py::arg("method"), py::arg("request_json") = "{}")
      .def(
          "call_dict",
          [](QueryClient& self, const std::string& method, const std::string& request_json) {
            std::unique_ptr<google::protobuf::Message> response;
            Run([&] { return self.Call(method, request_json, &response); });
            return ToDict(*response);
          },
          py::arg("method"), py::arg("request_json") = "{}")
      .def(
          "tail",
          [](QueryClient& self, const std::string& request_json) {
            std::unique_ptr<TailStream> stream;
            Run([&] { return self.Tail(request_json, &stream); });
            return stream;
          },
          py::arg("request_json") = "{}");

  py::class_<TailStream>(m, "TailStream", "A running QueryService.Tail call.")
      .def("read", &ReadTail, py::arg("timeout_s") = 1.0)
      .def("cancel", &TailStream::Cancel, py::call_guard<py::gil_scoped_release>());
}

}  // namespace llmtap::python
