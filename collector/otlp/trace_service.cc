#include "collector/otlp/trace_service.h"

#include <google/protobuf/arena.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/proto_buffer_writer.h>

#include <algorithm>

#include "collector/common/grpc_status.h"

namespace llmtap::collector::otlp {

std::shared_ptr<ExportTraceServiceRequest> NewArenaRequest(size_t size_hint) {
  google::protobuf::ArenaOptions options;
  // The samples are built on the same arena: about as many bytes again as the request.
  options.start_block_size = std::clamp<size_t>(size_hint, 4 << 10, 4 << 20);
  options.max_block_size = options.start_block_size;
  auto arena = std::make_shared<google::protobuf::Arena>(options);
  return std::shared_ptr<ExportTraceServiceRequest>(
      arena, google::protobuf::Arena::CreateMessage<ExportTraceServiceRequest>(arena.get()));
}

grpc::ServerUnaryReactor* TraceService::Export(grpc::CallbackServerContext* context,
                                               const grpc::ByteBuffer* request,
                                               grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto parsed = NewArenaRequest(request->Length());
  grpc::ByteBuffer copy(*request);  // Shares the slices; parsing consumes the copy.
  grpc::ProtoBufferReader reader(&copy);
  if (!parsed->ParseFromZeroCopyStream(&reader)) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                 "malformed ExportTraceServiceRequest"));
    return reactor;
  }
  std::string_view authorization;
  const auto& metadata = context->client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    authorization = std::string_view(it->second.data(), it->second.size());
  }
  receiver_->Export(authorization, std::move(parsed),
                    [reactor, response](const absl::Status& status,
                                        const ExportTraceServiceResponse& r) {
                      if (!status.ok()) {
                        reactor->Finish(ToGrpc(status));
                        return;
                      }
                      bool own = false;
                      grpc::GenericSerialize<grpc::ProtoBufferWriter, ExportTraceServiceResponse>(
                          r, response, &own)
                          .IgnoreError();
                      reactor->Finish(grpc::Status::OK);
                    });
  return reactor;
}

}  // namespace llmtap::collector::otlp
