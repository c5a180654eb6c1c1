// HttpServer: the collector's HTTP port. Serves
//   GET  /                      the dashboard (embedded files from web/)
//   POST /api/v1/<Method>       the query service in protobuf's JSON mapping: the body is the
//                               request message, the answer the response message; errors are
//                               {"code": <grpc code>, "message": ...} with a matching HTTP status
//   GET  /api/v1/samples        ListSamples from query parameters (app, model, variant,
//                               page_size, page_token, with_scores)
//   GET  /api/v1/samples/<id>   GetSample
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
#include "collector/query/query_engine.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}

namespace llmtap::collector {

class HttpServer {
 public:
  // `engine` and `metrics` must outlive the server.
  HttpServer(const QueryEngine* engine, const Metrics* metrics);
  ~HttpServer();

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

  const QueryEngine* const engine_;
  const Metrics* const metrics_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_HTTP_HTTP_SERVER_H_
