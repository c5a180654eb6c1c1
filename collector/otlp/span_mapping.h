// SpanMapping: turns an OTLP span that describes an LLM call into a v1::Sample.
//
// The mapping is one table, kMappingRows: each row names a span attribute (or a span field),
// the convention it comes from, and the Sample field it fills. Where several rows fill the
// same field, the earlier row wins (so current GenAI attributes beat deprecated ones, and
// message lists beat raw values). The README's table is printed from the same rows
// (MappingMarkdown, `llmtap-otlp-mapping`), and span_mapping_test.cc checks both.
//
//   const Resource& r = ...; const Span& span = ...;
//   v1::Sample sample;
//   switch (MapSpan(r, scope, span, &sample)) { case SpanKind::kLlm: ...; }
//
// A span is an LLM call when gen_ai.operation.name is chat, text_completion or
// generate_content; or openinference.span.kind is LLM; or, without either of those, it carries
// a GenAI model or prompt attribute (older instrumentations). Anything else is ignored.
//
// Thread safety: the functions are pure; the table is immutable.
#ifndef LLMTAP_COLLECTOR_OTLP_SPAN_MAPPING_H_
#define LLMTAP_COLLECTOR_OTLP_SPAN_MAPPING_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "llmtap/v1/sample.pb.h"
#include "opentelemetry/proto/trace/v1/trace.pb.h"

namespace llmtap::collector::otlp {

namespace otel = ::opentelemetry::proto;

// The Sample field (or role) a row fills.
enum class Target {
  kOperation,      // Decides whether the span is an LLM call; kept in metadata.
  kSpanKind,       // OpenInference's span kind; LLM makes the span an LLM call.
  kProvider,       // metadata["gen_ai.provider.name"]
  kModel,          // model
  kRequestModel,   // model, when no response model is given
  kInputTokens,    // input_tokens
  kOutputTokens,   // output_tokens
  kSystem,         // prompt: put first, as a "system" message
  kPrompt,         // prompt
  kResponse,       // response
  kSession,        // session_id
  kMetadataJson,   // metadata: each entry of a JSON object
  kMetadataCopy,   // metadata[<attribute key>]
  kVariant,        // variant
  kPromptVersion,  // prompt_version
  kPairId,         // pair_id
  kReference,      // reference
  kErrorText,      // error, when the span's status is ERROR and has no message
};

// How a row's value is read.
enum class Decode {
  kString,        // The string as it is.
  kInt,           // An integer (or a string holding one).
  kMessages,      // A JSON list of messages (GenAI parts, or {role, content}); plain text as is.
  kParts,         // A JSON list of GenAI parts (gen_ai.system_instructions).
  kIndexed,       // One of many "<prefix>.{i}.<suffix>" attributes, ordered by i.
  kIndexedRole,   // The role of an indexed message.
  kJsonObject,    // A JSON object of string (or scalar) values.
};

struct MappingRow {
  std::string_view key;         // Attribute key; "{i}" stands for a message index.
  std::string_view convention;  // "GenAI", "GenAI (deprecated)", "OpenInference", ...
  Target target;
  Decode decode;
  std::string_view note;        // What the README says about it.
};

// Every row, in precedence order (earlier wins for the same target).
std::span<const MappingRow> MappingRows();

// The mapping as a Markdown table, including the span fields that are not attributes (ids,
// times, status, resource service.name). The README prints exactly this.
std::string MappingMarkdown();

enum class SpanKind { kLlm, kNotLlm };

// Fills *sample from the span if it is an LLM call (leaving it untouched otherwise).
// Consumes the span's attribute strings (moves them out) to avoid copies; `span` may be
// left modified. The sample id is SampleIdFor(trace_id, span_id, start). Returns an error
// (INVALID_ARGUMENT naming the span field) for an LLM span that cannot be a sample: bad ids,
// no start time. Validation of the sample's limits is left to the ingest validator.
absl::StatusOr<SpanKind> MapSpan(const otel::resource::v1::Resource& resource,
                                 const otel::common::v1::InstrumentationScope& scope,
                                 otel::trace::v1::Span* span, v1::Sample* sample);

// The sample id of a span: 48 bits of the span's start in Unix milliseconds (so ids stay in
// time order like the SDK's), then 80 bits of a fixed hash of trace id and span id. The same
// span sent again gets the same id, so it is stored once. `trace_id` is 16 bytes, `span_id` 8.
std::string SampleIdFor(std::string_view trace_id, std::string_view span_id,
                        uint64_t start_time_unix_nano);

// Renders a JSON message list as prompt or response text: a single message gives its text
// alone; several give one "role: text" line each. Text that is not a JSON list is kept as is.
std::string RenderMessages(std::string_view json_or_text);

}  // namespace llmtap::collector::otlp

#endif  // LLMTAP_COLLECTOR_OTLP_SPAN_MAPPING_H_
