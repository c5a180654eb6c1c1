#include "collector/gateway/gateway.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <deque>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector::gateway {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kMetaPrefix = "x-llmtap-meta-";
// Worker threads of the proxy's HTTP server: a streamed call holds one for its duration.
constexpr size_t kWorkers = 64;

bool IEquals(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(absl::string_view(a.data(), a.size()),
                                absl::string_view(b.data(), b.size()));
}
bool IStartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && IEquals(s.substr(0, prefix.size()), prefix);
}

// Headers that describe one connection, not the call; and our own.
bool SkipRequestHeader(std::string_view name) {
  for (std::string_view h : {"host", "content-length", "connection", "keep-alive",
                             "transfer-encoding", "te", "upgrade", "accept-encoding",
                             "proxy-authorization", "proxy-connection", "expect", "REMOTE_ADDR",
                             "REMOTE_PORT", "LOCAL_ADDR", "LOCAL_PORT"}) {
    if (IEquals(name, h)) return true;
  }
  return IStartsWith(name, "x-llmtap-");
}

bool SkipResponseHeader(std::string_view name) {
  for (std::string_view h : {"content-length", "connection", "keep-alive", "transfer-encoding",
                             "content-encoding", "content-type"}) {
    if (IEquals(name, h)) return true;
  }
  return false;
}

void SendError(httplib::Response& res, int status, std::string_view type, std::string message) {
  res.status = status;
  Json body = {{"error", {{"message", std::move(message)}, {"type", type}, {"code", nullptr}}}};
  res.set_content(body.dump(), "application/json");
}

int64_t NowNanos() { return absl::ToUnixNanos(absl::Now()); }

// The gateway answers uncompressed: the HTTP library would otherwise compress each answer
// (brotli, when the caller accepts it) after the handler, which cost more CPU than the rest of
// the call (scripts/bench_gateway.sh). It decides from the request's Accept-Encoding, so that
// header goes; the request object is the server's own, not const.
void AnswerUncompressed(const httplib::Request& req) {
  const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
}

void CopyResponse(const internal::HttpResponse& up, httplib::Response& res) {
  res.status = up.status;
  for (const auto& [k, v] : up.headers) {
    if (!SkipResponseHeader(k)) res.set_header(k, v);
  }
  const std::string type = up.Header("content-type").value_or("application/json");
  res.set_content(up.body, type);
}

}  // namespace

// A streamed call: the upstream's thread appends pieces, the HTTP worker passes them on.
struct Gateway::Stream {
  absl::Mutex mu;
  std::deque<std::string> pieces ABSL_GUARDED_BY(mu);
  bool finished ABSL_GUARDED_BY(mu) = false;
  absl::StatusOr<internal::HttpResponse> result ABSL_GUARDED_BY(mu) =
      absl::UnknownError("not finished");
  int64_t first_piece_nanos ABSL_GUARDED_BY(mu) = 0;
  std::atomic<bool> cancel{false};
  CallRecord call;  // Owned by the HTTP worker once the stream has started.
  bool recorded = false;
};

Gateway::Gateway(const v1::GatewayConfig& config, const IngestEntry* entry, Metrics* metrics,
                 std::unique_ptr<internal::HttpClient> http)
    : config_(config),
      http_(std::move(http)),
      recorder_(entry, metrics,
                [&config]() -> std::string {
                  if (config.ingest_api_key_env().empty()) return "";
                  const char* key = std::getenv(config.ingest_api_key_env().c_str());
                  return key == nullptr ? "" : Cat("Bearer ", key);
                }(),
                config.has_max_pending_records() ? config.max_pending_records() : 10000),
      calls_(metrics->AddCounter("llmtap_gateway_calls_total", "Calls proxied by the gateway.")),
      upstream_errors_(metrics->AddCounter(
          "llmtap_gateway_upstream_errors_total",
          "Gateway calls the upstream failed (HTTP error status, or not reached).")),
      client_disconnects_(metrics->AddCounter(
          "llmtap_gateway_client_disconnects_total", "Streamed calls the client left early.")),
      ttft_seconds_(metrics->AddHistogram(
          "llmtap_gateway_time_to_first_token_seconds",
          "Time to the first streamed piece of the upstream's answer.",
          {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30})),
      server_(std::make_unique<httplib::Server>()) {
  server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
  server_->set_tcp_nodelay(true);  // Headers and body go in separate writes: no Nagle wait.
  for (const char* endpoint : {"chat/completions", "completions", "embeddings"}) {
    server_->Post(Cat("/v1/", endpoint),
                  [this, e = std::string(endpoint)](const httplib::Request& req,
                                                    httplib::Response& res) {
                    Forward(e, req, res);
                  });
  }
  server_->Get("/v1/models", [this](const httplib::Request& req, httplib::Response& res) {
    Models(req, res);
  });
}

