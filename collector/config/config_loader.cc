#include "collector/config/config_loader.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "collector/common/strings.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/stubs/common.h"
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

// The path of the first string field of `m` that is not UTF-8 (e.g. "rubrics[2].name"), or
// "". The text-format parser lets such strings through (JSON and the wire format refuse
// them), and they would end up in names the query API cannot send.
std::string FirstNonUtf8(const google::protobuf::Message& m, const std::string& at) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  auto utf8 = [](const std::string& s) {
    return google::protobuf::internal::IsStructurallyValidUTF8(s.data(), static_cast<int>(s.size()));
  };
  for (const FieldDescriptor* f : fields) {
    const std::string name = at.empty() ? f->name() : Cat(at, ".", f->name());
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      if (!f->is_repeated()) {
        if (!utf8(r->GetString(m, f))) return name;
        continue;
      }
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        if (!utf8(r->GetRepeatedString(m, f, i))) return Cat(name, "[", i, "]");
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (!f->is_repeated()) {
        if (std::string bad = FirstNonUtf8(r->GetMessage(m, f), name); !bad.empty()) return bad;
        continue;
      }
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        std::string bad = FirstNonUtf8(r->GetRepeatedMessage(m, f, i), Cat(name, "[", i, "]"));
        if (!bad.empty()) return bad;
      }
    }
  }
  return "";
}

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
  if (std::string bad = FirstNonUtf8(config, ""); !bad.empty()) {
    return absl::InvalidArgumentError(Cat(source, ": ", bad, ": invalid UTF-8"));
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
