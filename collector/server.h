// Server: builds and wires the collector's parts (store, ingest, query, HTTP) and runs them.
// Holds no logic of its own.
//
//   ServerOptions options{.config_path = "...", .data_dir = "data"};
//   auto server = Server::Start(options);
//   if (!server.ok()) { ... }
//   (*server)->Wait();
#ifndef LLMTAP_COLLECTOR_SERVER_H_
#define LLMTAP_COLLECTOR_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace llmtap::collector {

struct ServerOptions {
  std::string config_path;  // Empty: defaults.
  std::string data_dir = "data";
  std::string grpc_addr = "127.0.0.1:7317";  // Port 0 picks a free port.
  std::string http_addr = "127.0.0.1:7318";
  // Serve on a non-loopback address with no API key configured (anyone who can reach the
  // ports reads and writes everything). Without it such an address is refused at start.
  bool insecure = false;
  std::string proxy_addr;  // Empty: no gateway (collector/gateway/gateway.h).
};

// Makes an admin key for every app in the database under `data_dir` (which must not be in use
// by a running llmtapd) and returns its secret: the first key of a collector that is to serve
// beyond loopback. Recorded in the audit log as made by "bootstrap".
absl::StatusOr<std::string> MakeBootstrapAdminKey(const std::string& data_dir,
                                                  const std::string& config_path);

class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options);
  virtual ~Server() = default;

  virtual int grpc_port() const = 0;
  virtual int http_port() const = 0;
  // The gateway's port; 0 without --proxy_addr.
  virtual int proxy_port() const = 0;
  // Blocks until Shutdown() is called (from another thread).
  virtual void Wait() = 0;
  // Stops taking calls, lets calls in flight finish for up to `grace`, commits what was
  // received, and closes the store. Idempotent.
  virtual void Shutdown(absl::Duration grace) = 0;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SERVER_H_
