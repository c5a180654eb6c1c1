// Fleet benchmark (not a test; scripts/bench_fleet.sh runs it): on one machine, with a real
// Kafka broker, every part a process of its own.
//
//  1. Ingest: the same N samples recorded as fast as an SDK takes them, to a single-node
//     llmtapd (direct), then to an edge llmtapd whose samples reach a store llmtapd through
//     Kafka. Reports samples/s from the first Record() until the store counts them all.
//  2. Judging: N samples to score with an LLM-judge rubric against a local OpenAI-compatible
//     endpoint answering after --judge_ms, with one scorer process and then two. Reports
//     verdicts/s from the first Record() until the store counts every verdict.
//
// On one 2-core machine the figures are read as ratios (Kafka against direct; two scorers
// against one), not as what a fleet of machines would do.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "collector_process.h"
#include "fake_openai_server.h"
#include "kafka_broker.h"
#include "llmtap/client.h"
#include "llmtap/v1/query.grpc.pb.h"

ABSL_FLAG(int, samples, 100000, "Samples of the ingest part.");
ABSL_FLAG(int, judged, 1500, "Samples of the judging part.");
ABSL_FLAG(int, judge_ms, 50, "Latency of the local judge endpoint per call, milliseconds.");
ABSL_FLAG(int, judge_concurrency, 4, "Judge calls in flight per scorer (and scoring workers).");
ABSL_FLAG(int, sample_bytes, 1024, "Approximate prompt + response bytes per ingest sample.");
ABSL_FLAG(int, apps, 8, "Apps the samples are spread over.");
ABSL_FLAG(std::string, parts, "ingest,judge", "Which parts to run.");

namespace llmtap::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Counts {
  uint64_t stored = 0;
  uint64_t judged = 0;
};

// Counts of every app (each run has a store of its own).
Counts Read(const CollectorProcess& store) {
  auto channel = grpc::CreateChannel(store.grpc_address(), grpc::InsecureChannelCredentials());
  auto query = v1::QueryService::NewStub(channel);
  v1::CompletenessRequest request;
  v1::CompletenessResponse c;
  grpc::ClientContext context;
  if (!query->Completeness(&context, request, &c).ok()) return {};
  Counts out{c.stored(), 0};
  for (const auto& r : c.rubrics()) {
    if (r.rubric() == "judge") out.judged = r.scored() + r.errors();
  }
  return out;
}

// Records `n` samples to `target` as fast as the SDK takes them (waiting when a million are
// pending), spread over --apps apps "<app>-<i>" (a fleet's samples topic is keyed by app: one
// app is one partition); returns when `done(counts)` holds at `store`, with the seconds taken.
double Run(const CollectorProcess& target, const CollectorProcess& store, const std::string& app,
           int n, int bytes, const std::function<bool(const Counts&)>& done) {
  ClientOptions options;
  options.collector_address = target.grpc_address();
  options.app = app;
  const int apps = std::max(1, absl::GetFlag(FLAGS_apps));
  options.max_buffer_bytes = 512u << 20;
  std::unique_ptr<Client> client;
  if (!Client::Create(options, &client).ok()) return -1;
  const std::string pad(std::max(0, bytes - 40), 'x');
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < n; ++i) {
    Sample s;
    s.model = "m";
    s.app = app + "-" + std::to_string(i % apps);
    s.prompt = "question " + std::to_string(i) + " " + pad.substr(0, pad.size() / 2);
    s.response = "answer " + pad.substr(0, pad.size() / 2);
    s.latency_ms = 100;
    client->Record(std::move(s));
    if (i % 1000 == 0) {
      while (client->Stats().pending > 1000000) std::this_thread::sleep_for(1ms);
    }
  }
  while (!done(Read(store))) {
    if (Clock::now() - start > 600s) return -1;
    std::this_thread::sleep_for(20ms);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  client->Shutdown(5s);
  return seconds;
}

