// bench_freshness: how soon a recorded sample's built-in scores can be queried, and how fast
// the built-in rubrics score, on a real llmtapd with the three rubrics of bench_query.
//
//   build/bin/bench_freshness idle        # probes alone
//   build/bin/bench_freshness load        # probes inside 50k samples/s of the same app
//   build/bin/bench_freshness flood       # probes of a quiet app at 10/s, another app floods
//   build/bin/bench_freshness throughput  # scoring rate with ingest idle (draining a backlog)
//
// A probe is one sample sent with the unary Ingest call; its freshness is the time from that
// call to the first GetSample that returns its three scores (polled every 0.5 ms). The load
// comes from the SDK in this process (LLMTAP_BENCH_RATE samples/s, default 50000, paced every
// 10 ms; `flood`: as fast as ingest takes them, 4 streams), ~1 KB samples.
//
// Environment: LLMTAP_BENCH_PROBES (200), LLMTAP_BENCH_RATE (50000),
// LLMTAP_BENCH_BACKLOG (throughput: samples ingested before measuring the drain, 300000).
//
// Prints one line per mode:
//   mode=load probes=N p50_ms=A p90_ms=B p99_ms=C max_ms=D ingest_per_s=I scored_per_s=S
//   end_backlog=Q
// I and S are the samples stored and scored (every rubric) per second while the probes ran;
// Q the samples waiting to be scored at the end; daemon_cpu_per_s the cores llmtapd used.
// A second line splits the percentiles: the Ingest call (record to stored) and the rest
// (stored to scores queryable).
// throughput prints the drain's scored_per_s and scored_per_cpu_s (samples scored per CPU
// second of llmtapd: the figure that holds on a machine shared with other work).
#include <grpcpp/grpcpp.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collector_process.h"
#include "llmtap/client.h"
#include "llmtap/v1/ingest.grpc.pb.h"
#include "llmtap/v1/query.grpc.pb.h"
#include "tools/loadgen/common.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr char kConfig[] = R"pb(
  rubrics { name: "speed" kind: RUBRIC_KIND_LATENCY bound { good: 200 bad: 3000 } }
  rubrics { name: "brevity" kind: RUBRIC_KIND_LENGTH length { max_words: 12 } }
  rubrics { name: "polite" kind: RUBRIC_KIND_REGEX regex { must: "(?i)please|thanks" } }
)pb";

int Env(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Background load through the SDK: `rate` samples/s (0: as fast as ingest takes them).
class Load {
 public:
  Load(const std::string& address, const std::string& app, int rate, int streams)
      : texts_(1024) {
    for (int i = 0; i < streams; ++i) {
      llmtap::ClientOptions o;
      o.collector_address = address;
      o.app = app;
      o.max_batch_samples = 1024;
      o.max_buffer_bytes = 1u << 30;
      std::unique_ptr<llmtap::Client> c;
      if (llmtap::Client::Create(o, &c).ok()) clients_.push_back(std::move(c));
    }
    for (size_t t = 0; t < clients_.size(); ++t) {
      threads_.emplace_back([this, t, app, rate, streams] {
        llmtap::Client* client = clients_[t].get();
        uint64_t n = t * 7919;
        const auto start = Clock::now();
        uint64_t sent = 0;
        while (!stop_.load()) {
          if (rate > 0) {
            const double due = std::chrono::duration<double>(Clock::now() - start).count() *
                               rate / streams;
            if (sent >= due) {
              std::this_thread::sleep_for(std::chrono::milliseconds(10));
              continue;
            }
          } else if (client->Stats().pending > 16384) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
          }
          for (int k = 0; k < 256; ++k, ++n, ++sent) {
            llmtap::Sample s;
            s.app = app;
            s.model = "m1";
            s.prompt = texts_.prompts[n % texts_.prompts.size()];
            s.response = texts_.responses[(n * 31) % texts_.responses.size()];
            s.latency_ms = 100 + static_cast<double>((n * 7919) % 900);
            client->Record(std::move(s));
          }
        }
      });
    }
  }
  ~Load() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    for (auto& c : clients_) c->Shutdown(std::chrono::seconds(5));
  }

 private:
  const llmtap::tools::SampleTexts texts_;
  std::vector<std::unique_ptr<llmtap::Client>> clients_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
};

struct Counts {
  uint64_t stored = 0;
  uint64_t scored = 0;  // Samples every rubric has scored (the least of the three).
  uint64_t backlog = 0;
};

