// llmtap-loadgen: drives llmtapd through the real SDK from several streams at once.
//
//   llmtap-loadgen --collector=127.0.0.1:7317 --streams=4 --seconds=10 --sample_bytes=1024
//
// Each stream is its own llmtap::Client (its own gRPC channel and stream). `--threads`
// recording threads (default: one per stream) feed the clients round-robin as fast as the
// collector acknowledges: a thread waits while its clients hold more than `--max_pending`
// samples, so nothing is dropped. Prompts and responses are drawn from pools of texts made of
// random words, so that they compress about as well as real text (SampleTexts in common.h).
//
// Output: one line of settings and totals, `cpu_s=` (this process's user + system CPU time),
// and last `samples_per_s=N`: samples acknowledged per second of wall time, counted from the
// first Record to the last ack.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "llmtap/client.h"
#include "tools/loadgen/common.h"

ABSL_FLAG(std::string, collector, "127.0.0.1:7317", "llmtapd address.");
ABSL_FLAG(int, streams, 4, "Concurrent clients, each with its own channel and stream.");
ABSL_FLAG(int, threads, 0, "Recording threads (0: one per stream).");
ABSL_FLAG(double, seconds, 10, "How long to record.");
ABSL_FLAG(int, sample_bytes, 1024, "Approximate size of each sample's prompt + response.");
ABSL_FLAG(int, batch_samples, 1024, "SDK batch size (samples).");
ABSL_FLAG(int, batch_kb, 1024, "SDK batch size (KiB).");
ABSL_FLAG(int, inflight, 8, "SDK batches in flight per stream.");
ABSL_FLAG(int, max_pending, 0, "Samples pending per client before its thread waits "
                               "(0: 2 x inflight x batch_samples).");
ABSL_FLAG(std::string, app, "loadgen", "App name of the samples.");
ABSL_FLAG(std::string, api_key, "",
          "API key for a collector with keys (default: $LLMTAP_API_KEY).");
ABSL_FLAG(int, wait_us, 2000, "How long a thread sleeps before it checks its clients' pending "
                              "counts again.");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int streams = absl::GetFlag(FLAGS_streams);
  const int threads_n = absl::GetFlag(FLAGS_threads) > 0 ? absl::GetFlag(FLAGS_threads) : streams;
  const auto duration = std::chrono::duration<double>(absl::GetFlag(FLAGS_seconds));
  const int bytes = absl::GetFlag(FLAGS_sample_bytes);
  const uint64_t max_pending =
      absl::GetFlag(FLAGS_max_pending) > 0
          ? absl::GetFlag(FLAGS_max_pending)
          : 2ull * absl::GetFlag(FLAGS_inflight) * absl::GetFlag(FLAGS_batch_samples);

  const auto wait = std::chrono::microseconds(absl::GetFlag(FLAGS_wait_us));
  std::vector<std::unique_ptr<llmtap::Client>> clients(streams);
  for (int i = 0; i < streams; ++i) {
    llmtap::ClientOptions o;
    o.collector_address = absl::GetFlag(FLAGS_collector);
    o.app = absl::GetFlag(FLAGS_app);
    o.api_key = absl::GetFlag(FLAGS_api_key);
    if (const char* env = std::getenv("LLMTAP_API_KEY"); o.api_key.empty() && env != nullptr) {
      o.api_key = env;
    }
    o.max_batch_samples = absl::GetFlag(FLAGS_batch_samples);
    o.max_batch_bytes = static_cast<size_t>(absl::GetFlag(FLAGS_batch_kb)) << 10;
    o.max_inflight_batches = absl::GetFlag(FLAGS_inflight);
    o.max_buffer_bytes = 1u << 30;
    if (auto s = llmtap::Client::Create(o, &clients[i]); !s.ok()) {
      std::fprintf(stderr, "client: %s\n", s.ToString().c_str());
      return 1;
    }
  }
  const llmtap::tools::SampleTexts texts(bytes);

  const double cpu_start = llmtap::tools::CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < threads_n; ++t) {
    threads.emplace_back([&, t] {
      std::vector<llmtap::Client*> mine;
      for (int i = t; i < streams; i += threads_n) mine.push_back(clients[i].get());
      if (mine.empty()) return;
      llmtap::Sample tmpl;
      tmpl.app = absl::GetFlag(FLAGS_app);
      tmpl.model = t % 2 ? "gpt-4o-mini" : "llama-3.1-8b";
      tmpl.variant = "production";
      tmpl.session_id = "session-" + std::to_string(t);
      tmpl.input_tokens = 120;
      tmpl.output_tokens = 240;
      tmpl.metadata = {{"tenant", "acme"}};
      // Threads start far apart in the response pool, so that none sends a response another
      // sent moments before.
      uint64_t n = t * (texts.responses.size() / threads_n);
      while (std::chrono::steady_clock::now() - start < duration) {
        for (llmtap::Client* client : mine) {
          for (int k = 0; k < 256; ++k, ++n) {
            llmtap::Sample s = tmpl;
            s.prompt = texts.prompts[n % texts.prompts.size()];
            s.response = texts.responses[(n * 31) % texts.responses.size()];
            s.latency_ms = 100 + static_cast<double>((n * 7919) % 900);
            client->Record(std::move(s));
          }
          while (client->Stats().pending > max_pending &&
                 std::chrono::steady_clock::now() - start < duration) {
            std::this_thread::sleep_for(wait);
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  uint64_t acked = 0, dropped = 0, recorded = 0;
  for (auto& c : clients) {
    c->Flush(std::chrono::seconds(60));
    const llmtap::ClientStats s = c->Stats();
    acked += s.acked;
    dropped += s.dropped;
    recorded += s.recorded;
  }
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = llmtap::tools::CpuSeconds() - cpu_start;
  for (auto& c : clients) c->Shutdown(std::chrono::seconds(5));
  std::printf("streams=%d threads=%d recorded=%llu acked=%llu dropped=%llu seconds=%.2f\n",
              streams, threads_n, static_cast<unsigned long long>(recorded),
              static_cast<unsigned long long>(acked), static_cast<unsigned long long>(dropped),
              elapsed);
  std::printf("cpu_s=%.2f cpu_s_per_100k=%.3f\n", cpu, acked ? cpu * 1e5 / acked : 0.0);
  std::printf("samples_per_s=%.0f\n", acked / elapsed);
  return acked == recorded ? 0 : 1;
}
