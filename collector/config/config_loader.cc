#include "collector/config/config_loader.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "collector/common/strings.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"

namespace llmtap::collector {
namespace {

// Collects the text-format parser's errors instead of logging them.
class ErrorCollector final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first_.empty()) first_ = Cat("line ", line + 1, ", column ", column + 1, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

}  // namespace

absl::StatusOr<v1::CollectorConfig> ParseConfig(const std::string& text, bool json,
                                                const std::string& source) {
  v1::CollectorConfig config;
  if (json) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto s = google::protobuf::util::JsonStringToMessage(text, &config, options);
    if (!s.ok()) return absl::InvalidArgumentError(Cat(source, ": ", s.message().as_string()));
    return config;
  }
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &config)) {
    return absl::InvalidArgumentError(Cat(source, ": ", errors.first()));
  }
  return config;
}

absl::StatusOr<v1::CollectorConfig> LoadConfig(const std::string& path) {
  if (path.empty()) return v1::CollectorConfig();
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(Cat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), absl::EndsWith(path, ".json"), path);
}

}  // namespace llmtap::collector
