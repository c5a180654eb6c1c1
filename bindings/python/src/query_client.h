// QueryClient: a blocking client of llmtap.v1.QueryService, in plain C++ (no Python types),
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
#include <memory>
#include <string>

#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap::python {

class QueryClient {
 public:
  // Does not connect: the channel connects on the first call, so a client may be made before
  // the collector is up. REQUIRES: timeout > 0.
  QueryClient(const std::string& address, std::chrono::milliseconds timeout);

  QueryClient(const QueryClient&) = delete;
  QueryClient& operator=(const QueryClient&) = delete;

  grpc::Status GetSample(const v1::GetSampleRequest& request, v1::GetSampleResponse* response);
  grpc::Status ListSamples(const v1::ListSamplesRequest& request,
                           v1::ListSamplesResponse* response);

  // Calls the unary QueryService method named `method` (e.g. "ListSamples") with a request
  // parsed from `request_json` (the proto3 JSON mapping; field names in either spelling, "" or
  // "{}" for an empty request). On success sets *response to a message of the method's output
  // type. Fails with UNIMPLEMENTED when the service has no such unary method (streaming
  // methods such as Tail are not callable this way) and INVALID_ARGUMENT when the JSON does
  // not parse as the method's input type; otherwise the server's status.
  grpc::Status Call(const std::string& method, const std::string& request_json,
                    std::unique_ptr<google::protobuf::Message>* response);

  // `message` in the proto3 JSON mapping with proto field names and every field printed.
  static grpc::Status ToJson(const google::protobuf::Message& message, std::string* json);

  const std::string& address() const { return address_; }

 private:
  void Prepare(grpc::ClientContext* context) const;

  // Immutable after construction.
  const std::string address_;
  const std::chrono::milliseconds timeout_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::QueryService::Stub> stub_;
  std::unique_ptr<grpc::GenericStub> generic_stub_;
};

}  // namespace llmtap::python

#endif  // LLMTAP_BINDINGS_PYTHON_QUERY_CLIENT_H_
