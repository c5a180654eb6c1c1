// Validation of everything that comes in through IngestService: the one place where the
// limits of proto/llmtap/v1/sample.proto (enum Limits) are enforced.
#ifndef LLMTAP_COLLECTOR_INGEST_VALIDATOR_H_
#define LLMTAP_COLLECTOR_INGEST_VALIDATOR_H_

#include <string_view>

#include "absl/status/status.h"
#include "llmtap/v1/ingest.pb.h"

namespace llmtap::collector {

// OK, or INVALID_ARGUMENT naming the first bad field, e.g.
// "samples[3].prompt: 1048577 bytes, limit 1048576".
absl::Status ValidateIngestRequest(const v1::IngestRequest& request);

// One sample, as ValidateIngestRequest checks it; errors name "samples[<index>].<field>".
// For ways in that accept a batch in part (the OTLP receiver).
absl::Status ValidateSample(const v1::Sample& sample, int index);

// For a request protobuf could not parse: INVALID_ARGUMENT naming the field that holds
// invalid UTF-8, or saying the request is malformed. Sets *batch_id when it can be read.
absl::Status DiagnoseUnparseable(std::string_view bytes, uint64_t* batch_id);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_INGEST_VALIDATOR_H_
