#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "llmtap/options.h"

namespace llmtap {
namespace {

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

Status Bad(const char* name, const char* value, const char* want) {
  return Status(StatusCode::kInvalidArgument,
                std::string(name) + "='" + value + "': expected " + want);
}

template <typename T>
Status ReadNumber(const char* name, T* out, const char* want) {
  const char* v = Env(name);
  if (v == nullptr) return Status::Ok();
  if constexpr (std::is_floating_point_v<T>) {
    double d;
    if (!absl::SimpleAtod(v, &d)) return Bad(name, v, want);
    *out = d;
  } else {
    uint64_t n;
    if (!absl::SimpleAtoi(v, &n)) return Bad(name, v, want);
    *out = static_cast<T>(n);
  }
  return Status::Ok();
}

}  // namespace

Status ClientOptions::FromEnv(ClientOptions* o) {
  if (const char* v = Env("LLMTAP_COLLECTOR")) o->collector_address = v;
  if (const char* v = Env("LLMTAP_APP")) o->app = v;
  if (const char* v = Env("LLMTAP_API_KEY")) o->api_key = v;
  if (const char* v = Env("LLMTAP_TLS")) o->tls = std::string(v) == "1" || std::string(v) == "true";
  if (const char* v = Env("LLMTAP_CA_FILE")) o->tls_ca_file = v;
  if (const char* v = Env("LLMTAP_SERVER_NAME")) o->tls_server_name = v;
  if (const char* v = Env("LLMTAP_CLIENT_CERT")) o->tls_cert_file = v;
  if (const char* v = Env("LLMTAP_CLIENT_KEY")) o->tls_key_file = v;
  size_t linger_ms = o->linger.count();
  Status s;
  if (!(s = ReadNumber("LLMTAP_BUFFER_BYTES", &o->max_buffer_bytes, "a byte count")).ok() ||
      !(s = ReadNumber("LLMTAP_BATCH_SAMPLES", &o->max_batch_samples, "a count")).ok() ||
      !(s = ReadNumber("LLMTAP_BATCH_BYTES", &o->max_batch_bytes, "a byte count")).ok() ||
      !(s = ReadNumber("LLMTAP_LINGER_MS", &linger_ms, "milliseconds")).ok() ||
      !(s = ReadNumber("LLMTAP_SAMPLE_RATE", &o->sample_rate, "a number in [0, 1]")).ok()) {
    return s;
  }
  o->linger = std::chrono::milliseconds(linger_ms);
  if (!(o->sample_rate >= 0 && o->sample_rate <= 1)) {
    return Bad("LLMTAP_SAMPLE_RATE", Env("LLMTAP_SAMPLE_RATE"), "a number in [0, 1]");
  }
  if (const char* v = Env("LLMTAP_REDACT")) {
    for (absl::string_view kind : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
      kind = absl::StripAsciiWhitespace(kind);
      if (kind == "emails") o->redaction.emails = true;
      else if (kind == "phones") o->redaction.phone_numbers = true;
      else if (kind == "cards") o->redaction.card_numbers = true;
      else if (kind == "ips") o->redaction.ip_addresses = true;
      else if (kind == "all") {
        o->redaction.emails = o->redaction.phone_numbers = true;
        o->redaction.card_numbers = o->redaction.ip_addresses = true;
      } else {
        return Bad("LLMTAP_REDACT", v, "a comma-separated list of emails, phones, cards, ips, all");
      }
    }
  }
  if (const char* v = Env("LLMTAP_REDACT_PATTERNS")) {
    for (absl::string_view p : absl::StrSplit(v, '\n', absl::SkipEmpty())) {
      o->redaction.custom_patterns.emplace_back(p);
    }
  }
  return Status::Ok();
}

}  // namespace llmtap
