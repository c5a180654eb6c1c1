// bench_query: query latency against a real llmtapd holding 1,000,000 samples x 3 rubrics,
// loaded through the ingest path (gRPC IngestService, then the scoring engine scores every
// sample with three cheap built-in rubrics).
//
//   build/bin/bench_query                              # 1M samples, load then measure
//   LLMTAP_BENCH_SAMPLES=100000 build/bin/bench_query  # smaller, for a quick look
//   LLMTAP_BENCH_RESPONSE_BYTES=1024 build/bin/bench_query  # responses padded to ~1 KB, so
//                                                           # bodies live in blob files
//   LLMTAP_BENCH_THEN='node tests/bench/dashboard_timing.mjs' build/bin/bench_query
//       # instead of the gRPC benchmarks, runs the command once the data set is loaded, with
//       # LLMTAP_HTTP_ADDR set to the collector's HTTP address (scripts/bench_dashboard.sh)
//
// Targets (issue 6): Trend (hourly, 30 days, one app, grouped by rubric) p50 < 20 ms;
// Stats latency percentiles < 10 ms; ListSamples first page < 5 ms. Each benchmark reports
// p50_ms / p95_ms / p99_ms counters over its calls (wall time on the client, loopback gRPC).
// Loading time (ingest, then scoring to completion) is printed before the benchmarks run.
#include <sys/wait.h>

#include <benchmark/benchmark.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "collector_process.h"
#include "llmtap/v1/ingest.grpc.pb.h"
#include "llmtap/v1/query.grpc.pb.h"
#include "llmtap/v1/security.grpc.pb.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kNanos = 1'000'000'000;
constexpr int64_t kDay = 86400;
constexpr int kBatch = 4096;  // LIMIT_BATCH_SAMPLES.
constexpr int kLoaders = 2;
constexpr char kApp[] = "bench";

// Raw samples kept forever so that the fixed 30-day window is never trimmed by retention.
constexpr char kConfig[] = R"pb(
  storage { retention_days: 0 }
  rubrics { name: "speed" kind: RUBRIC_KIND_LATENCY bound { good: 200 bad: 3000 } }
  rubrics { name: "brevity" kind: RUBRIC_KIND_LENGTH length { max_words: 12 } }
  rubrics { name: "polite" kind: RUBRIC_KIND_REGEX regex { must: "(?i)please|thanks" } }
)pb";

std::shared_ptr<grpc::Channel> g_channel;
// LLMTAP_BENCH_AUTH=1: every call carries an API key (ingest with an admin key, queries with a
// read key scoped to the benchmark's app), so that side by side with a run without it the
// figures give the cost of authentication and scoping.
std::string g_authorization;
void Authorize(grpc::ClientContext* context) {
  if (!g_authorization.empty()) context->AddMetadata("authorization", g_authorization);
}
size_t g_response_bytes = 0;  // LLMTAP_BENCH_RESPONSE_BYTES: pad responses to this size.
int64_t g_end_s = 0;  // End of the 30-day window: the next UTC midnight.

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

// Sample i of n, spread evenly over the 30 days before now.
llmtap::v1::Sample MakeSample(int64_t i, int64_t n, int64_t now_ns) {
  const uint64_t h = Mix(static_cast<uint64_t>(i));
  const int64_t span_ns = 30 * kDay * kNanos - 60 * kNanos;
  const int64_t start = now_ns - span_ns + span_ns / n * i;
  llmtap::v1::Sample s;
  char id[33];
  // A time-ordered id: Unix milliseconds in the first 48 bits, then the index.
  std::snprintf(id, sizeof id, "%012llx%020llx",
                static_cast<unsigned long long>(start / 1'000'000),
                static_cast<unsigned long long>(i));
  s.set_id(id);
  s.set_app(kApp);
  s.set_model(h % 3 == 0 ? "gpt-4o" : "gpt-4o-mini");
  s.set_variant(h % 10 == 0 ? "shadow" : "production");
  s.set_session_id("session-" + std::to_string(h % 5000));
  (*s.mutable_metadata())["tenant"] = "t" + std::to_string(h % 20);
  s.set_prompt("Question " + std::to_string(i) + ": how do I reset my password?");
  s.set_response((h >> 8) % 3 == 0 ? "Please open settings, then security, thanks."
                                   : "Open settings, choose security, then reset the password "
                                     "with the link we email you.");
  // Padding of words picked by the sample's hash, so that bodies compress like text.
  static constexpr const char* kWords[] = {"account", "billing", "reset", "link", "email",
                                           "the", "your", "support", "order", "refund"};
  for (uint64_t x = h; s.response().size() < g_response_bytes; x = Mix(x)) {
    s.mutable_response()->append(" ").append(kWords[x % 10]);
  }
  s.set_start_time_unix_nano(start);
  s.set_latency_ms(80.0 + static_cast<double>((h >> 16) % 4000) * ((h >> 40) % 4 == 0 ? 1 : 0.3));
  s.set_time_to_first_token_ms(20.0 + static_cast<double>((h >> 24) % 300));
  s.set_input_tokens(50 + static_cast<int64_t>((h >> 32) % 800));
  s.set_output_tokens(10 + static_cast<int64_t>((h >> 44) % 300));
  s.set_cost_usd(1e-6 * static_cast<double>(s.input_tokens() + 3 * s.output_tokens()));
  if ((h >> 52) % 50 == 0) {
    s.set_status(llmtap::v1::CALL_STATUS_ERROR);
    s.set_error("HTTP 503");
  }
  return s;
}

