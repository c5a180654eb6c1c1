// Fuzz target: the HTTP JSON API's request mapping, through the real HttpServer on loopback
// over a real store holding a few samples. An input is an HTTP request in short form: its first
// line is "<METHOD> <path>" (e.g. "POST /api/v1/Trend", "GET /api/v1/samples?app=a"), the rest
// is the body. Checked beyond the sanitizers: the server answers every request (it never
// drops the connection or dies), never with 500 (bad input is the client's error), and every
// answer under /api/ is a JSON document.
#include <httplib.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "collector/common/metrics.h"
#include "collector/common/strings.h"
#include "collector/http/http_server.h"
#include "collector/query/query_engine.h"
#include "collector/store/store.h"
#include "fuzz_support.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector {
namespace {

constexpr int64_t kDay = 86400LL * 1000000000LL;
constexpr int64_t kStart = 1767225600LL * 1000000000LL;  // 2026-01-01T00:00:00Z.

struct Env {
  fuzz::TempDir dir;
  Metrics metrics;
  std::unique_ptr<Store> store;
  std::unique_ptr<QueryEngine> engine;
  std::unique_ptr<HttpServer> server;
  std::unique_ptr<httplib::Client> client;

  Env() {
    v1::StorageConfig config;
    config.set_min_free_disk_mb(0);
    config.set_retention_days(0);
    auto opened = Store::Open(dir.path() + "/data", config);
    if (!opened.ok()) fuzz::Fail(Cat("Store::Open: ", opened.status().ToString()));
    store = std::move(*opened);
    Seed();
    engine = std::make_unique<QueryEngine>(store.get());
    server = std::make_unique<HttpServer>(engine.get(), &metrics);
    if (absl::Status s = server->Start("127.0.0.1:0"); !s.ok()) fuzz::Fail(s.ToString());
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
    client->set_keep_alive(true);
    client->set_read_timeout(20, 0);
  }

  // Two apps, two models, two variants, over three days, with a score on some.
  void Seed() {
    std::vector<v1::Sample> samples(24);
    IngestWrite write;
    for (int i = 0; i < 24; ++i) {
      v1::Sample& s = samples[i];
      char id[33];
      std::snprintf(id, sizeof id, "0190000000007000800000000000%04x", i);
      s.set_id(id);
      s.set_app(i % 2 ? "chat" : "search");
      s.set_model(i % 3 ? "gpt-x" : "llama");
      s.set_variant(i % 4 ? "production" : "shadow");
      s.set_session_id(Cat("s", i % 5));
      s.set_prompt(Cat("prompt ", i));
      s.set_response(Cat("response ", i));
      s.set_start_time_unix_nano(kStart + i * (kDay / 8));
      s.set_latency_ms(100 + 10 * i);
      s.set_input_tokens(10 + i);
      s.set_output_tokens(20 + i);
      (*s.mutable_metadata())["tier"] = i % 2 ? "free" : "paid";
      write.samples.push_back(&s);
    }
    write.enqueue = false;
    std::vector<char> is_new;
    if (absl::Status s = store->Ingest(write, &is_new); !s.ok()) fuzz::Fail(s.ToString());
    for (int i = 0; i < 24; i += 3) {
      ScoreWrite sw;
      sw.sample = &samples[i];
      v1::Score score;
      score.set_sample_id(samples[i].id());
      score.set_rubric("helpful");
      score.set_value(0.1 * (i % 10));
      sw.scores.push_back(score);
      sw.rollup_values.emplace_back(RubricSeries("helpful"), score.value());
      if (absl::Status s = store->CommitScores(sw); !s.ok()) fuzz::Fail(s.ToString());
    }
  }
};

Env& TheEnv() {
  static Env* env = new Env();  // Lives until exit, serving on its thread.
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
  for (char c : path) {
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7f) return;
  }
  if (method != "GET" && method != "POST") return;
  Env& env = TheEnv();
  httplib::Result res = method == "GET" ? env.client->Get(path)
                                        : env.client->Post(path, body, "application/json");
  if (!res) fuzz::Fail(Cat(method, " ", path, ": no answer (", httplib::to_string(res.error()), ")"));
  if (res->status == 500) fuzz::Fail(Cat(method, " ", path, ": 500 ", res->body));
  if (path.starts_with("/api/") && !nlohmann::json::accept(res->body)) {
    fuzz::Fail(Cat(method, " ", path, ": answer is not JSON: ", res->body.substr(0, 200)));
  }
}

}  // namespace
}  // namespace llmtap::collector

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  llmtap::collector::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
