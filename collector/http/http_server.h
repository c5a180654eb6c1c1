// HttpServer: the collector's HTTP port. Serves
//   GET  /                      the dashboard (embedded files from web/)
//   POST /api/v1/<Method>       every unary QueryService and AdminService call in protobuf's JSON
//                               mapping: the body is the request message, the answer the
//                               response message; errors are {"code": <grpc code>, "message": ...}
//                               with a matching HTTP status (401 with WWW-Authenticate for a
//                               missing or bad key, 403 out of scope, 429 with Retry-After).
//                               The API key comes in "Authorization: Bearer <key>".
//   GET  /api/v1/samples        ListSamples from query parameters (app, model, variant,
//                               page_size, page_token, with_scores)
//   GET  /api/v1/samples/<id>   GetSample
//   GET  /api/v1/tail           new scores as server-sent events (see tail_stream.h)
//   GET  /metrics               Prometheus text
//   GET  /healthz               "ok"
#ifndef LLMTAP_COLLECTOR_HTTP_HTTP_SERVER_H_
#define LLMTAP_COLLECTOR_HTTP_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "collector/common/metrics.h"
#include "collector/auth/admin_handlers.h"
#include "collector/auth/tls.h"
#include "collector/http/tail_stream.h"
#include "collector/query/query_handlers.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace llmtap::collector {

class HttpServer {
 public:
  // All must outlive the server. With `tls` on (both files set; see tls.h) it serves HTTPS
  // only.
  HttpServer(const QueryHandlers* queries, const AdminHandlers* admin, const Metrics* metrics,
             const v1::TlsConfig& tls = v1::TlsConfig());
  ~HttpServer();

  // Serves GET /api/v1/tail from `hub` (which must outlive the server); until then the route
  // answers UNIMPLEMENTED. REQUIRES: Start() not called yet.
  void ServeTail(TailHub* hub) { tail_ = std::make_unique<TailStream>(hub); }
  // Serves POST `path` with `handler` as well (e.g. OTLP's /v1/traces). Before Start().
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  void AddPost(const std::string& path, Handler handler);

  // Binds host:port (port 0 picks a free one) and serves on a background thread.
  absl::Status Start(const std::string& address);
  // The bound port, after Start.
  int port() const { return port_; }
  void Stop();

 private:
  void Routes();

  const QueryHandlers* const queries_;
  const AdminHandlers* const admin_;
  const Metrics* const metrics_;
  std::unique_ptr<TailStream> tail_;
  std::unique_ptr<HttpsCertificates> certificates_;  // Outlives server_.
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_HTTP_HTTP_SERVER_H_
