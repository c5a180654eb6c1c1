// llmtap-compact: flushes and fully compacts an llmtapd data folder (the daemon must not be
// running), so that its size on disk is final. Used by scripts/bench_ingest.sh to measure bytes
// per sample after compression.
//
//   llmtap-compact --data_dir=/tmp/llmtap-bench/data [--config=llmtapd.textproto]
//
// Prints `sst_bytes=N cpu_s=X` (live SST and blob files over all column families after
// compaction, and the CPU time this process spent, i.e. the cost of the flushes and compactions
// it ran) and exits 0, or prints the error and exits 1.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "collector/config/config_loader.h"
#include "collector/store/store.h"
#include "tools/loadgen/common.h"

ABSL_FLAG(std::string, data_dir, "", "Data folder of a stopped llmtapd.");
ABSL_FLAG(std::string, config, "", "The daemon's configuration (for its retention settings).");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto config = llmtap::collector::LoadConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) {
    std::fprintf(stderr, "llmtap-compact: %s\n", config.status().ToString().c_str());
    return 1;
  }
  auto store = llmtap::collector::Store::Open(absl::GetFlag(FLAGS_data_dir), config->storage());
  if (!store.ok()) {
    std::fprintf(stderr, "llmtap-compact: %s\n", store.status().ToString().c_str());
    return 1;
  }
  if (absl::Status s = (*store)->CompactAll(); !s.ok()) {
    std::fprintf(stderr, "llmtap-compact: %s\n", s.ToString().c_str());
    return 1;
  }
  const double cpu = llmtap::tools::CpuSeconds();
  std::printf("sst_bytes=%llu cpu_s=%.3f\n",
              static_cast<unsigned long long>((*store)->DiskBytes()), cpu);
  return 0;
}
