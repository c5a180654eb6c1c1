// Fuzz target: the HTTP JSON API's request mapping, through a whole collector (Server::Start,
// as llmtapd runs it) on loopback over a real store holding a few samples, called with an admin
// key. An input is an HTTP request in short form: its first line is "<METHOD> <path>" (e.g.
// "POST /api/v1/Trend", "GET /api/v1/samples?app=a"), the rest is the body. Checked beyond
// the sanitizers: the server answers every request (it never drops the connection or dies),
// never with 500 (bad input is the client's error), and every answer of an /api/ route is a
// JSON document.
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "collector/common/strings.h"
#include "collector/server.h"
#include "fuzz_support.h"
#include "llmtap/v1/ingest.grpc.pb.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector {
namespace {

constexpr int64_t kDay = 86400LL * 1000000000LL;
constexpr int64_t kStart = 1767225600LL * 1000000000LL;  // 2026-01-01T00:00:00Z.

struct Env {
  fuzz::TempDir dir;
  std::unique_ptr<Server> server;
  std::unique_ptr<httplib::Client> client;
  std::string key;

  Env() {
    const std::string config = dir.path() + "/config.textproto";
    std::ofstream(config) << R"(storage { retention_days: 0 min_free_disk_mb: 0 }
rubrics { name: "concise" kind: RUBRIC_KIND_LENGTH length { max_words: 3 } }
)";
    const std::string data = dir.path() + "/data";
    auto secret = MakeBootstrapAdminKey(data, config);
    if (!secret.ok()) fuzz::Fail(Cat("MakeBootstrapAdminKey: ", secret.status().ToString()));
    key = *secret;
    auto started = Server::Start(ServerOptions{.config_path = config,
                                               .data_dir = data,
                                               .grpc_addr = "127.0.0.1:0",
                                               .http_addr = "127.0.0.1:0"});
    if (!started.ok()) fuzz::Fail(Cat("Server::Start: ", started.status().ToString()));
    server = std::move(*started);
    Seed();
    client = std::make_unique<httplib::Client>("127.0.0.1", server->http_port());
    client->set_keep_alive(true);
    client->set_read_timeout(20, 0);
    client->set_default_headers({{"Authorization", "Bearer " + key}});
  }

  // Two apps, two models, two variants, over three days, through the unary ingest call.
  void Seed() {
    v1::IngestRequest request;
    request.set_batch_id(1);
    for (int i = 0; i < 24; ++i) {
      v1::Sample& s = *request.add_samples();
      char id[33];
      std::snprintf(id, sizeof id, "0190000000007000800000000000%04x", i);
      s.set_id(id);
      s.set_app(i % 2 ? "chat" : "search");
      s.set_model(i % 3 ? "gpt-x" : "llama");
      s.set_variant(i % 4 ? "production" : "shadow");
      s.set_session_id(Cat("s", i % 5));
      s.set_pair_id(Cat("p", i / 4));
      s.set_prompt(Cat("prompt ", i));
      s.set_response(i % 2 ? "a short answer" : "a rather longer answer than the rubric wants");
      s.set_start_time_unix_nano(kStart + i * (kDay / 8));
      s.set_latency_ms(100 + 10 * i);
      s.set_input_tokens(10 + i);
      s.set_output_tokens(20 + i);
      (*s.mutable_metadata())["tier"] = i % 2 ? "free" : "paid";
    }
    auto stub = v1::IngestService::NewStub(grpc::CreateChannel(
        Cat("127.0.0.1:", server->grpc_port()), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + key);
    v1::IngestResponse response;
    const grpc::Status s = stub->Ingest(&context, request, &response);
    if (!s.ok() || response.accepted() != 24) {
      fuzz::Fail(Cat("seeding: ", s.error_message(), " ", response.ShortDebugString()));
    }
  }
};

Env& TheEnv() {
  static Env* env = new Env();  // Lives until exit, serving on its threads.
  return *env;
}

void FuzzOne(std::string_view input) {
  const size_t eol = input.find('\n');
  const std::string_view line = input.substr(0, eol);
  const std::string body(eol == std::string_view::npos ? "" : input.substr(eol + 1));
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return;
  const std::string method(line.substr(0, space));
  const std::string path(line.substr(space + 1));
  // httplib's client sends the path as given; one it would have to escape is not a request.
  if (path.empty() || path[0] != '/') return;
  // The live tail is a stream that never ends by itself: not a request/answer route.
  if (path.starts_with("/api/v1/tail")) return;
  for (char c : path) {
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f) return;
  }
  if (method != "GET" && method != "POST") return;
  Env& env = TheEnv();
  httplib::Result res = method == "GET" ? env.client->Get(path)
                                        : env.client->Post(path, body, "application/json");
  if (!res) fuzz::Fail(Cat(method, " ", path, ": no answer (", httplib::to_string(res.error()), ")"));
  if (res->status == 500) fuzz::Fail(Cat(method, " ", path, ": 500 ", res->body));
  // (A path that names no route is the dashboard's plain-text 404.)
  if (path.starts_with("/api/") && res->status != 404 && !nlohmann::json::accept(res->body)) {
    fuzz::Fail(Cat(method, " ", path, ": answer is not JSON: ", res->body.substr(0, 200)));
  }
}

}  // namespace
}  // namespace llmtap::collector

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  llmtap::collector::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
