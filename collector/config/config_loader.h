// Loads the collector's configuration (llmtap.v1.CollectorConfig) from a textproto or JSON file.
#ifndef LLMTAP_COLLECTOR_CONFIG_CONFIG_LOADER_H_
#define LLMTAP_COLLECTOR_CONFIG_CONFIG_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "llmtap/v1/config.pb.h"

namespace llmtap::collector {

// `path` ending in .json is read as JSON (protobuf's JSON mapping, unknown fields refused);
// anything else as textproto. An empty path gives the defaults. Errors name the file, and the
// line and column where the parser gives them. Strings must be UTF-8 in both formats (an
// error names the first field that is not).
absl::StatusOr<v1::CollectorConfig> LoadConfig(const std::string& path);

// Parses config text; `json` selects the format. `source` names it in errors.
absl::StatusOr<v1::CollectorConfig> ParseConfig(const std::string& text, bool json,
                                                const std::string& source);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_CONFIG_CONFIG_LOADER_H_
