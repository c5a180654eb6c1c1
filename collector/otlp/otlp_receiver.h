// OtlpReceiver: OTLP trace export requests in, Samples out. Maps every span (span_mapping.h),
// ignores (and counts) spans that are not LLM calls, validates each sample as the SDK's ingest
// does, and commits the valid ones through IngestEntry. The answer comes only after the commit:
// an ExportTraceServiceResponse whose partial_success gives the spans rejected and why.
// A span sent again maps to the same sample id, so a retried export is stored once.
//
// The transports are thin: TraceService (gRPC, trace_service.h) and the HTTP handler
// (otlp_http.h) parse the request and call Export.
//
// Thread safety: Export may be called from any thread.
#ifndef LLMTAP_COLLECTOR_OTLP_OTLP_RECEIVER_H_
#define LLMTAP_COLLECTOR_OTLP_OTLP_RECEIVER_H_

#include <functional>
#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "collector/common/metrics.h"
#include "collector/otlp/ingest_entry.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace llmtap::collector::otlp {

using ExportTraceServiceRequest =
    ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using ExportTraceServiceResponse =
    ::opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;

class OtlpReceiver {
 public:
  // Called once: OK with the response, or the error of the whole request (the commit failed:
  // UNAVAILABLE, RESOURCE_EXHAUSTED; or UNAUTHENTICATED, PERMISSION_DENIED from the gate).
  using Done = std::function<void(const absl::Status&, const ExportTraceServiceResponse&)>;

  // `entry` and `metrics` must outlive the receiver.
  OtlpReceiver(const IngestEntry* entry, Metrics* metrics);

  // Consumes `request` (its strings are moved into the samples). If the request lives on an
  // arena, the samples are built on the same arena.
  void Export(std::string_view authorization, std::shared_ptr<ExportTraceServiceRequest> request,
              Done done);

 private:
  const IngestEntry* const entry_;
  Counter* const requests_;
  Counter* const spans_mapped_;
  Counter* const spans_ignored_;
  Counter* const spans_rejected_;
};

}  // namespace llmtap::collector::otlp

#endif  // LLMTAP_COLLECTOR_OTLP_OTLP_RECEIVER_H_
