// bench_sdk: what Client::Record costs the calling thread, and how fast samples reach a real
// collector.
//
//   bench_sdk [benchmark flags]
//
// To compare builds, scripts/bench_sdk_compare.sh runs copies of this binary in turn.
//
// Runs against $LLMTAP_BENCH_COLLECTOR (host:port) when set, else starts build/bin/llmtapd on
// free loopback ports through the test fixture.
//
// BM_Record and BM_RecordPaced time every Record() of a 1 KB sample on its own (steady_clock
// around the call) and report the percentiles over all threads as counters p50_ns, p99_ns,
// p999_ns; the benchmark's own time is the mean (manual time). BM_Record records as fast as
// it can, which outpaces any collector, so the buffer fills and the oldest samples are
// dropped: that path is part of what is timed; drop_ratio says how much. BM_RecordPaced
// records 20,000 samples/s in all, which the collector keeps up with (drop_ratio 0), its
// threads' calls spread evenly in time (8 threads waking on the same tick preempted one
// another inside Record on 2 cores: p99 9.9 us against 2.2 us spread);
// BM_PacedFloor times the same paced loop around a plain move of the sample, the machine's
// floor under BM_RecordPaced. BM_Delivery records 200,000 1 KB samples and flushes;
// delivered_per_s is acked samples per second of wall time, end to end.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "collector_process.h"
#include "llmtap/client.h"

