// Fuzz target: the collector's config loader. The first byte picks the format (even:
// textproto, odd: JSON), the rest is the file's text. A config that parses must print and
// parse back to the same message in both formats.
#include <cstdint>
#include <string>

#include "collector/common/strings.h"
#include "collector/config/config_loader.h"
#include "fuzz_support.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using llmtap::collector::Cat;
  using llmtap::collector::ParseConfig;
  namespace fuzz = llmtap::fuzz;
  // protobuf logs each invalid UTF-8 string it prints; quiet, it fuzzes faster.
  static const bool quiet = (google::protobuf::SetLogHandler(
                                 [](google::protobuf::LogLevel, const char*, int,
                                    const std::string&) {}),
                             true);
  (void)quiet;
  if (size == 0) return 0;
  const bool json = data[0] & 1;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto config = ParseConfig(text, json, "fuzz");
  if (!config.ok()) {
    if (config.status().code() != absl::StatusCode::kInvalidArgument) {
      fuzz::Fail(Cat("ParseConfig: want INVALID_ARGUMENT, got ", config.status().ToString()));
    }
    return 0;
  }
  std::string textproto;
  if (!google::protobuf::TextFormat::PrintToString(*config, &textproto)) fuzz::Fail("print");
  auto again = ParseConfig(textproto, false, "printed");
  if (!again.ok()) fuzz::Fail(Cat("printed textproto does not parse: ", again.status().ToString()));
  std::string json_text;
  if (google::protobuf::util::MessageToJsonString(*config, &json_text).ok()) {
    auto from_json = ParseConfig(json_text, true, "printed");
    if (!from_json.ok()) {
      fuzz::Fail(Cat("printed JSON does not parse: ", from_json.status().ToString()));
    }
  }
  return 0;
}
