#include "collector/http/http_server.h"

#include <httplib.h>

#include <functional>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "collector/http/assets.h"
#include "collector/auth/authenticator.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector {
namespace {

namespace pbutil = google::protobuf::util;

// HTTP status for a gRPC/absl code, as in Google's HTTP mapping.
int HttpStatus(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

void SendError(httplib::Response& res, const absl::Status& s) {
  res.status = HttpStatus(s.code());
  if (auto after = Authenticator::RetryAfter(s)) {
    const int64_t ms = absl::ToInt64Milliseconds(*after);
    res.set_header("Retry-After", std::to_string((ms + 999) / 1000));
    res.set_header("Retry-After-Ms", std::to_string(ms));
  }
  if (s.code() == absl::StatusCode::kUnauthenticated) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"llmtap\"");
  }
  nlohmann::json body = {{"code", static_cast<int>(s.code())},
                         {"message", std::string(s.message())}};
  res.set_content(body.dump(), "application/json");
}

template <typename Resp>
void SendResult(httplib::Response& res, const absl::StatusOr<Resp>& result) {
  if (!result.ok()) return SendError(res, result.status());
  std::string json;
  pbutil::JsonPrintOptions o;
  o.always_print_primitive_fields = false;
  (void)pbutil::MessageToJsonString(*result, &json, o);
  res.set_content(json, "application/json");
}

// The request's "Authorization" header, "" when absent.
std::string AuthorizationOf(const httplib::Request& req) {
  return req.get_header_value("Authorization");
}

// POST /api/v1/<Method>: parse the body as Req, call the handler with the caller's
// authorization, answer Resp.
template <typename Req, typename Resp>
std::function<void(const httplib::Request&, httplib::Response&)> JsonRpc(
    std::function<absl::StatusOr<Resp>(std::string_view, const Req&)> call) {
  return [call](const httplib::Request& req, httplib::Response& res) {
    Req request;
    if (!req.body.empty()) {
      pbutil::JsonParseOptions o;
      auto s = pbutil::JsonStringToMessage(req.body, &request, o);
      if (!s.ok()) {
        return SendError(res, absl::InvalidArgumentError(Cat("request body: ", s.message().as_string())));
      }
    }
    SendResult(res, call(AuthorizationOf(req), request));
  };
}

}  // namespace

HttpServer::HttpServer(const QueryHandlers* queries, const AdminHandlers* admin,
                       const Metrics* metrics, const v1::TlsConfig& tls)
    : queries_(queries), admin_(admin), metrics_(metrics) {
  if (tls.cert_file().empty()) {
    server_ = std::make_unique<httplib::Server>();
  } else {
    certificates_ = std::make_unique<HttpsCertificates>(tls);
    server_ = std::make_unique<httplib::SSLServer>(
        [this](SSL_CTX& ctx) { return certificates_->Setup(ctx); });
  }
  Routes();
}

HttpServer::~HttpServer() { Stop(); }

// POST /api/v1/<name> for handler method `method` of `object`.
#define LLMTAP_JSON_RPC(object, name, Req, Resp)                                              \
  s.Post("/api/v1/" #name,                                                                    \
         JsonRpc<v1::Req, v1::Resp>([this](std::string_view a, const v1::Req& r) {           \
           return object->name(a, r);                                                         \
         }))