absl::StatusOr<std::unique_ptr<Gateway>> Gateway::Create(
    const v1::GatewayConfig& config, const IngestEntry* entry, Metrics* metrics,
    std::unique_ptr<internal::HttpClient> http) {
  if (config.upstreams().empty()) {
    return absl::InvalidArgumentError("gateway.upstreams: --proxy_addr needs at least one");
  }
  for (int i = 0; i < config.upstreams_size(); ++i) {
    const auto& u = config.upstreams(i);
    if (u.name().empty()) return absl::InvalidArgumentError(Cat("gateway.upstreams[", i, "].name: required"));
    if (u.base_url().rfind("http://", 0) != 0 && u.base_url().rfind("https://", 0) != 0) {
      return absl::InvalidArgumentError(
          Cat("gateway.upstreams[", i, "].base_url: want http:// or https://, got '",
              u.base_url(), "'"));
    }
  }
  return std::unique_ptr<Gateway>(new Gateway(config, entry, metrics, std::move(http)));
}

Gateway::~Gateway() { Stop(); }

absl::Status Gateway::Start(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port)) {
    return absl::InvalidArgumentError(Cat("proxy_addr '", address, "': want host:port"));
  }
  const std::string host = address.substr(0, colon);
  port_ = port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (port_ <= 0) return absl::UnavailableError(Cat("cannot listen on ", address));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void Gateway::Stop() {
  if (stopping_.exchange(true)) return;
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  {
    // Streams see stopping_ and cancel their upstream call; wait for their threads.
    absl::MutexLock lock(&streams_mu_);
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (open_streams_ > 0 && !streams_cv_.WaitWithDeadline(&streams_mu_, deadline)) {
    }
  }
  recorder_.Stop(absl::Seconds(2));
}

const v1::GatewayUpstream* Gateway::Route(const httplib::Request& req,
                                          const std::string& model) const {
  if (req.has_header("x-llmtap-upstream")) {
    const std::string name = req.get_header_value("x-llmtap-upstream");
    for (const auto& u : config_.upstreams()) {
      if (u.name() == name) return &u;
    }
    return nullptr;
  }
  const v1::GatewayUpstream* fallback = nullptr;
  for (const auto& u : config_.upstreams()) {
    if (u.models().empty()) {
      if (fallback == nullptr) fallback = &u;
      continue;
    }
    for (const std::string& m : u.models()) {
      if (!m.empty() && m.back() == '*' ? model.rfind(m.substr(0, m.size() - 1), 0) == 0
                                        : model == m) {
        return &u;
      }
    }
  }
  return fallback;
}

void Gateway::Models(const httplib::Request& req, httplib::Response& res) {
  AnswerUncompressed(req);
  const v1::GatewayUpstream* up = Route(req, "");
  if (up == nullptr) up = &config_.upstreams(0);
  internal::HttpRequest out;
  out.method = "GET";
  out.url = Cat(up->base_url(), "/models");
  for (const auto& [k, v] : req.headers) {
    if (!SkipRequestHeader(k)) out.headers.emplace_back(k, v);
  }
  auto r = http_->Send(out);
  if (!r.ok()) return SendError(res, 502, "upstream_unavailable", Cat("llmtap gateway: upstream '", up->name(), "': ", r.status().message()));
  CopyResponse(*r, res);
}

