// Gateway: an OpenAI-compatible reverse proxy (`llmtapd --proxy_addr`) that records every call
// passing through it, for apps whose code cannot change.
//
//   POST /v1/chat/completions, /v1/completions, /v1/embeddings   forwarded and recorded
//   GET  /v1/models                                              forwarded
//
// The upstream is the one named by the x-llmtap-upstream header, else the first whose models
// match the body's "model", else the first with no models (GatewayConfig). The caller's
// headers go upstream as they are (its Authorization is the upstream's key; it is never
// stored or logged), except hop-by-hop headers and x-llmtap-*. The upstream's answer comes
// back unchanged, errors included; a stream ("stream": true) is passed on piece by piece as it
// arrives. An upstream that cannot be reached gives 502 with an OpenAI-style error body.
//
// Recording headers: x-llmtap-app (else GatewayConfig.default_app), x-llmtap-session,
// x-llmtap-variant, x-llmtap-prompt-version, x-llmtap-meta-<key> (metadata <key>). Each call
// is handed to CallRecorder after the response is complete, with its latency and, when
// streamed, the time to the first piece.
//
// Thread safety: served by the HTTP library's worker threads; Stop() from any thread.
#ifndef LLMTAP_COLLECTOR_GATEWAY_GATEWAY_H_
#define LLMTAP_COLLECTOR_GATEWAY_GATEWAY_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "collector/common/metrics.h"
#include "collector/gateway/call_recorder.h"
#include "collector/otlp/ingest_entry.h"
#include "llmtap/v1/otel_config.pb.h"
#include "sdk/src/http/http_client.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace llmtap::collector::gateway {

class Gateway {
 public:
  // Checks the config (upstream names and URLs). `entry` and `metrics` must outlive it.
  static absl::StatusOr<std::unique_ptr<Gateway>> Create(
      const v1::GatewayConfig& config, const IngestEntry* entry, Metrics* metrics,
      std::unique_ptr<internal::HttpClient> http);
  ~Gateway();

  // Binds host:port (port 0 picks one) and serves on background threads.
  absl::Status Start(const std::string& address);
  int port() const { return port_; }
  // Stops serving, cancels streams in flight, records what was queued. Idempotent.
  void Stop();

 private:
  struct Stream;
  Gateway(const v1::GatewayConfig& config, const IngestEntry* entry, Metrics* metrics,
          std::unique_ptr<internal::HttpClient> http);
  const v1::GatewayUpstream* Route(const httplib::Request& req, const std::string& model) const;
  void Forward(const std::string& endpoint, const httplib::Request& req, httplib::Response& res);
  void Models(const httplib::Request& req, httplib::Response& res);

  const v1::GatewayConfig config_;
  std::unique_ptr<internal::HttpClient> http_;
  CallRecorder recorder_;
  Counter* const calls_;
  Counter* const upstream_errors_;
  Counter* const client_disconnects_;
  Histogram* const ttft_seconds_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  absl::Mutex streams_mu_;
  absl::CondVar streams_cv_;
  int open_streams_ ABSL_GUARDED_BY(streams_mu_) = 0;
};

}  // namespace llmtap::collector::gateway

#endif  // LLMTAP_COLLECTOR_GATEWAY_GATEWAY_H_
