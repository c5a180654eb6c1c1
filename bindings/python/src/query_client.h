// QueryClient: a blocking client of llmtap.v1.QueryService (and AdminService), in plain C++ (no Python types),
// wrapped for Python by query_binding.cc.
//
//   QueryClient client("127.0.0.1:7317", std::chrono::seconds(10));
//   llmtap::v1::GetSampleResponse response;
//   grpc::Status s = client.GetSample(request, &response);
//   std::unique_ptr<google::protobuf::Message> any;
//   s = client.Call("Stats", R"({"filter": {"app": "bot"}})", &any);
//
// Thread safety: every method may be called from any thread at any time; calls share one
// channel. Each call has its own deadline of `timeout` from when it starts.
#ifndef LLMTAP_BINDINGS_PYTHON_QUERY_CLIENT_H_
#define LLMTAP_BINDINGS_PYTHON_QUERY_CLIENT_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "llmtap/v1/query.grpc.pb.h"
#include "llmtap/v1/security.grpc.pb.h"

namespace llmtap::python {

// How a QueryClient proves who it is and checks whom it talks to.
struct QueryClientSecurity {
  // Sent as the metadata `authorization: Bearer <api_key>` on every call; empty sends none.
  std::string api_key;
  // TLS: on when `tls` is true or root_certs_pem is set. root_certs_pem is the PEM of the CA
  // that signed the server's certificate; empty uses the system's roots.
  bool tls = false;
  std::string root_certs_pem;
  // The name the server's certificate must carry, when it is not the host of the address.
  std::string server_name;
};

class TailStream;

class QueryClient {
 public:
  // Does not connect: the channel connects on the first call, so a client may be made before
  // the collector is up. REQUIRES: timeout > 0.
  QueryClient(const std::string& address, std::chrono::milliseconds timeout,
              const QueryClientSecurity& security = {});

  QueryClient(const QueryClient&) = delete;
  QueryClient& operator=(const QueryClient&) = delete;

  grpc::Status GetSample(const v1::GetSampleRequest& request, v1::GetSampleResponse* response);
  grpc::Status ListSamples(const v1::ListSamplesRequest& request,
                           v1::ListSamplesResponse* response);

  // AdminService: key management and the audit log, with the same key, TLS and deadline as
  // the queries. PERMISSION_DENIED unless the key is an admin's (or no keys are configured).
  grpc::Status CreateKey(const v1::CreateKeyRequest& request, v1::CreateKeyResponse* response);
  grpc::Status ListKeys(const v1::ListKeysRequest& request, v1::ListKeysResponse* response);
  grpc::Status RevokeKey(const v1::RevokeKeyRequest& request, v1::ApiKey* response);
  grpc::Status ListAudit(const v1::ListAuditRequest& request, v1::ListAuditResponse* response);

  // Calls the unary QueryService method named `method` (e.g. "ListSamples") with a request
  // parsed from `request_json` (the proto3 JSON mapping; field names in either spelling, "" or
  // "{}" for an empty request). On success sets *response to a message of the method's output
  // type. Fails with UNIMPLEMENTED when the service has no such unary method (streaming
  // methods such as Tail are not callable this way) and INVALID_ARGUMENT when the JSON does
  // not parse as the method's input type; otherwise the server's status.
  grpc::Status Call(const std::string& method, const std::string& request_json,
                    std::unique_ptr<google::protobuf::Message>* response);

  // Opens QueryService.Tail (no deadline: it runs until cancelled). INVALID_ARGUMENT when
  // the JSON does not parse as a TailRequest.
  grpc::Status Tail(const std::string& request_json, std::unique_ptr<TailStream>* stream);

  // `message` in the proto3 JSON mapping with proto field names and every field printed.
  static grpc::Status ToJson(const google::protobuf::Message& message, std::string* json);

  const std::string& address() const { return address_; }

 private:
  void Prepare(grpc::ClientContext* context) const;

  // Immutable after construction.
  const std::string address_;
  const std::chrono::milliseconds timeout_;
  const std::string authorization_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::QueryService::Stub> stub_;
  std::unique_ptr<v1::AdminService::Stub> admin_stub_;
  std::unique_ptr<grpc::GenericStub> generic_stub_;
};

// A running Tail call. A thread of its own reads the stream into a queue, so that Read can
// wait with a timeout (and the caller can notice Ctrl-C between waits).
// Thread safety: Read and Cancel may be called from any thread.
class TailStream {
 public:
  TailStream(std::unique_ptr<grpc::ClientContext> context,
             std::unique_ptr<grpc::ClientReader<v1::TailResponse>> reader);
  // Cancels the call and joins the reading thread.
  ~TailStream();

  enum class Result { kItem, kTimeout, kEnd };
  // The next response, waiting up to `timeout`. kEnd once the stream is over and drained;
  // then *status is how it ended (CANCELLED after Cancel).
  Result Read(std::chrono::milliseconds timeout, v1::TailResponse* response,
              grpc::Status* status);
  void Cancel();

 private:
  void Run();

  // Immutable after construction.
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<v1::TailResponse>> reader_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<v1::TailResponse> queue_;  // Guarded by mu_.
  std::optional<grpc::Status> end_;     // Guarded by mu_.

  std::thread thread_;  // Started last.
};

}  // namespace llmtap::python

#endif  // LLMTAP_BINDINGS_PYTHON_QUERY_CLIENT_H_
