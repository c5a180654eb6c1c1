#include "query_client.h"

#include <future>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

namespace llmtap::python {
namespace {

namespace pb = google::protobuf;

constexpr char kService[] = "llmtap.v1.QueryService";
// Large pages (1000 samples with long prompts) exceed gRPC's 4 MiB default.
constexpr int kMaxReceiveBytes = 256 << 20;

grpc::Status ToByteBuffer(const pb::Message& message, grpc::ByteBuffer* buffer) {
  std::string bytes;
  if (!message.SerializeToString(&bytes)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "cannot serialize the request");
  }
  grpc::Slice slice(bytes);
  *buffer = grpc::ByteBuffer(&slice, 1);
  return grpc::Status::OK;
}

grpc::Status FromByteBuffer(const grpc::ByteBuffer& buffer, pb::Message* message) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "cannot read the response");
  }
  std::string bytes;
  for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  if (!message->ParseFromString(bytes)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "cannot parse the response as " +
                                                        message->GetDescriptor()->full_name());
  }
  return grpc::Status::OK;
}

}  // namespace

QueryClient::QueryClient(const std::string& address, std::chrono::milliseconds timeout)
    : address_(address), timeout_(timeout) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveBytes);
  channel_ = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  stub_ = v1::QueryService::NewStub(channel_);
  generic_stub_ = std::make_unique<grpc::GenericStub>(channel_);
}

void QueryClient::Prepare(grpc::ClientContext* context) const {
  context->set_deadline(std::chrono::system_clock::now() + timeout_);
}

grpc::Status QueryClient::GetSample(const v1::GetSampleRequest& request,
                                    v1::GetSampleResponse* response) {
  grpc::ClientContext context;
  Prepare(&context);
  return stub_->GetSample(&context, request, response);
}

grpc::Status QueryClient::ListSamples(const v1::ListSamplesRequest& request,
                                      v1::ListSamplesResponse* response) {
  grpc::ClientContext context;
  Prepare(&context);
  return stub_->ListSamples(&context, request, response);
}

grpc::Status QueryClient::Call(const std::string& method, const std::string& request_json,
                               std::unique_ptr<pb::Message>* response) {
  const pb::ServiceDescriptor* service =
      pb::DescriptorPool::generated_pool()->FindServiceByName(kService);
  const pb::MethodDescriptor* m = service ? service->FindMethodByName(method) : nullptr;
  if (m == nullptr || m->client_streaming() || m->server_streaming()) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        std::string(kService) + " has no unary method '" + method + "'");
  }
  const pb::Message* prototype =
      pb::MessageFactory::generated_factory()->GetPrototype(m->input_type());
  std::unique_ptr<pb::Message> request(prototype->New());
  const std::string json = request_json.empty() ? "{}" : request_json;
  if (auto s = pb::util::JsonStringToMessage(json, request.get()); !s.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "request is not a valid " + m->input_type()->full_name() + ": " +
                            std::string(s.message()));
  }
  grpc::ByteBuffer request_bytes;
  if (grpc::Status s = ToByteBuffer(*request, &request_bytes); !s.ok()) return s;

  grpc::ClientContext context;
  Prepare(&context);
  grpc::ByteBuffer response_bytes;
  std::promise<grpc::Status> done;
  generic_stub_->UnaryCall(&context, "/" + std::string(kService) + "/" + method,
                           grpc::StubOptions(), &request_bytes, &response_bytes,
                           [&done](grpc::Status s) { done.set_value(std::move(s)); });
  grpc::Status status = done.get_future().get();
  if (!status.ok()) return status;

  response->reset(
      pb::MessageFactory::generated_factory()->GetPrototype(m->output_type())->New());
  return FromByteBuffer(response_bytes, response->get());
}

grpc::Status QueryClient::ToJson(const pb::Message& message, std::string* json) {
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  if (auto s = pb::util::MessageToJsonString(message, json, options); !s.ok()) {
    return grpc::Status(grpc::StatusCode::INTERNAL, std::string(s.message()));
  }
  return grpc::Status::OK;
}

}  // namespace llmtap::python
