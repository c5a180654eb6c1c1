// Helpers shared by the SDK tests: a Client that keeps what it is given, a local
// OpenAI-compatible HTTP server, and readers of what a real collector stored.
#ifndef LLMTAP_TESTS_SDK_SDK_TEST_UTIL_H_
#define LLMTAP_TESTS_SDK_SDK_TEST_UTIL_H_

#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "llmtap/client.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap::testing {

// How much slower a sanitizer build runs; time bounds in tests that are about slack (not the
// deadline itself) are multiplied by it, and load-heavy tests scale their rate down by it.
#if defined(__SANITIZE_THREAD__)
inline constexpr int kSlowdown = 10;
#else
inline constexpr int kSlowdown = 1;
#endif

// A Client that keeps every recorded sample in memory.
class RecordingClient final : public Client {
 public:
  void Record(Sample sample) override {
    std::lock_guard<std::mutex> lock(mu_);
    samples_.push_back(std::move(sample));
  }
  Status Flush(std::chrono::milliseconds) override { return Status::Ok(); }
  Status Shutdown(std::chrono::milliseconds) override { return Status::Ok(); }
  ClientStats Stats() const override { return {}; }

  std::vector<Sample> samples() const {
    std::lock_guard<std::mutex> lock(mu_);
    return samples_;
  }
  // Waits up to `timeout` for at least `n` samples.
  bool WaitFor(size_t n, std::chrono::milliseconds timeout) const {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (samples().size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return samples().size() >= n;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Sample> samples_;
};

// An httplib server on 127.0.0.1 and a free port, serving in a background thread.
class LocalHttpServer {
 public:
  LocalHttpServer() = default;
  ~LocalHttpServer() { Stop(); }
  httplib::Server& server() { return server_; }
  // Binds and starts serving; the routes must be set before.
  void Start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // The socket already listens after bind, so early connections wait in its backlog.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void Stop() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  std::string base_url(const std::string& path = "/v1") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

// Ids of every sample of `app` the query service lists, across all pages; `duplicates` counts
// ids listed more than once.
inline std::map<std::string, v1::Sample> ListAll(const std::string& address,
                                                 const std::string& app, int* duplicates) {
  auto stub = v1::QueryService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  std::map<std::string, v1::Sample> all;
  v1::ListSamplesRequest request;
  request.mutable_filter()->set_app(app);
  request.set_page_size(1000);
  *duplicates = 0;
  for (int pages = 0; pages < 10000; ++pages) {
    grpc::ClientContext context;
    v1::ListSamplesResponse response;
    grpc::Status status = stub->ListSamples(&context, request, &response);
    if (!status.ok()) {
      ADD_FAILURE() << status.error_message();
      break;
    }
    for (auto& s : *response.mutable_samples()) {
      std::string id = s.sample().id();
      if (!all.emplace(std::move(id), std::move(*s.mutable_sample())).second) ++*duplicates;
    }
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  return all;
}

// Samples of `app` by the Stats query (rollup counts), or -1 on error.
inline int64_t StoredCount(const std::string& address, const std::string& app) {
  auto stub = v1::QueryService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::StatsRequest request;
  request.mutable_filter()->set_app(app);
  grpc::ClientContext context;
  v1::StatsResponse response;
  if (!stub->Stats(&context, request, &response).ok()) return -1;
  return static_cast<int64_t>(response.samples());
}

}  // namespace llmtap::testing

#endif  // LLMTAP_TESTS_SDK_SDK_TEST_UTIL_H_
