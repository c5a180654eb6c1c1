// llmtap-loadgen: drives llmtapd through the real SDK from several streams at once.
//
//   llmtap-loadgen --collector=127.0.0.1:7317 --streams=4 --seconds=10 --sample_bytes=1024
//
// Each stream is its own llmtap::Client (its own gRPC stream) fed by its own thread as fast as
// the collector acknowledges (it waits when too much is pending, so nothing is dropped). The
// last line of output is `samples_per_s=N`: samples acknowledged per second of wall time,
// counted from the first Record to the last ack.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "llmtap/client.h"

ABSL_FLAG(std::string, collector, "127.0.0.1:7317", "llmtapd address.");
ABSL_FLAG(int, streams, 4, "Concurrent clients, each with its own stream and thread.");
ABSL_FLAG(double, seconds, 10, "How long to record.");
ABSL_FLAG(int, sample_bytes, 1024, "Approximate size of each sample's prompt + response.");
ABSL_FLAG(int, batch_samples, 512, "SDK batch size.");
ABSL_FLAG(std::string, app, "loadgen", "App name of the samples.");

namespace {

llmtap::Sample Template(int bytes, int stream) {
  llmtap::Sample s;
  s.app = absl::GetFlag(FLAGS_app);
  s.model = stream % 2 ? "gpt-4o-mini" : "llama-3.1-8b";
  s.variant = "production";
  s.session_id = "session-" + std::to_string(stream);
  std::string text;
  while (static_cast<int>(text.size()) < bytes) {
    text += "the quick brown fox jumps over the lazy dog " + std::to_string(text.size()) + " ";
  }
  s.prompt = text.substr(0, bytes / 3);
  s.response = text.substr(0, bytes - bytes / 3);
  s.input_tokens = 120;
  s.output_tokens = 240;
  s.metadata = {{"tenant", "acme"}};
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int streams = absl::GetFlag(FLAGS_streams);
  const auto duration = std::chrono::duration<double>(absl::GetFlag(FLAGS_seconds));

  std::vector<std::unique_ptr<llmtap::Client>> clients(streams);
  for (int i = 0; i < streams; ++i) {
    llmtap::ClientOptions o;
    o.collector_address = absl::GetFlag(FLAGS_collector);
    o.app = absl::GetFlag(FLAGS_app);
    o.max_batch_samples = absl::GetFlag(FLAGS_batch_samples);
    o.max_buffer_bytes = 256u << 20;
    if (auto s = llmtap::Client::Create(o, &clients[i]); !s.ok()) {
      std::fprintf(stderr, "client: %s\n", s.ToString().c_str());
      return 1;
    }
  }

  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < streams; ++i) {
    threads.emplace_back([&, i] {
      const llmtap::Sample tmpl = Template(absl::GetFlag(FLAGS_sample_bytes), i);
      llmtap::Client& client = *clients[i];
      // Keep a few batches in flight per stream, no more: a closed loop, no drops.
      const uint64_t max_pending = 16 * static_cast<uint64_t>(absl::GetFlag(FLAGS_batch_samples));
      int64_t n = 0;
      while (std::chrono::steady_clock::now() - start < duration) {
        for (int k = 0; k < 256; ++k) {
          llmtap::Sample s = tmpl;
          s.latency_ms = 100 + (n * 7919) % 900;
          ++n;
          client.Record(std::move(s));
        }
        while (client.Stats().pending > max_pending &&
               std::chrono::steady_clock::now() - start < duration) {
          std::this_thread::sleep_for(std::chrono::microseconds(200));
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
  for (auto& c : clients) c->Shutdown(std::chrono::seconds(5));
  std::printf("streams=%d recorded=%llu acked=%llu dropped=%llu seconds=%.2f\n", streams,
              static_cast<unsigned long long>(recorded), static_cast<unsigned long long>(acked),
              static_cast<unsigned long long>(dropped), elapsed);
  std::printf("samples_per_s=%.0f\n", acked / elapsed);
  return acked == recorded ? 0 : 1;
}