void HttpServer::Routes() {
  httplib::Server& s = *server_;
  // Every /api/v1/ answer says how long the collector took, as a Server-Timing header that
  // the browser shows beside its own timing (tests/bench/dashboard_timing.mjs reads it). A
  // request is handled on one worker thread from routing to response.
  static thread_local absl::Time request_start;
  s.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    request_start = absl::Now();
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/api/v1/", 0) != 0 || req.path == "/api/v1/tail") return;
    res.set_header("Server-Timing",
                   Cat("app;dur=", absl::ToDoubleMilliseconds(absl::Now() - request_start)));
  });
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_->Render(), "text/plain; version=0.0.4");
  });
  // Every unary QueryService and AdminService call, in protobuf's JSON mapping.
  LLMTAP_JSON_RPC(queries_, GetSample, GetSampleRequest, GetSampleResponse);
  LLMTAP_JSON_RPC(queries_, ListSamples, ListSamplesRequest, ListSamplesResponse);
  LLMTAP_JSON_RPC(queries_, Stats, StatsRequest, StatsResponse);
  LLMTAP_JSON_RPC(queries_, Trend, TrendRequest, TrendResponse);
  LLMTAP_JSON_RPC(queries_, Compare, CompareRequest, CompareResponse);
  LLMTAP_JSON_RPC(queries_, Completeness, CompletenessRequest, CompletenessResponse);
  LLMTAP_JSON_RPC(queries_, Agreement, AgreementRequest, AgreementResponse);
  LLMTAP_JSON_RPC(queries_, ListRubrics, ListRubricsRequest, ListRubricsResponse);
  LLMTAP_JSON_RPC(queries_, UpsertRubric, UpsertRubricRequest, Rubric);
  LLMTAP_JSON_RPC(queries_, SetRubricEnabled, SetRubricEnabledRequest, Rubric);
  LLMTAP_JSON_RPC(queries_, ListAlertRules, ListAlertRulesRequest, ListAlertRulesResponse);
  LLMTAP_JSON_RPC(queries_, UpsertAlertRule, UpsertAlertRuleRequest, AlertRule);
  LLMTAP_JSON_RPC(queries_, DeleteAlertRule, DeleteAlertRuleRequest, DeleteAlertRuleResponse);
  LLMTAP_JSON_RPC(queries_, ListAlerts, ListAlertsRequest, ListAlertsResponse);
  LLMTAP_JSON_RPC(admin_, CreateKey, CreateKeyRequest, CreateKeyResponse);
  LLMTAP_JSON_RPC(admin_, ListKeys, ListKeysRequest, ListKeysResponse);
  LLMTAP_JSON_RPC(admin_, RevokeKey, RevokeKeyRequest, ApiKey);
  LLMTAP_JSON_RPC(admin_, ListAudit, ListAuditRequest, ListAuditResponse);
  s.Get(R"(/api/v1/samples/([0-9a-f]+))", [this](const httplib::Request& req,
                                                httplib::Response& res) {
    v1::GetSampleRequest r;
    r.set_id(req.matches[1]);
    SendResult(res, queries_->GetSample(AuthorizationOf(req), r));
  });
  s.Get("/api/v1/samples", [this](const httplib::Request& req, httplib::Response& res) {
    v1::ListSamplesRequest r;
    auto* f = r.mutable_filter();
    f->set_app(req.get_param_value("app"));
    f->set_model(req.get_param_value("model"));
    f->set_variant(req.get_param_value("variant"));
    f->set_session_id(req.get_param_value("session_id"));
    r.set_page_token(req.get_param_value("page_token"));
    r.set_with_scores(req.get_param_value("with_scores") == "true");
    if (req.has_param("page_size")) {
      uint32_t n;
      if (!absl::SimpleAtoi(req.get_param_value("page_size"), &n)) {
        return SendError(res, absl::InvalidArgumentError("page_size: not a number"));
      }
      r.set_page_size(n);
    }
    SendResult(res, queries_->ListSamples(AuthorizationOf(req), r));
  });
  s.Get("/api/v1/tail", [this](const httplib::Request& req, httplib::Response& res) {
    if (tail_ == nullptr) return SendError(res, absl::UnimplementedError("tail: not served"));
    absl::StatusOr<v1::Filter> parsed = TailStream::FilterOf(req);
    if (!parsed.ok()) return SendError(res, parsed.status());
    // A browser's EventSource cannot set headers: the key may come as ?access_token= instead
    // (RFC 6750, 2.3).
    std::string authorization = AuthorizationOf(req);
    if (authorization.empty() && req.has_param("access_token")) {
      authorization = "Bearer " + req.get_param_value("access_token");
    }
    v1::TailRequest tail_request;
    *tail_request.mutable_filter() = *parsed;
    absl::StatusOr<v1::Filter> filter = queries_->AdmitTail(authorization, tail_request);
    if (!filter.ok()) return SendError(res, filter.status());
    if (absl::Status s = tail_->Handle(*filter, res); !s.ok()) SendError(res, s);
  });
  s.Get(R"(/(.*))", [](const httplib::Request& req, httplib::Response& res) {
    std::string path = req.path == "/" ? "/index.html" : req.path;
    const Asset* a = FindAsset(path);
    if (a == nullptr) {
      res.status = 404;
      res.set_content("not found\n", "text/plain");
      return;
    }
    res.set_content(a->body.data(), a->body.size(), std::string(a->content_type).c_str());
  });
}

void HttpServer::AddPost(const std::string& path, Handler handler) {
  server_->Post(path, std::move(handler));
}

absl::Status HttpServer::Start(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(Cat("http_addr '", address, "': want host:port"));
  }
  const std::string host = address.substr(0, colon);
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else {
    port_ = server_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ <= 0) return absl::UnavailableError(Cat("cannot listen on ", address));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void HttpServer::Stop() {
  if (tail_) tail_->Stop();  // Open streams end, so that the worker threads can be joined.
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace llmtap::collector