namespace {

std::string g_address;

llmtap::Sample OneKilobyteSample(int i) {
  llmtap::Sample s;
  s.model = "gpt-4o-mini";
  s.session_id = "session-" + std::to_string(i % 100);
  s.prompt = std::string(700, 'p');
  s.response = std::string(300, 'r');
  s.latency_ms = 123.4;
  s.input_tokens = 180;
  s.output_tokens = 75;
  return s;
}

std::unique_ptr<llmtap::Client> NewClient(size_t budget) {
  llmtap::ClientOptions o;
  o.collector_address = g_address;
  o.app = "bench";
  o.max_buffer_bytes = budget;
  std::unique_ptr<llmtap::Client> c;
  if (!llmtap::Client::Create(o, &c).ok()) std::abort();
  return c;
}

// Per-call latencies from every thread of one run; the last thread to finish reports.
struct Latencies {
  std::mutex mu;
  std::vector<uint32_t> ns;
  int arrived = 0;
};
Latencies g_latencies;
std::unique_ptr<llmtap::Client> g_record_client;
std::unique_ptr<llmtap::Client> g_paced_client;

// Times every Record() call; with a nonzero `interval`, each thread records once per interval.
void TimeRecords(benchmark::State& state, llmtap::Client* client,
                 std::chrono::nanoseconds interval) {
  llmtap::Sample sink;  // Without a client: where the sample is moved instead (the floor).
  const llmtap::ClientStats before = client ? client->Stats() : llmtap::ClientStats{};
  std::vector<uint32_t> mine;
  mine.reserve(1 << 20);
  const llmtap::Sample prototype = OneKilobyteSample(state.thread_index());
  // Paced threads start spread over one interval, as independent callers would be, rather
  // than all waking at the same instant and preempting one another.
  auto next = std::chrono::steady_clock::now() +
              interval * state.thread_index() / std::max(1, state.threads());
  for (auto _ : state) {
    llmtap::Sample s = prototype;  // The copy is the app's business, not timed.
    if (interval.count() > 0) {
      next += interval;
      std::this_thread::sleep_until(next);
    }
    const auto start = std::chrono::steady_clock::now();
    if (client != nullptr) {
      client->Record(std::move(s));
    } else {
      sink = std::move(s);
    }
    const auto took = std::chrono::steady_clock::now() - start;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(took).count();
    state.SetIterationTime(static_cast<double>(ns) * 1e-9);
    if (mine.size() < mine.capacity()) mine.push_back(static_cast<uint32_t>(ns));
  }
  std::lock_guard<std::mutex> lock(g_latencies.mu);
  g_latencies.ns.insert(g_latencies.ns.end(), mine.begin(), mine.end());
  if (++g_latencies.arrived < state.threads()) return;
  auto& all = g_latencies.ns;
  auto pct = [&](double p) {
    const size_t k = std::min(all.size() - 1, static_cast<size_t>(p * all.size()));
    std::nth_element(all.begin(), all.begin() + k, all.end());
    return static_cast<double>(all[k]);
  };
  if (!all.empty()) {
    state.counters["p50_ns"] = pct(0.50);
    state.counters["p99_ns"] = pct(0.99);
    state.counters["p999_ns"] = pct(0.999);
  }
  const llmtap::ClientStats after = client ? client->Stats() : llmtap::ClientStats{};
  const double recorded = static_cast<double>(after.recorded - before.recorded);
  if (recorded > 0) {
    state.counters["drop_ratio"] = static_cast<double>(after.dropped - before.dropped) / recorded;
  }
  all.clear();
  g_latencies.arrived = 0;
}
// As fast as the threads can: far more than any collector takes, so the budget stays full and
// nearly every call also drops the oldest sample (cold memory): the overload path.
void BM_Record(benchmark::State& state) {
  TimeRecords(state, g_record_client.get(), std::chrono::nanoseconds(0));
}
BENCHMARK(BM_Record)->Threads(1)->Threads(8)->UseManualTime();

// 20,000 samples/s in all, well within what reaches the collector (BM_Delivery): it keeps up
// and nothing is dropped, the regime an app normally runs in. Own client, empty buffer.
void BM_RecordPaced(benchmark::State& state) {
  // BM_Record leaves its client's buffer full; its delivery would compete for the CPU.
  if (state.thread_index() == 0) g_record_client->Flush(std::chrono::seconds(60));
  TimeRecords(state, g_paced_client.get(), std::chrono::microseconds(50) * state.threads());
}
BENCHMARK(BM_RecordPaced)->Threads(1)->Threads(8)->Iterations(10000)->UseManualTime();

// The floor of BM_RecordPaced on this machine: the same pacing and timing around the least a
// Record() could do, moving the sample into memory the thread owns. What a paced call costs
// above this is Record's; the rest is the clock and a caller whose caches went cold asleep.
void BM_PacedFloor(benchmark::State& state) {
  TimeRecords(state, nullptr, std::chrono::microseconds(50) * state.threads());
}
BENCHMARK(BM_PacedFloor)->Threads(1)->Threads(8)->Iterations(10000)->UseManualTime();

void BM_Delivery(benchmark::State& state) {
  constexpr int kSamples = 200000;
  for (auto _ : state) {
    auto client = NewClient(size_t{1} << 30);  // No drops: everything must arrive.
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kSamples; ++i) client->Record(OneKilobyteSample(i));
    const llmtap::Status flushed = client->Flush(std::chrono::seconds(120));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const llmtap::ClientStats stats = client->Stats();
    if (!flushed.ok() || stats.acked != static_cast<uint64_t>(kSamples)) {
      state.SkipWithError(("not all delivered: " + flushed.ToString()).c_str());
      break;
    }
    state.SetIterationTime(seconds);
    state.counters["delivered_per_s"] = static_cast<double>(stats.acked) / seconds;
    client->Shutdown(std::chrono::seconds(5));
  }
}
BENCHMARK(BM_Delivery)->Iterations(1)->Repetitions(3)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::unique_ptr<llmtap::testing::CollectorProcess> collector;
  if (const char* env = std::getenv("LLMTAP_BENCH_COLLECTOR"); env != nullptr && *env != '\0') {
    g_address = env;
  } else {
    collector = std::make_unique<llmtap::testing::CollectorProcess>();
    if (!collector->Start()) {
      std::fprintf(stderr, "cannot start llmtapd:\n%s\n", collector->log().c_str());
      return 1;
    }
    g_address = collector->grpc_address();
  }
  g_record_client = NewClient(64u << 20);
  g_paced_client = NewClient(64u << 20);
  benchmark::RunSpecifiedBenchmarks();
  for (auto* client : {&g_record_client, &g_paced_client}) {
    (*client)->Shutdown(std::chrono::seconds(1));
    client->reset();
  }
  benchmark::Shutdown();
  return 0;
}