std::string FleetConfig(const KafkaBroker& broker, const std::string& prefix,
                        const std::string& roles, const std::string& extra = "") {
  return "fleet { brokers: \"" + broker.bootstrap() + "\" roles: " + roles +
         " samples_topic: \"" + prefix + ".samples\" scores_topic: \"" + prefix +
         ".scores\" partitions: 12 scorer_group: \"" + prefix + "-scorers\" store_group: \"" +
         prefix + "-store\" scorer_id: \"" + prefix + "-" + std::to_string(rand()) + "\" }\n" +
         extra;
}

int Main() {
  KafkaBroker broker;
  if (!broker.Start()) {
    std::fprintf(stderr, "broker did not start:\n%s\n", broker.log().c_str());
    return 1;
  }
  const std::string parts = absl::GetFlag(FLAGS_parts);
  const int bytes = absl::GetFlag(FLAGS_sample_bytes);
  if (parts.find("ingest") != std::string::npos) {
    const int n = absl::GetFlag(FLAGS_samples);
    auto all = [n](const Counts& c) { return c.stored >= static_cast<uint64_t>(n); };
    {
      CollectorProcess direct;
      if (!direct.Start()) return 1;
      const double s = Run(direct, direct, "direct", n, bytes, all);
      std::printf("ingest mode=direct samples=%d seconds=%.2f samples_per_s=%.0f\n", n, s, n / s);
    }
    {
      CollectorProcess store(FleetConfig(broker, "ingest", "ROLE_STORE"));
      CollectorProcess edge(FleetConfig(broker, "ingest", "ROLE_EDGE"));
      if (!store.Start() || !edge.Start()) return 1;
      const double s = Run(edge, store, "kafka", n, bytes, all);
      std::printf("ingest mode=kafka samples=%d seconds=%.2f samples_per_s=%.0f\n", n, s, n / s);
    }
  }
  if (parts.find("judge") != std::string::npos) {
    const int n = absl::GetFlag(FLAGS_judged);
    const int concurrency = absl::GetFlag(FLAGS_judge_concurrency);
    FakeOpenAiServer judge;
    const auto delay = std::chrono::milliseconds(absl::GetFlag(FLAGS_judge_ms));
    judge.SetResponder([delay](const std::string&) {
      Reply r = Reply::Chat(R"({"score": 4, "reasoning": "fine"})", 100, 10);
      r.delay = delay;
      return r;
    });
    const std::string rubric =
        "judges { name: \"local\" base_url: \"" + judge.base_url() +
        "\" model: \"m\" max_concurrency: " + std::to_string(concurrency) + " }\n" +
        "rubrics { name: \"judge\" kind: RUBRIC_KIND_LLM_JUDGE timeout_ms: 10000 judge { "
        "endpoint: \"local\" scale: SCALE_1_5 template: \"Q: {prompt}\\nA: {response}\" } }\n" +
        "scoring { workers: " + std::to_string(concurrency) + " }\n";
    auto verdicts = [n](const Counts& c) { return c.judged >= static_cast<uint64_t>(n); };
    for (int scorers : {1, 2}) {
      const std::string prefix = "judge" + std::to_string(scorers);
      CollectorProcess store(FleetConfig(broker, prefix, "ROLE_STORE", rubric));
      CollectorProcess edge(FleetConfig(broker, prefix, "ROLE_EDGE", rubric));
      std::vector<std::unique_ptr<CollectorProcess>> pool;
      for (int i = 0; i < scorers; ++i) {
        pool.push_back(std::make_unique<CollectorProcess>(
            FleetConfig(broker, prefix, "ROLE_SCORER", rubric)));
        if (!pool.back()->Start()) return 1;
      }
      if (!store.Start() || !edge.Start()) return 1;
      std::this_thread::sleep_for(3s);  // The group settles: partitions spread over the pool.
      const double s = Run(edge, store, prefix, n, 200, verdicts);
      std::printf("judge scorers=%d apps=%d judge_ms=%d concurrency=%d verdicts=%d "
                  "seconds=%.2f verdicts_per_s=%.1f\n",
                  scorers, absl::GetFlag(FLAGS_apps), static_cast<int>(delay.count()),
                  concurrency, n, s, n / s);
    }
  }
  return 0;
}

}  // namespace
}  // namespace llmtap::testing

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return llmtap::testing::Main();
}
