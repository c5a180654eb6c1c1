// llmtap-store-bench: the store's write path alone. One thread calls Store::Ingest with
// batches of ~1 KB samples, as the daemon's committer does, in this process: no gRPC, no
// parsing, no validation, no SDK. What it sustains is the ceiling of scripts/bench_ingest.sh on
// the same machine (what the daemon would reach if everything in front of the store were
// free), and its CPU per 100k samples is the store's share of the daemon's.
//
//   llmtap-store-bench --data_dir=/tmp/store-bench [--config=llmtapd.textproto]
//                      [--seconds=60] [--batch=4096] [--sample_bytes=1024] [--enqueue]
//
// --data_dir must not exist yet (it is the store's folder, left behind for inspection);
// the config's storage block sets the store up as it would the daemon's (sync_wal included).
// --enqueue adds a scoring-queue entry per sample, as the daemon does when a rubric is
// enabled. Output: one line of settings and totals, last `samples_per_s=N cpu_s_per_100k=X`
// (this process's CPU, RocksDB's background flushes and compactions included; the time and CPU
// spent building the samples are left out of both figures).
#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "collector/config/config_loader.h"
#include "collector/store/store.h"
#include "llmtap/v1/sample.pb.h"
#include "llmtap/sample.h"
#include "tools/loadgen/common.h"

ABSL_FLAG(std::string, data_dir, "", "Folder for the store (must not exist).");
ABSL_FLAG(double, seconds, 60, "How long to write.");
ABSL_FLAG(int, batch, 4096, "Samples per Store::Ingest call (one RocksDB write).");
ABSL_FLAG(int, sample_bytes, 1024, "Approximate size of each sample's prompt + response.");
ABSL_FLAG(std::string, config, "", "A daemon configuration; its storage block is used.");
ABSL_FLAG(bool, enqueue, false, "Add a scoring-queue entry per sample.");

namespace {

// CPU time of the calling thread alone, in seconds.
double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  if (dir.empty() || std::filesystem::exists(dir)) {
    std::fprintf(stderr, "llmtap-store-bench: --data_dir must name a folder that does not exist\n");
    return 1;
  }
  auto config = llmtap::collector::LoadConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) {
    std::fprintf(stderr, "llmtap-store-bench: %s\n", config.status().ToString().c_str());
    return 1;
  }
  auto store = llmtap::collector::Store::Open(dir, config->storage());
  if (!store.ok()) {
    std::fprintf(stderr, "llmtap-store-bench: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const int bytes = absl::GetFlag(FLAGS_sample_bytes);
  const int batch = absl::GetFlag(FLAGS_batch);
  const llmtap::tools::SampleTexts texts(bytes);

  // Building a batch is left out of both the time and the CPU counted: in the daemon the
  // samples arrive parsed.
  std::vector<llmtap::v1::Sample> samples(batch);
  llmtap::collector::IngestWrite write;
  write.enqueue = absl::GetFlag(FLAGS_enqueue);
  for (auto& s : samples) write.samples.push_back(&s);
  std::vector<char> is_new;
  uint64_t n = 0, stored = 0;
  double building_cpu = 0, building_wall = 0;
  const double cpu_start = llmtap::tools::CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(absl::GetFlag(FLAGS_seconds));
  while (std::chrono::steady_clock::now() < end) {
    const double build_start = ThreadCpuSeconds();
    const auto build_wall_start = std::chrono::steady_clock::now();
    const auto now = std::chrono::system_clock::now();
    const int64_t now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
    for (auto& s : samples) {
      s.Clear();
      s.set_id(llmtap::NewSampleId());
      s.set_app("store-bench");
      s.set_session_id("session-" + std::to_string(n % 1000));
      s.set_model(n % 2 ? "gpt-4o-mini" : "llama-3.1-8b");
      s.set_variant("production");
      s.set_prompt(texts.prompts[n % texts.prompts.size()]);
      s.set_response(texts.responses[(n * 31) % texts.responses.size()]);
      s.set_start_time_unix_nano(now_ns);
      s.set_latency_ms(100 + n % 900);
      s.set_input_tokens(bytes / 12);
      s.set_output_tokens(bytes / 6);
      ++n;
    }
    building_cpu += ThreadCpuSeconds() - build_start;
    building_wall += std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                   build_wall_start).count();
    if (absl::Status st = (*store)->Ingest(write, &is_new); !st.ok()) {
      std::fprintf(stderr, "llmtap-store-bench: %s\n", st.ToString().c_str());
      return 1;
    }
    for (char c : is_new) stored += c;
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() -
      building_wall;
  const double cpu = llmtap::tools::CpuSeconds() - cpu_start - building_cpu;
  std::printf("batch=%d sample_bytes=%d sync_wal=%d enqueue=%d samples=%llu stored=%llu "
              "seconds=%.1f\n",
              batch, bytes, config->storage().sync_wal() ? 1 : 0, write.enqueue ? 1 : 0,
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(stored), wall);
  std::printf("samples_per_s=%.0f cpu_s_per_100k=%.3f\n", stored / wall, cpu * 1e5 / stored);
  return stored == n ? 0 : 1;
}
