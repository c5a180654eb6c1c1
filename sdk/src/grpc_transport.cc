#include <grpcpp/grpcpp.h>

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
  GrpcTransport(const std::string& address, const TransportSecurity& security)
      : authorization_(security.api_key.empty() ? "" : "Bearer " + security.api_key) {
    grpc::ChannelArguments args;
    // Reconnect quickly after a collector restart; the client applies its own backoff on top.
    // Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC also takes it as the time a connection
    // attempt may last (20 s by default), and at 100 ms attempts on a loaded machine timed out
    // before the server's SETTINGS frame arrived, again and again.
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    args.SetMaxSendMessageSize(v1::LIMIT_BATCH_BYTES);
    std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
    if (security.tls || !security.root_certs_pem.empty()) {
      grpc::SslCredentialsOptions ssl;
      ssl.pem_root_certs = security.root_certs_pem;
      credentials = grpc::SslCredentials(ssl);
      if (!security.server_name.empty()) args.SetSslTargetNameOverride(security.server_name);
    }
    channel_ = grpc::CreateCustomChannel(address, credentials, args);
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
  const std::string authorization_;  // "Bearer <key>", or empty.
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

}  // namespace

std::unique_ptr<Transport> NewGrpcTransport(const std::string& address,
                                            const TransportSecurity& security) {
  return std::make_unique<GrpcTransport>(address, security);
}

}  // namespace llmtap::internal
