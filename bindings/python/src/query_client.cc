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

QueryClient::QueryClient(const std::string& address, std::chrono::milliseconds timeout,
                         const QueryClientSecurity& security)
    : address_(address),
      timeout_(timeout),
      authorization_(security.api_key.empty() ? "" : "Bearer " + security.api_key) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveBytes);
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (security.tls || !security.root_certs_pem.empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = security.root_certs_pem;
    credentials = grpc::SslCredentials(ssl);
    if (!security.server_name.empty()) args.SetSslTargetNameOverride(security.server_name);
  }
  channel_ = grpc::CreateCustomChannel(address, credentials, args);
  stub_ = v1::QueryService::NewStub(channel_);
  admin_stub_ = v1::AdminService::NewStub(channel_);
  generic_stub_ = std::make_unique<grpc::GenericStub>(channel_);
}

void QueryClient::Prepare(grpc::ClientContext* context) const {
  context->set_deadline(std::chrono::system_clock::now() + timeout_);
  if (!authorization_.empty()) context->AddMetadata("authorization", authorization_);
}

grpc::Status QueryClient::Tail(const std::string& request_json,
                               std::unique_ptr<TailStream>* stream) {
  v1::TailRequest request;
  const std::string json = request_json.empty() ? "{}" : request_json;
  if (auto s = pb::util::JsonStringToMessage(json, &request); !s.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "request is not a valid llmtap.v1.TailRequest: " +
                            std::string(s.message()));
  }
  auto context = std::make_unique<grpc::ClientContext>();
  if (!authorization_.empty()) context->AddMetadata("authorization", authorization_);
  auto reader = stub_->Tail(context.get(), request);
  *stream = std::make_unique<TailStream>(std::move(context), std::move(reader));
  return grpc::Status::OK;
}

TailStream::TailStream(std::unique_ptr<grpc::ClientContext> context,
                       std::unique_ptr<grpc::ClientReader<v1::TailResponse>> reader)
    : context_(std::move(context)), reader_(std::move(reader)) {
  thread_ = std::thread([this] { Run(); });
}

TailStream::~TailStream() {
  Cancel();
  thread_.join();
}

void TailStream::Run() {
  v1::TailResponse response;
  while (reader_->Read(&response)) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(response));
    response.Clear();
    cv_.notify_all();
  }
  grpc::Status status = reader_->Finish();
  std::lock_guard<std::mutex> lock(mu_);
  end_ = std::move(status);
  cv_.notify_all();
}

TailStream::Result TailStream::Read(std::chrono::milliseconds timeout,
                                    v1::TailResponse* response, grpc::Status* status) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return !queue_.empty() || end_.has_value(); });
  if (!queue_.empty()) {
    *response = std::move(queue_.front());
    queue_.pop_front();
    return Result::kItem;
  }
  if (end_) {
    *status = *end_;
    return Result::kEnd;
  }
  return Result::kTimeout;
}

void TailStream::Cancel() { context_->TryCancel(); }

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

grpc::Status QueryClient::CreateKey(const v1::CreateKeyRequest& request,
                                    v1::CreateKeyResponse* response) {
  grpc::ClientContext context;
  Prepare(&context);
  return admin_stub_->CreateKey(&context, request, response);
}

grpc::Status QueryClient::ListKeys(const v1::ListKeysRequest& request,
                                   v1::ListKeysResponse* response) {
  grpc::ClientContext context;
  Prepare(&context);
  return admin_stub_->ListKeys(&context, request, response);
}

grpc::Status QueryClient::RevokeKey(const v1::RevokeKeyRequest& request, v1::ApiKey* response) {
  grpc::ClientContext context;
  Prepare(&context);
  return admin_stub_->RevokeKey(&context, request, response);
}

grpc::Status QueryClient::ListAudit(const v1::ListAuditRequest& request,
                                    v1::ListAuditResponse* response) {
  grpc::ClientContext context;
  Prepare(&context);
  return admin_stub_->ListAudit(&context, request, response);
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
