#include "collector/ingest/validator.h"

#include <cmath>

#include "collector/common/strings.h"
#include "collector/ingest/lenient.pb.h"
#include "collector/store/keys.h"
#include "google/protobuf/stubs/common.h"

namespace llmtap::collector {
namespace {

bool Utf8(std::string_view s) {
  return google::protobuf::internal::IsStructurallyValidUTF8(s.data(), static_cast<int>(s.size()));
}

absl::Status Bad(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(Cat(field, ": ", why));
}

// A field of samples[index] (index < 0: a field of the request), named only when it is bad:
// validation runs for every sample, and building names up front would cost more than checking.
struct Field {
  int index;
  std::string_view name;
  std::string_view key = {};  // For metadata values: the entry's key.
};

absl::Status Bad(const Field& f, std::string_view why) {
  std::string name = f.index < 0 ? std::string(f.name) : Cat("samples[", f.index, "].", f.name);
  if (!f.key.empty()) name = Cat(name, "[", f.key, "]");
  return Bad(name, why);
}

absl::Status CheckSize(const Field& f, std::string_view value, size_t limit) {
  if (value.size() <= limit) return absl::OkStatus();
  return Bad(f, Cat(value.size(), " bytes, limit ", limit));
}

// Names go into keys, where '\0' separates them.
absl::Status CheckName(const Field& f, std::string_view value) {
  if (absl::Status s = CheckSize(f, value, v1::LIMIT_NAME_BYTES); !s.ok()) return s;
  if (value.find('\0') != std::string_view::npos) return Bad(f, "contains NUL");
  return absl::OkStatus();
}

absl::Status CheckNumber(const Field& f, double v) {
  if (!std::isfinite(v) || v < 0) return Bad(f, Cat("must be finite and >= 0, got ", v));
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateSample(const v1::Sample& s, int i) {
  auto f = [i](std::string_view name) { return Field{i, name}; };
  if (s.id().empty()) return Bad(f("id"), "required");
  char id16[16];
  if (!keys::DecodeIdTo(s.id(), id16)) return Bad(f("id"), "want 32 lowercase hex characters");
  if (s.app().empty()) return Bad(f("app"), "required");
  if (s.start_time_unix_nano() <= 0) return Bad(f("start_time_unix_nano"), "required, > 0");
  absl::Status st;
  if (!(st = CheckName(f("app"), s.app())).ok() ||
      !(st = CheckName(f("session_id"), s.session_id())).ok() ||
      !(st = CheckName(f("model"), s.model())).ok() ||
      !(st = CheckName(f("prompt_version"), s.prompt_version())).ok() ||
      !(st = CheckName(f("variant"), s.variant())).ok() ||
      !(st = CheckName(f("pair_id"), s.pair_id())).ok() ||
      !(st = CheckSize(f("prompt"), s.prompt(), v1::LIMIT_TEXT_BYTES)).ok() ||
      !(st = CheckSize(f("response"), s.response(), v1::LIMIT_TEXT_BYTES)).ok() ||
      !(st = CheckSize(f("reference"), s.reference(), v1::LIMIT_TEXT_BYTES)).ok() ||
      !(st = CheckSize(f("error"), s.error(), v1::LIMIT_ERROR_BYTES)).ok() ||
      !(st = CheckNumber(f("latency_ms"), s.latency_ms())).ok() ||
      !(st = CheckNumber(f("time_to_first_token_ms"), s.time_to_first_token_ms())).ok() ||
      !(st = CheckNumber(f("input_tokens"), static_cast<double>(s.input_tokens()))).ok() ||
      !(st = CheckNumber(f("output_tokens"), static_cast<double>(s.output_tokens()))).ok() ||
      !(st = CheckNumber(f("cost_usd"), s.cost_usd())).ok()) {
    return st;
  }
  if (!v1::CallStatus_IsValid(s.status())) return Bad(f("status"), "unknown value");
  if (s.contexts_size() > v1::LIMIT_CONTEXTS) {
    return Bad(f("contexts"), Cat(s.contexts_size(), " entries, limit ", v1::LIMIT_CONTEXTS));
  }
  size_t context_bytes = 0;
  for (const auto& c : s.contexts()) context_bytes += c.size();
  if (context_bytes > v1::LIMIT_CONTEXTS_TOTAL_BYTES) {
    return Bad(f("contexts"),
               Cat(context_bytes, " bytes in all, limit ", v1::LIMIT_CONTEXTS_TOTAL_BYTES));
  }
  if (s.metadata_size() > v1::LIMIT_METADATA_ENTRIES) {
    return Bad(f("metadata"),
               Cat(s.metadata_size(), " entries, limit ", v1::LIMIT_METADATA_ENTRIES));
  }
  for (const auto& [k, v] : s.metadata()) {
    if (k.empty()) return Bad(f("metadata"), "empty key");
    if (!(st = CheckName(f("metadata key"), k)).ok() ||
        !(st = CheckSize(Field{i, "metadata", k}, v, v1::LIMIT_METADATA_BYTES)).ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateIngestRequest(const v1::IngestRequest& request) {
  if (request.samples_size() > v1::LIMIT_BATCH_SAMPLES) {
    return Bad("samples",
               Cat(request.samples_size(), " samples, limit ", v1::LIMIT_BATCH_SAMPLES));
  }
  for (int i = 0; i < request.samples_size(); ++i) {
    absl::Status s = ValidateSample(request.samples(i), i);
    if (!s.ok()) return s;
  }
  if (request.has_client_stats()) {
    if (absl::Status s =
            CheckName(Field{-1, "client_stats.client_id"}, request.client_stats().client_id());
        !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckName(Field{-1, "client_stats.app"}, request.client_stats().app());
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status DiagnoseUnparseable(std::string_view bytes, uint64_t* batch_id) {
  lenient::IngestRequest r;
  if (!r.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("malformed IngestRequest: not a valid protobuf message");
  }
  *batch_id = r.batch_id();
  for (int i = 0; i < r.samples_size(); ++i) {
    const lenient::Sample& s = r.samples(i);
    const std::string at = Cat("samples[", i, "].");
    const std::pair<const char*, const std::string*> fields[] = {
        {"id", &s.id()},           {"app", &s.app()},         {"session_id", &s.session_id()},
        {"model", &s.model()},     {"prompt_version", &s.prompt_version()},
        {"variant", &s.variant()}, {"pair_id", &s.pair_id()}, {"prompt", &s.prompt()},
        {"response", &s.response()}, {"reference", &s.reference()}, {"error", &s.error()}};
    for (const auto& [name, value] : fields) {
      if (!Utf8(*value)) return Bad(Cat(at, name), "invalid UTF-8");
    }
    for (int c = 0; c < s.contexts_size(); ++c) {
      if (!Utf8(s.contexts(c))) return Bad(Cat(at, "contexts[", c, "]"), "invalid UTF-8");
    }
    for (const auto& e : s.metadata()) {
      if (!Utf8(e.key())) return Bad(Cat(at, "metadata key"), "invalid UTF-8");
      if (!Utf8(e.value())) return Bad(Cat(at, "metadata value"), "invalid UTF-8");
    }
  }
  if (!Utf8(r.client_stats().client_id()) || !Utf8(r.client_stats().app())) {
    return Bad("client_stats", "invalid UTF-8");
  }
  return absl::InvalidArgumentError("malformed IngestRequest");
}

}  // namespace llmtap::collector
