#include "collector/otlp/otlp_http.h"

#include <httplib.h>

#include "absl/strings/escaping.h"
#include "absl/synchronization/notification.h"
#include "collector/auth/authenticator.h"
#include "collector/common/strings.h"
#include "collector/otlp/trace_service.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector::otlp {
namespace {

using Json = nlohmann::json;

int HttpStatus(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnavailable: return 503;
    default: return 500;
  }
}

// google.rpc.Status {int32 code = 1; string message = 2;}, encoded by hand: the one message
// of that file we need.
std::string StatusProto(const absl::Status& s) {
  std::string out;
  auto varint = [&out](uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  };
  out.push_back(0x08);
  varint(static_cast<uint64_t>(s.code()));
  out.push_back(0x12);
  varint(s.message().size());
  out.append(s.message().data(), s.message().size());
  return out;
}

void SendError(httplib::Response& res, const absl::Status& s, bool json) {
  res.status = HttpStatus(s.code());
  if (s.code() == absl::StatusCode::kUnavailable || s.code() == absl::StatusCode::kResourceExhausted) {
    const absl::Duration wait = Authenticator::RetryAfter(s).value_or(absl::Seconds(1));
    res.set_header("Retry-After", std::to_string(std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(wait, absl::Seconds(1))))));
  }
  if (json) {
    res.set_content(Json{{"code", static_cast<int>(s.code())}, {"message", std::string(s.message())}}.dump(),
                    "application/json");
  } else {
    res.set_content(StatusProto(s), "application/x-protobuf");
  }
}

absl::Status HexToBase64(Json& obj, const char* key, size_t bytes, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end()) return absl::OkStatus();
  if (!it->is_string()) return absl::InvalidArgumentError(Cat(where, ".", key, ": want a hex string"));
  const std::string& hex = it->get_ref<const std::string&>();
  if (hex.empty()) return absl::OkStatus();
  bool ok = hex.size() == 2 * bytes;
  for (char c : hex) ok = ok && std::isxdigit(static_cast<unsigned char>(c));
  if (!ok) {
    return absl::InvalidArgumentError(Cat(where, ".", key, ": want ", 2 * bytes, " hex digits"));
  }
  *it = absl::Base64Escape(absl::HexStringToBytes(hex));
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseOtlpJson(std::string_view body, ExportTraceServiceRequest* out) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return absl::InvalidArgumentError("body: not a JSON object");
  if (auto rs = j.find("resourceSpans"); rs != j.end() && rs->is_array()) {
    for (size_t r = 0; r < rs->size(); ++r) {
      auto& scopes = (*rs)[r]["scopeSpans"];
      if (!scopes.is_array()) continue;
      for (size_t s = 0; s < scopes.size(); ++s) {
        auto& spans = scopes[s]["spans"];
        if (!spans.is_array()) continue;
        for (size_t i = 0; i < spans.size(); ++i) {
          Json& span = spans[i];
          if (!span.is_object()) continue;
          const std::string at = Cat("resourceSpans[", r, "].scopeSpans[", s, "].spans[", i, "]");
          absl::Status st;
          if (!(st = HexToBase64(span, "traceId", 16, at)).ok() ||
              !(st = HexToBase64(span, "spanId", 8, at)).ok() ||
              !(st = HexToBase64(span, "parentSpanId", 8, at)).ok()) {
            return st;
          }
          if (auto links = span.find("links"); links != span.end() && links->is_array()) {
            for (size_t l = 0; l < links->size(); ++l) {
              const std::string lat = Cat(at, ".links[", l, "]");
              if (!(st = HexToBase64((*links)[l], "traceId", 16, lat)).ok() ||
                  !(st = HexToBase64((*links)[l], "spanId", 8, lat)).ok()) {
                return st;
              }
            }
          }
        }
      }
    }
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto s = google::protobuf::util::JsonStringToMessage(j.dump(), out, options);
  if (!s.ok()) return absl::InvalidArgumentError(Cat("body: ", s.message().as_string()));
  return absl::OkStatus();
}

void ServeOtlpHttpTraces(OtlpReceiver* receiver, const httplib::Request& req,
                         httplib::Response& res) {
  const std::string type = req.get_header_value("Content-Type");
  const bool json = type.rfind("application/json", 0) == 0;
  const bool proto = type.rfind("application/x-protobuf", 0) == 0 ||
                     type.rfind("application/protobuf", 0) == 0;
  if (!json && !proto) {
    res.status = 415;
    res.set_content(Cat("Content-Type '", type, "': want application/x-protobuf or application/json\n"),
                    "text/plain");
    return;
  }
  auto request = NewArenaRequest(req.body.size());
  if (proto) {
    if (!request->ParseFromArray(req.body.data(), static_cast<int>(req.body.size()))) {
      return SendError(res, absl::InvalidArgumentError("malformed ExportTraceServiceRequest"), json);
    }
  } else if (absl::Status s = ParseOtlpJson(req.body, request.get()); !s.ok()) {
    return SendError(res, s, json);
  }

  absl::Notification committed;
  absl::Status status;
  ExportTraceServiceResponse response;
  receiver->Export(req.get_header_value("Authorization"), std::move(request),
                   [&](const absl::Status& s, const ExportTraceServiceResponse& r) {
                     status = s;
                     response = r;
                     committed.Notify();
                   });
  committed.WaitForNotification();
  if (!status.ok()) return SendError(res, status, json);
  if (json) {
    std::string out;
    (void)google::protobuf::util::MessageToJsonString(response, &out);
    res.set_content(out, "application/json");
  } else {
    res.set_content(response.SerializeAsString(), "application/x-protobuf");
  }
}

}  // namespace llmtap::collector::otlp