void Gateway::Forward(const std::string& endpoint, const httplib::Request& req,
                      httplib::Response& res) {
  calls_->Add();
  const int64_t start = NowNanos();
  AnswerUncompressed(req);
  std::string model;
  bool stream = false;
  {
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_object()) {
      if (auto m = body.find("model"); m != body.end() && m->is_string()) model = *m;
      if (auto s = body.find("stream"); s != body.end() && s->is_boolean()) stream = *s;
    }
  }
  const v1::GatewayUpstream* up = Route(req, model);
  if (up == nullptr) {
    return SendError(res, 400, "invalid_request_error",
                     Cat("llmtap gateway: no upstream for model '", model, "'"));
  }

  internal::HttpRequest out;
  out.method = "POST";
  out.url = Cat(up->base_url(), "/", endpoint);
  out.body = req.body;
  out.timeout = std::chrono::milliseconds(up->has_timeout_ms() ? up->timeout_ms() : 600000);
  for (const auto& [k, v] : req.headers) {
    if (!SkipRequestHeader(k)) out.headers.emplace_back(k, v);
  }

  CallRecord call;
  call.endpoint = endpoint;
  call.upstream = up->name();
  call.app = req.has_header("x-llmtap-app") ? req.get_header_value("x-llmtap-app")
                                            : (config_.default_app().empty() ? "gateway"
                                                                             : config_.default_app());
  call.session_id = req.get_header_value("x-llmtap-session");
  call.variant = req.get_header_value("x-llmtap-variant");
  call.prompt_version = req.get_header_value("x-llmtap-prompt-version");
  for (const auto& [k, v] : req.headers) {
    if (IStartsWith(k, kMetaPrefix) && k.size() > kMetaPrefix.size()) {
      std::string key = k.substr(kMetaPrefix.size());
      for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      call.metadata[key] = v;
    }
  }
  call.request_body = req.body;
  call.start_unix_nano = start;
  call.streamed = stream;

  if (!stream) {
    auto r = http_->Send(out);
    call.latency_ms = static_cast<double>(NowNanos() - start) / 1e6;
    if (!r.ok()) {
      upstream_errors_->Add();
      call.error = Cat("upstream '", up->name(), "' not reached: ", r.status().message());
      SendError(res, 502, "upstream_unavailable", Cat("llmtap gateway: ", call.error));
    } else {
      if (r->status >= 400) upstream_errors_->Add();
      call.http_status = r->status;
      CopyResponse(*r, res);
      call.response_body = r->body;
    }
    recorder_.Record(std::move(call));
    return;
  }

  // Streamed: the upstream call runs on its own thread; this worker waits for its first piece
  // (or its end) to know the status, then passes pieces on as they come.
  auto st = std::make_shared<Stream>();
  {
    absl::MutexLock lock(&streams_mu_);
    ++open_streams_;
  }
  out.cancel = &st->cancel;
  out.on_body = [st, this](std::string_view piece) {
    absl::MutexLock lock(&st->mu);
    if (st->first_piece_nanos == 0) st->first_piece_nanos = NowNanos();
    st->pieces.emplace_back(piece);
    return !stopping_.load(std::memory_order_relaxed) && !st->cancel.load();
  };
  std::thread([this, st, out = std::move(out)] {
    auto r = http_->Send(out);
    {
      absl::MutexLock lock(&st->mu);
      st->result = std::move(r);
      st->finished = true;
    }
    absl::MutexLock lock(&streams_mu_);
    if (--open_streams_ == 0) streams_cv_.SignalAll();
  }).detach();

  {
    absl::MutexLock lock(&st->mu);
    auto started = [st]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(st->mu) {
      return !st->pieces.empty() || st->finished;
    };
    st->mu.Await(absl::Condition(&started));
    if (st->pieces.empty()) {  // Not a 2xx stream: an error status, or not reached.
      call.latency_ms = static_cast<double>(NowNanos() - start) / 1e6;
      if (!st->result.ok()) {
        upstream_errors_->Add();
        call.error = Cat("upstream '", up->name(), "' not reached: ", st->result.status().message());
        SendError(res, 502, "upstream_unavailable", Cat("llmtap gateway: ", call.error));
      } else {
        if (st->result->status >= 400) upstream_errors_->Add();
        call.http_status = st->result->status;
        CopyResponse(*st->result, res);
        call.response_body = st->result->body;
      }
      recorder_.Record(std::move(call));
      return;
    }
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  st->call = std::move(call);
  st->call.http_status = 200;
  auto finish = [this, st](std::string error) {
    if (st->recorded) return;
    st->recorded = true;
    st->call.error = std::move(error);
    {
      absl::MutexLock lock(&st->mu);
      st->call.time_to_first_token_ms =
          static_cast<double>(st->first_piece_nanos - st->call.start_unix_nano) / 1e6;
    }
    ttft_seconds_->Observe(st->call.time_to_first_token_ms / 1e3);
    st->call.latency_ms = static_cast<double>(NowNanos() - st->call.start_unix_nano) / 1e6;
    recorder_.Record(std::move(st->call));
  };
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, st, finish](size_t, httplib::DataSink& sink) {
        std::deque<std::string> pieces;
        bool finished = false;
        absl::Status error;
        {
          absl::MutexLock lock(&st->mu);
          auto ready = [st]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(st->mu) {
            return !st->pieces.empty() || st->finished;
          };
          st->mu.AwaitWithTimeout(absl::Condition(&ready), absl::Seconds(1));
          pieces.swap(st->pieces);
          finished = st->finished && st->pieces.empty();
          if (finished && !st->result.ok()) error = st->result.status();
        }
        for (const std::string& p : pieces) {
          if (!sink.write(p.data(), p.size())) {
            st->cancel = true;
            client_disconnects_->Add();
            finish("client disconnected mid-stream");
            return false;
          }
          st->call.response_body += p;
        }
        if (pieces.empty() && !finished && !sink.is_writable()) {
          st->cancel = true;
          client_disconnects_->Add();
          finish("client disconnected mid-stream");
          return false;
        }
        if (!finished) return true;
        if (!error.ok()) {
          upstream_errors_->Add();
          finish(Cat("upstream stream broke: ", error.message()));
          return false;  // The caller sees a cut stream, as it would from the upstream.
        }
        sink.done();
        finish("");
        return true;
      },
      [st, finish](bool) {
        st->cancel = true;
        finish("client disconnected mid-stream");
      });
}

}  // namespace llmtap::collector::gateway
