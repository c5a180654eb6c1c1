// Converts the SDK's plain Sample to the wire message, redacting and trimming on the way.
#ifndef LLMTAP_SDK_SRC_SAMPLE_CONVERT_H_
#define LLMTAP_SDK_SRC_SAMPLE_CONVERT_H_

#include "llmtap/sample.h"
#include "llmtap/v1/sample.pb.h"
#include "redactor.h"

namespace llmtap::internal {

// Moves `in` into `out`. Every text field is run through `redactor` (when not null), then made
// valid UTF-8 within the limits of v1::Limits, so that the collector never rejects a sample
// this SDK built. A trimmed sample gets metadata "llmtap.trimmed" = "true".
void MoveToProto(Sample&& in, const Redactor* redactor, v1::Sample* out);

// Approximate bytes a sample holds, for the memory budget.
size_t ApproximateBytes(const Sample& s);

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_SAMPLE_CONVERT_H_
