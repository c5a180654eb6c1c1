// llmtap-gateway-bench: what the gateway adds to a call. Starts a local OpenAI-compatible
// upstream (a fixed ~1 KB chat completion) and an llmtapd (in this process, temp data folder)
// whose gateway forwards to it, then makes --calls calls one at a time, alternating a direct
// call to the upstream and the same call through the gateway, over kept-alive connections
// (libcurl, as the judge and SDK use). Every proxied call is recorded (the daemon commits it).
// Prints the latency percentiles of both and the difference, then the CPU time this process
// (client, upstream and llmtapd together) spent per call in a run of direct calls and in a run
// of proxied calls: their difference is the gateway's own work per call, which unlike the
// latencies does not depend on how busy the machine is:
//   direct_p50_us=.. direct_p99_us=.. proxy_p50_us=.. proxy_p99_us=.. added_p50_us=..
//   added_p99_us=.. calls=N recorded=R direct_cpu_us=.. proxy_cpu_us=.. added_cpu_us=..
// See scripts/bench_gateway.sh.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "collector/server.h"
#include "sdk/src/http/http_client.h"
#include "tools/loadgen/common.h"

ABSL_FLAG(int, calls, 5000, "Calls of each kind (direct, through the gateway).");
ABSL_FLAG(int, warmup, 200, "Calls of each kind before measuring.");

namespace {

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::string answer = R"({"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"bench-model","choices":[{"index":0,"message":{"role":"assistant","content":")";
  answer += std::string(850, 'a') + R"("},"finish_reason":"stop"}],"usage":{"prompt_tokens":50,"completion_tokens":200,"total_tokens":250}})";
  httplib::Server upstream;
  upstream.set_tcp_nodelay(true);  // As a real server does; else Nagle adds 40 ms.
  upstream.Post("/v1/chat/completions", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(answer, "application/json");
  });
  const int upstream_port = upstream.bind_to_any_port("127.0.0.1");
  std::thread upstream_thread([&] { upstream.listen_after_bind(); });

  const auto dir = std::filesystem::temp_directory_path() /
                   ("llmtap-gateway-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "config.textproto")
      << "gateway { upstreams { name: \"local\" base_url: \"http://127.0.0.1:" << upstream_port
      << "/v1\" } }\n";
  llmtap::collector::ServerOptions options;
  options.config_path = (dir / "config.textproto").string();
  options.data_dir = (dir / "data").string();
  options.grpc_addr = "127.0.0.1:0";
  options.http_addr = "127.0.0.1:0";
  options.proxy_addr = "127.0.0.1:0";
  auto server = llmtap::collector::Server::Start(options);
  if (!server.ok()) {
    std::fprintf(stderr, "llmtapd: %s\n", server.status().ToString().c_str());
    return 1;
  }

  auto http = llmtap::internal::NewCurlHttpClient();
  auto call = [&](int port) {
    llmtap::internal::HttpRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(port) + "/v1/chat/completions";
    r.headers = {{"Content-Type", "application/json"},
                 {"Authorization", "Bearer sk-bench"},
                 {"x-llmtap-app", "gateway-bench"}};
    r.body = R"({"model":"bench-model","messages":[{"role":"system","content":"You are terse."},)"
             R"({"role":"user","content":"Summarise the plot of Hamlet in two sentences, please."}]})";
    const auto t0 = std::chrono::steady_clock::now();
    auto resp = http->Send(r);
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    if (!resp.ok() || resp->status != 200 || resp->body != answer) {
      std::fprintf(stderr, "call to port %d failed\n", port);
      std::exit(1);
    }
    return us;
  };
  const int proxy = (*server)->proxy_port();
  for (int i = 0; i < absl::GetFlag(FLAGS_warmup); ++i) {
    call(upstream_port);
    call(proxy);
  }
  std::vector<double> direct, proxied;
  for (int i = 0; i < absl::GetFlag(FLAGS_calls); ++i) {
    direct.push_back(call(upstream_port));
    proxied.push_back(call(proxy));
  }
  // CPU per call: a run of each kind, after the latency runs.
  const int cpu_calls = std::max(1, absl::GetFlag(FLAGS_calls) / 2);
  double cpu0 = llmtap::tools::CpuSeconds();
  for (int i = 0; i < cpu_calls; ++i) call(upstream_port);
  const double direct_cpu_us = (llmtap::tools::CpuSeconds() - cpu0) * 1e6 / cpu_calls;
  cpu0 = llmtap::tools::CpuSeconds();
  for (int i = 0; i < cpu_calls; ++i) call(proxy);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // The recorder's share too.
  const double proxy_cpu_us = (llmtap::tools::CpuSeconds() - cpu0) * 1e6 / cpu_calls;
  // Let the recorder commit, then count what was stored.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  httplib::Client metrics("127.0.0.1", (*server)->http_port());
  auto m = metrics.Get("/metrics");
  double recorded = 0;
  if (m) {
    const std::string key = "llmtap_gateway_records_committed_total ";
    const size_t at = m->body.find("\n" + key);
    if (at != std::string::npos) recorded = std::stod(m->body.substr(at + 1 + key.size()));
  }
  (*server)->Shutdown(absl::Seconds(2));
  upstream.stop();
  upstream_thread.join();
  std::filesystem::remove_all(dir);

  const double d50 = Percentile(direct, 0.5), d99 = Percentile(direct, 0.99);
  const double p50 = Percentile(proxied, 0.5), p99 = Percentile(proxied, 0.99);
  std::printf(
      "direct_p50_us=%.0f direct_p99_us=%.0f proxy_p50_us=%.0f proxy_p99_us=%.0f "
      "added_p50_us=%.0f added_p99_us=%.0f calls=%zu recorded=%.0f direct_cpu_us=%.0f "
      "proxy_cpu_us=%.0f added_cpu_us=%.0f\n",
      d50, d99, p50, p99, p50 - d50, p99 - d99, proxied.size(), recorded, direct_cpu_us,
      proxy_cpu_us, proxy_cpu_us - direct_cpu_us);
  return 0;
}
