// llmtapd: the llmtap collector daemon. See README.md and proto/llmtap/v1/config.proto.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "collector/server.h"

ABSL_FLAG(std::string, config, "", "Configuration file: textproto, or JSON when it ends in .json.");
ABSL_FLAG(std::string, data_dir, "data", "Folder of the RocksDB database (created if missing).");
ABSL_FLAG(std::string, grpc_addr, "127.0.0.1:7317", "gRPC listen address; port 0 picks one.");
ABSL_FLAG(std::string, http_addr, "127.0.0.1:7318", "HTTP listen address; port 0 picks one.");
ABSL_FLAG(std::string, proxy_addr, "",
          "When set, serve the OpenAI-compatible gateway here (config: gateway); port 0 picks one.");
ABSL_FLAG(std::string, ready_file, "",
          "When set, write {\"grpc_port\": N, \"http_port\": M, \"proxy_port\": P} here once "
          "serving.");
ABSL_FLAG(std::string, log_level, "info", "trace, debug, info, warn, error.");
ABSL_FLAG(bool, insecure, false,
          "Serve on a non-loopback address with no API key configured (anyone reaching the "
          "ports reads and writes every app).");
ABSL_FLAG(bool, new_admin_key, false,
          "Make an admin API key in --data_dir (llmtapd must not be running on it), print its "
          "secret, and exit.");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("llmtapd: collects, stores, scores and serves LLM call samples.");
  absl::ParseCommandLine(argc, argv);
  spdlog::set_level(spdlog::level::from_str(absl::GetFlag(FLAGS_log_level)));

  // A client that goes away mid-response (HTTPS writes through OpenSSL) must not end the daemon.
  signal(SIGPIPE, SIG_IGN);
  // Block SIGINT/SIGTERM in every thread; a dedicated thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (absl::GetFlag(FLAGS_new_admin_key)) {
    auto secret = llmtap::collector::MakeBootstrapAdminKey(absl::GetFlag(FLAGS_data_dir),
                                                           absl::GetFlag(FLAGS_config));
    if (!secret.ok()) {
      spdlog::error("llmtapd: {}", secret.status().ToString());
      return 1;
    }
    std::printf("%s\n", secret->c_str());
    return 0;
  }
  llmtap::collector::ServerOptions options{absl::GetFlag(FLAGS_config),
                                           absl::GetFlag(FLAGS_data_dir),
                                           absl::GetFlag(FLAGS_grpc_addr),
                                           absl::GetFlag(FLAGS_http_addr),
                                           absl::GetFlag(FLAGS_insecure),
                                           absl::GetFlag(FLAGS_proxy_addr)};
  auto server = llmtap::collector::Server::Start(options);
  if (!server.ok()) {
    spdlog::error("llmtapd: {}", server.status().ToString());
    return 1;
  }
  if (const std::string ready = absl::GetFlag(FLAGS_ready_file); !ready.empty()) {
    std::ofstream(ready + ".tmp") << "{\"grpc_port\": " << (*server)->grpc_port()
                                  << ", \"http_port\": " << (*server)->http_port()
                                  << ", \"proxy_port\": " << (*server)->proxy_port() << "}\n";
    std::rename((ready + ".tmp").c_str(), ready.c_str());
  }
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("llmtapd: signal {}", sig);
    (*server)->Shutdown(absl::Seconds(5));
  });
  (*server)->Wait();
  waiter.detach();  // Still waiting when shutdown came from elsewhere; exit ends it.
  return 0;
}
