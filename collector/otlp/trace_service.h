// TraceService: OTLP/gRPC `opentelemetry.proto.collector.trace.v1.TraceService/Export` on the
// collector's gRPC port. Parses the request on an arena (from the raw bytes, so a bad request
// gets INVALID_ARGUMENT instead of a transport error), takes the caller's `authorization`
// metadata, and answers with what OtlpReceiver::Export gives, after the commit.
#ifndef LLMTAP_COLLECTOR_OTLP_TRACE_SERVICE_H_
#define LLMTAP_COLLECTOR_OTLP_TRACE_SERVICE_H_

#include "collector/otlp/otlp_receiver.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"

namespace llmtap::collector::otlp {

class TraceService final
    : public ::opentelemetry::proto::collector::trace::v1::TraceService::WithRawCallbackMethod_Export<
          ::opentelemetry::proto::collector::trace::v1::TraceService::Service> {
 public:
  // `receiver` must outlive the service.
  explicit TraceService(OtlpReceiver* receiver) : receiver_(receiver) {}

  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;

 private:
  OtlpReceiver* const receiver_;
};

// Parses serialized bytes into a request on its own arena, sized from `size_hint`.
std::shared_ptr<ExportTraceServiceRequest> NewArenaRequest(size_t size_hint);

}  // namespace llmtap::collector::otlp

#endif  // LLMTAP_COLLECTOR_OTLP_TRACE_SERVICE_H_
