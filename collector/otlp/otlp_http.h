// OTLP/HTTP traces: POST /v1/traces on the collector's HTTP port, with a protobuf
// (application/x-protobuf) or JSON (application/json, OTLP's JSON mapping: hex trace and span
// ids, lowerCamelCase names) body, gzip-compressed or not. The answer, in the request's
// encoding, comes after the commit: 200 with an ExportTraceServiceResponse (partial_success
// when spans were rejected), or a google.rpc.Status with 400 (malformed), 401, 403, 415
// (another content type), 429 or 503 (retry later).
#ifndef LLMTAP_COLLECTOR_OTLP_OTLP_HTTP_H_
#define LLMTAP_COLLECTOR_OTLP_OTLP_HTTP_H_

#include <string_view>

#include "absl/status/status.h"
#include "collector/otlp/otlp_receiver.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace llmtap::collector::otlp {

// Blocks the calling (HTTP worker) thread until the export is committed or refused.
void ServeOtlpHttpTraces(OtlpReceiver* receiver, const httplib::Request& req,
                         httplib::Response& res);

// OTLP JSON to the request message: ids from hex. INVALID_ARGUMENT naming what is wrong.
absl::Status ParseOtlpJson(std::string_view body, ExportTraceServiceRequest* out);

}  // namespace llmtap::collector::otlp

#endif  // LLMTAP_COLLECTOR_OTLP_OTLP_HTTP_H_