class Probe {
 public:
  explicit Probe(const std::string& address)
      : channel_(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())),
        ingest_(llmtap::v1::IngestService::NewStub(channel_)),
        query_(llmtap::v1::QueryService::NewStub(channel_)) {}

  // Milliseconds from Ingest to a GetSample with three scores; negative on failure.
  // `acked_ms`: of which the Ingest call itself (until the sample was stored).
  double Once(const std::string& app, int i, double* acked_ms) {
    char id[33];
    std::snprintf(id, sizeof id, "0194d0e0f0a0b0c0%016x", i);
    llmtap::v1::IngestRequest request;
    llmtap::v1::Sample* s = request.add_samples();
    s->set_id(id);
    s->set_app(app);
    s->set_model("m1");
    s->set_start_time_unix_nano(NowNs());
    s->set_prompt("please tell me the time");
    s->set_response("thanks for asking, it is noon");
    s->set_latency_ms(420);
    const auto start = Clock::now();
    {
      grpc::ClientContext context;
      llmtap::v1::IngestResponse response;
      if (!ingest_->Ingest(&context, request, &response).ok()) return -1;
    }
    *acked_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    while (Clock::now() - start < std::chrono::seconds(120)) {
      llmtap::v1::GetSampleRequest get;
      get.set_id(id);
      llmtap::v1::GetSampleResponse got;
      grpc::ClientContext context;
      if (query_->GetSample(&context, get, &got).ok() && got.scores_size() >= 3) {
        return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      }
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    return -1;
  }

  Counts Count(const std::string& app) {
    llmtap::v1::CompletenessRequest request;
    request.mutable_filter()->set_app(app);
    llmtap::v1::CompletenessResponse c;
    grpc::ClientContext context;
    Counts out;
    if (!query_->Completeness(&context, request, &c).ok()) return out;
    out.stored = c.stored();
    out.scored = c.rubrics_size() == 3 ? UINT64_MAX : 0;
    for (const auto& r : c.rubrics()) out.scored = std::min<uint64_t>(out.scored, r.scored());
    out.backlog = c.scoring_backlog();
    return out;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<llmtap::v1::IngestService::Stub> ingest_;
  std::unique_ptr<llmtap::v1::QueryService::Stub> query_;
};

// CPU seconds (user + system) used so far by the llmtapd this process started.
double DaemonCpuSeconds() {
  const std::string self = std::to_string(getpid());
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t close = stat.rfind(')');
    if (close == std::string::npos || stat.find("(llmtapd)") == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string f[13];
    for (auto& x : f) fields >> x;  // state ppid ... utime(12th) stime(13th) after ")".
    if (f[1] != self) continue;
    return (std::stod(f[11]) + std::stod(f[12])) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return 0;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "idle";
  const int probes = Env("LLMTAP_BENCH_PROBES", 200);
  const int rate = Env("LLMTAP_BENCH_RATE", 50000);
  llmtap::testing::CollectorProcess collector(kConfig);
  if (!collector.Start()) {
    std::fprintf(stderr, "llmtapd did not start:\n%s\n", collector.log().c_str());
    return 1;
  }
  Probe probe(collector.grpc_address());

  if (mode == "throughput") {
    const int backlog = Env("LLMTAP_BENCH_BACKLOG", 300000);
    {
      Load load(collector.grpc_address(), "bulk", 0, 4);
      while (probe.Count("bulk").stored < static_cast<uint64_t>(backlog)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    Counts a = probe.Count("bulk");
    const double cpu_start = DaemonCpuSeconds();
    const auto start = Clock::now();
    Counts b = a;
    while (b.scored < b.stored && Clock::now() - start < std::chrono::seconds(300)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      b = probe.Count("bulk");
    }
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = DaemonCpuSeconds() - cpu_start;
    const double drained = static_cast<double>(b.scored - a.scored);
    std::printf(
        "mode=throughput stored=%llu drained=%.0f seconds=%.2f scored_per_s=%.0f "
        "daemon_cpu_s=%.2f scored_per_cpu_s=%.0f\n",
        static_cast<unsigned long long>(b.stored), drained, s, drained / s, cpu,
        cpu > 0 ? drained / cpu : 0.0);
    return 0;
  }

  std::unique_ptr<Load> load;
  std::string probe_app = "quiet";
  double probe_gap_ms = 50;
  if (mode == "load") {
    load = std::make_unique<Load>(collector.grpc_address(), "bulk", rate, 2);
    probe_app = "bulk";
    probe_gap_ms = 100;
  } else if (mode == "flood") {
    load = std::make_unique<Load>(collector.grpc_address(), "flood", 0, 4);
    probe_gap_ms = 100;  // 10 samples/s.
  } else if (mode != "idle") {
    std::fprintf(stderr, "usage: bench_freshness idle|load|flood|throughput\n");
    return 2;
  }
  const std::string bulk_app = mode == "flood" ? "flood" : "bulk";
  if (load) std::this_thread::sleep_for(std::chrono::seconds(5));  // Warm up.
  const Counts before = probe.Count(bulk_app);
  const double cpu_start = DaemonCpuSeconds();
  const auto start = Clock::now();
  std::vector<double> ms, acked, after_ack;
  int failed = 0;
  for (int i = 0; i < probes; ++i) {
    const auto next = start + std::chrono::microseconds(static_cast<int64_t>(
                                  (i + 1) * probe_gap_ms * 1000));
    double ack = 0;
    const double t = probe.Once(probe_app, i, &ack);
    if (t < 0) {
      ++failed;
    } else {
      ms.push_back(t);
      acked.push_back(ack);
      after_ack.push_back(t - ack);
    }
    std::this_thread::sleep_until(next);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const Counts after = probe.Count(bulk_app);
  const double cpu = DaemonCpuSeconds() - cpu_start;
  load.reset();
  std::printf(
      "mode=%s probes=%zu failed=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f "
      "ingest_per_s=%.0f scored_per_s=%.0f end_backlog=%llu daemon_cpu_per_s=%.2f\n",
      mode.c_str(), ms.size(), failed, Percentile(ms, 0.5), Percentile(ms, 0.9),
      Percentile(ms, 0.99), ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()),
      (after.stored - before.stored) / seconds,
      after.scored >= before.scored ? (after.scored - before.scored) / seconds : 0.0,
      static_cast<unsigned long long>(after.backlog), cpu / seconds);
  std::printf("  of which ingest call (record to stored): p50_ms=%.2f p99_ms=%.2f; stored to "
              "scores queryable: p50_ms=%.2f p99_ms=%.2f\n",
              Percentile(acked, 0.5), Percentile(acked, 0.99), Percentile(after_ack, 0.5),
              Percentile(after_ack, 0.99));
  return failed == 0 ? 0 : 1;
}
