#include <grpcpp/grpcpp.h>

#include <fstream>
#include <sstream>

#include "llmtap/v1/ingest.grpc.pb.h"
#include "llmtap/v1/sample.pb.h"
#include "transport.h"

namespace llmtap::internal {
namespace {

class GrpcIngestStream final : public IngestStream {
 public:
  GrpcIngestStream(v1::IngestService::Stub* stub, const std::string& authorization) {
    if (!authorization.empty()) context_.AddMetadata("authorization", authorization);
    stream_ = stub->Stream(&context_);
  }
  ~GrpcIngestStream() override {
    context_.TryCancel();
    stream_->Finish().IgnoreError();
  }
  bool Write(const v1::IngestRequest& request) override { return stream_->Write(request); }
  bool Read(v1::IngestResponse* response) override { return stream_->Read(response); }
  void Cancel() override { context_.TryCancel(); }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::IngestRequest, v1::IngestResponse>> stream_;
};

class GrpcTransport final : public Transport {
 public:
  GrpcTransport(const std::string& address, std::shared_ptr<grpc::ChannelCredentials> creds,
                std::string authorization, const std::string& server_name)
      : authorization_(std::move(authorization)) {
    grpc::ChannelArguments args;
    // Reconnect quickly after a collector restart; the client applies its own backoff on top.
    // Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC also takes it as the time a connection
    // attempt may last (20 s by default), and at 100 ms attempts on a loaded machine timed out
    // before the server's SETTINGS frame arrived, again and again.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    args.SetMaxSendMessageSize(v1::LIMIT_BATCH_BYTES);
    if (!server_name.empty()) args.SetSslTargetNameOverride(server_name);
    channel_ = grpc::CreateCustomChannel(address, creds, args);
    stub_ = v1::IngestService::NewStub(channel_);
  }

  // How long Open() waits for a connecting channel. Short, because Shutdown() waits for it.
  static constexpr std::chrono::milliseconds kOpenTimeout{20};

  std::unique_ptr<IngestStream> Open() override {
    // Fail fast when the channel cannot connect instead of queueing the call.
    auto state = channel_->GetState(/*try_to_connect=*/true);
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE || state == GRPC_CHANNEL_SHUTDOWN) return nullptr;
    if (state != GRPC_CHANNEL_READY &&
        !channel_->WaitForConnected(std::chrono::system_clock::now() +
                                    kOpenTimeout)) {
      return nullptr;
    }
    return std::make_unique<GrpcIngestStream>(stub_.get(), authorization_);
  }

  bool WaitForReady(std::chrono::system_clock::time_point deadline) override {
    return channel_->WaitForConnected(deadline);
  }

 private:
  const std::string authorization_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

}  // namespace

Status NewGrpcTransport(const ClientOptions& options, std::unique_ptr<Transport>* transport) {
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (options.tls || !options.tls_ca_file.empty() || !options.tls_cert_file.empty()) {
    grpc::SslCredentialsOptions ssl;
    const std::pair<const std::string*, std::string*> files[] = {
        {&options.tls_ca_file, &ssl.pem_root_certs},
        {&options.tls_cert_file, &ssl.pem_cert_chain},
        {&options.tls_key_file, &ssl.pem_private_key}};
    for (const auto& [path, out] : files) {
      if (path->empty()) continue;
      std::ifstream in(*path, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in || text.str().empty()) {
        return Status(StatusCode::kInvalidArgument, "cannot read TLS file " + *path);
      }
      *out = text.str();
    }
    creds = grpc::SslCredentials(ssl);
  }
  *transport = std::make_unique<GrpcTransport>(
      options.collector_address, creds,
      options.api_key.empty() ? std::string() : "Bearer " + options.api_key,
      options.tls_server_name);
  return Status::Ok();
}

}  // namespace llmtap::internal