// Ingests n samples with kLoaders concurrent unary Ingest calls of kBatch samples each.
bool Load(int64_t n) {
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> loaders;
  for (int t = 0; t < kLoaders; ++t) {
    loaders.emplace_back([&] {
      auto stub = llmtap::v1::IngestService::NewStub(g_channel);
      for (;;) {
        const int64_t from = next.fetch_add(kBatch);
        if (from >= n || failed) return;
        llmtap::v1::IngestRequest request;
        for (int64_t i = from; i < std::min(n, from + kBatch); ++i) {
          *request.add_samples() = MakeSample(i, n, now_ns);
        }
        grpc::ClientContext context;
        Authorize(&context);
        llmtap::v1::IngestResponse response;
        grpc::Status status = stub->Ingest(&context, request, &response);
        if (!status.ok()) {
          std::fprintf(stderr, "ingest failed: %s\n", status.error_message().c_str());
          failed = true;
          return;
        }
      }
    });
  }
  for (auto& t : loaders) t.join();
  return !failed;
}

// Waits until every rubric has scored n samples; prints progress every 10 s.
bool WaitScored(int64_t n) {
  auto stub = llmtap::v1::QueryService::NewStub(g_channel);
  auto last_print = Clock::now();
  for (;;) {
    llmtap::v1::CompletenessRequest request;
    request.mutable_filter()->set_app(kApp);
    llmtap::v1::CompletenessResponse c;
    grpc::ClientContext context;
        Authorize(&context);
    if (!stub->Completeness(&context, request, &c).ok()) return false;
    uint64_t least = c.rubrics_size() == 3 ? UINT64_MAX : 0;
    for (const auto& r : c.rubrics()) least = std::min<uint64_t>(least, r.scored() + r.errors());
    if (least >= static_cast<uint64_t>(n)) return true;
    if (Clock::now() - last_print > std::chrono::seconds(10)) {
      std::fprintf(stderr, "  scored %llu / %lld\n", static_cast<unsigned long long>(least),
                   static_cast<long long>(n));
      last_print = Clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

// Runs `call` once per iteration and reports p50/p95/p99 of its wall time in milliseconds.
template <typename Call>
void Measure(benchmark::State& state, Call call) {
  std::vector<double> ms;
  for (auto _ : state) {
    const auto start = Clock::now();
    if (!call()) {
      state.SkipWithError("RPC failed");
      return;
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double q) { return ms[std::min(ms.size() - 1, size_t(q * ms.size()))]; };
  state.counters["p50_ms"] = pct(0.50);
  state.counters["p95_ms"] = pct(0.95);
  state.counters["p99_ms"] = pct(0.99);
}

llmtap::v1::Filter ThirtyDays() {
  llmtap::v1::Filter f;
  f.set_app(kApp);
  f.set_start_unix_nano((g_end_s - 30 * kDay) * kNanos);
  f.set_end_unix_nano(g_end_s * kNanos);
  return f;
}

void BM_TrendHourly30DaysByRubric(benchmark::State& state) {
  auto stub = llmtap::v1::QueryService::NewStub(g_channel);
  llmtap::v1::TrendRequest request;
  *request.mutable_filter() = ThirtyDays();
  request.set_bucket_s(3600);
  request.set_group_by(llmtap::v1::GROUP_BY_RUBRIC);
  Measure(state, [&] {
    grpc::ClientContext context;
        Authorize(&context);
    llmtap::v1::TrendResponse response;
    return stub->Trend(&context, request, &response).ok() && response.series_size() == 3;
  });
}

void BM_StatsLatencyPercentiles30Days(benchmark::State& state) {
  auto stub = llmtap::v1::QueryService::NewStub(g_channel);
  llmtap::v1::StatsRequest request;
  *request.mutable_filter() = ThirtyDays();
  Measure(state, [&] {
    grpc::ClientContext context;
        Authorize(&context);
    llmtap::v1::StatsResponse response;
    return stub->Stats(&context, request, &response).ok() && response.latency_ms().p99() > 0;
  });
}

void BM_ListSamplesFirstPage(benchmark::State& state) {
  auto stub = llmtap::v1::QueryService::NewStub(g_channel);
  llmtap::v1::ListSamplesRequest request;
  request.mutable_filter()->set_app(kApp);
  request.set_page_size(50);
  Measure(state, [&] {
    grpc::ClientContext context;
        Authorize(&context);
    llmtap::v1::ListSamplesResponse response;
    return stub->ListSamples(&context, request, &response).ok() &&
           response.samples_size() == 50;
  });
}

void BM_CompareVariants30Days(benchmark::State& state) {
  auto stub = llmtap::v1::QueryService::NewStub(g_channel);
  llmtap::v1::CompareRequest request;
  *request.mutable_baseline() = ThirtyDays();
  request.mutable_baseline()->set_variant("production");
  *request.mutable_candidate() = ThirtyDays();
  request.mutable_candidate()->set_variant("shadow");
  Measure(state, [&] {
    grpc::ClientContext context;
        Authorize(&context);
    llmtap::v1::CompareResponse response;
    return stub->Compare(&context, request, &response).ok() && response.rubrics_size() == 3;
  });
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  int64_t n = 1'000'000;
  if (const char* env = std::getenv("LLMTAP_BENCH_SAMPLES"); env != nullptr && *env != '\0') {
    n = std::atoll(env);
  }
  if (const char* env = std::getenv("LLMTAP_BENCH_RESPONSE_BYTES"); env != nullptr) {
    g_response_bytes = static_cast<size_t>(std::atoll(env));
  }
  llmtap::testing::CollectorProcess collector(kConfig);
  if (!collector.Start()) {
    std::fprintf(stderr, "cannot start llmtapd:\n%s\n", collector.log().c_str());
    return 1;
  }
  g_channel = grpc::CreateChannel(collector.grpc_address(), grpc::InsecureChannelCredentials());
  std::string read_key;
  if (const char* env = std::getenv("LLMTAP_BENCH_AUTH"); env != nullptr && *env == '1') {
    auto admin = llmtap::v1::AdminService::NewStub(g_channel);
    auto make = [&](llmtap::v1::Role role, const char* app) {
      llmtap::v1::CreateKeyRequest r;
      r.set_role(role);
      if (app != nullptr) r.add_apps(app);
      llmtap::v1::CreateKeyResponse made;
      grpc::ClientContext context;
      Authorize(&context);
      admin->CreateKey(&context, r, &made).IgnoreError();
      return made.secret();
    };
    g_authorization = "Bearer " + make(llmtap::v1::ROLE_ADMIN, nullptr);
    read_key = make(llmtap::v1::ROLE_READ, kApp);
    std::fprintf(stderr, "API keys on: queries with a read key scoped to %s\n", kApp);
  }
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  g_end_s = (now_s / kDay + 1) * kDay;

  std::fprintf(stderr, "loading %lld samples x 3 rubrics through gRPC ingest...\n",
               static_cast<long long>(n));
  const auto t0 = Clock::now();
  if (!Load(n)) return 1;
  const double ingest_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::fprintf(stderr, "  ingested in %.1f s (%.0f samples/s); scoring...\n", ingest_s,
               n / ingest_s);
  if (!WaitScored(n)) return 1;
  const double total_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!read_key.empty()) g_authorization = "Bearer " + read_key;
  std::fprintf(stderr, "  loaded and scored in %.1f s (%.0f samples/s, %.0f scores/s)\n",
               total_s, n / total_s, 3 * n / total_s);

  if (const char* then = std::getenv("LLMTAP_BENCH_THEN"); then != nullptr && *then != '\0') {
    setenv("LLMTAP_HTTP_ADDR", collector.http_address().c_str(), 1);
    const int rc = std::system(then);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
  }

  // First with the rollup merge operands of the load still in the memtables, then after a
  // restart, when RocksDB has flushed them into SST files (as any memtable flush would). The
  // restart is a one-iteration pseudo-benchmark so that everything runs in one pass.
  for (const std::string phase : {"after_load", "after_restart"}) {
    if (phase == "after_restart") {
      benchmark::RegisterBenchmark("Restart", [&collector](benchmark::State& state) {
        for (auto _ : state) {
          collector.Stop();
          if (!collector.Start()) {
            state.SkipWithError("cannot restart llmtapd");
            return;
          }
          g_channel =
              grpc::CreateChannel(collector.grpc_address(), grpc::InsecureChannelCredentials());
        }
      })->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
    }
    benchmark::RegisterBenchmark(("Trend/hourly_30d_one_app_by_rubric/" + phase).c_str(),
                                 BM_TrendHourly30DaysByRubric)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("Stats/latency_percentiles_30d/" + phase).c_str(),
                                 BM_StatsLatencyPercentiles30Days)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("ListSamples/first_page_50/" + phase).c_str(),
                                 BM_ListSamplesFirstPage)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("Compare/variants_30d_3_rubrics/" + phase).c_str(),
                                 BM_CompareVariants30Days)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
