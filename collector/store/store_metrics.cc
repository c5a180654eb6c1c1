// Store::ExportMetrics: RocksDB properties and statistics as Prometheus series, read at scrape.
#include <cstdint>
#include <map>
#include <string>

#include "collector/common/strings.h"
#include "collector/store/store.h"
#include "rocksdb/db.h"
#include "rocksdb/statistics.h"

namespace llmtap::collector {
namespace {

struct PropertyMetric {
  const char* name;
  const char* help;
  const std::string& property;
};

}  // namespace

void Store::ExportMetrics(Metrics* metrics) const {
  using Type = Metrics::Type;
  // Per column family: cf="samples", ...
  static const PropertyMetric kPerFamily[] = {
      {"llmtap_rocksdb_estimate_num_keys", "Estimated keys (rocksdb.estimate-num-keys).",
       rocksdb::DB::Properties::kEstimateNumKeys},
      {"llmtap_rocksdb_live_sst_bytes", "Bytes of live SST files.",
       rocksdb::DB::Properties::kLiveSstFilesSize},
      {"llmtap_rocksdb_total_sst_bytes", "Bytes of all SST files, obsolete ones included.",
       rocksdb::DB::Properties::kTotalSstFilesSize},
      {"llmtap_rocksdb_memtable_bytes", "Bytes in memtables (active, immutable and pinned).",
       rocksdb::DB::Properties::kCurSizeAllMemTables},
      {"llmtap_rocksdb_pending_compaction_bytes",
       "Estimated bytes compaction must rewrite to settle the levels.",
       rocksdb::DB::Properties::kEstimatePendingCompactionBytes},
  };
  for (const PropertyMetric& p : kPerFamily) {
    metrics->AddFamily(p.name, p.help, Type::kGauge, [this, &p] {
      Metrics::Series out;
      for (auto* h : handles_) {
        uint64_t v = 0;
        if (db_->GetIntProperty(h, p.property, &v)) {
          out.emplace_back(Cat("cf=\"", h->GetName(), "\""), static_cast<double>(v));
        }
      }
      return out;
    });
  }
  metrics->AddFamily("llmtap_rocksdb_l0_files", "SST files at level 0.", Type::kGauge, [this] {
    Metrics::Series out;
    for (auto* h : handles_) {
      std::string v;
      if (db_->GetProperty(h, Cat(rocksdb::DB::Properties::kNumFilesAtLevelPrefix, "0"), &v)) {
        out.emplace_back(Cat("cf=\"", h->GetName(), "\""), std::stod(v));
      }
    }
    return out;
  });
  metrics->AddFamily(
      "llmtap_rocksdb_write_stalls_total",
      "Writes slowed down or stopped by RocksDB, by cause (rocksdb.cfstats io_stalls).",
      Type::kCounter, [this] {
        std::map<std::string, double> sum;
        for (auto* h : handles_) {
          std::map<std::string, std::string> stats;
          if (!db_->GetMapProperty(h, rocksdb::DB::Properties::kCFStats, &stats)) continue;
          for (const auto& [key, value] : stats) {
            constexpr std::string_view kPrefix = "io_stalls.";
            if (key.compare(0, kPrefix.size(), kPrefix) != 0) continue;
            sum[key.substr(kPrefix.size())] += std::stod(value);
          }
        }
        Metrics::Series out;
        for (const auto& [kind, n] : sum) out.emplace_back(Cat("kind=\"", kind, "\""), n);
        return out;
      });

  // DB-wide properties.
  static const PropertyMetric kDbWide[] = {
      {"llmtap_rocksdb_block_cache_bytes", "Bytes in the block cache.",
       rocksdb::DB::Properties::kBlockCacheUsage},
      {"llmtap_rocksdb_running_compactions", "Compactions running.",
       rocksdb::DB::Properties::kNumRunningCompactions},
      {"llmtap_rocksdb_running_flushes", "Flushes running.",
       rocksdb::DB::Properties::kNumRunningFlushes},
      {"llmtap_rocksdb_write_stopped", "1 while RocksDB stops writes.",
       rocksdb::DB::Properties::kIsWriteStopped},
      {"llmtap_rocksdb_delayed_write_rate", "Bytes/s writes are slowed to (0: not slowed).",
       rocksdb::DB::Properties::kActualDelayedWriteRate},
      {"llmtap_rocksdb_background_errors", "Background errors since open.",
       rocksdb::DB::Properties::kBackgroundErrors},
  };
  for (const PropertyMetric& p : kDbWide) {
    metrics->AddGauge(p.name, p.help, [this, &p] {
      uint64_t v = 0;
      db_->GetIntProperty(p.property, &v);
      return static_cast<double>(v);
    });
  }

  // Statistics tickers (since open).
  struct TickerMetric {
    const char* name;
    const char* help;
    rocksdb::Tickers ticker;
  };
  static const TickerMetric kTickers[] = {
      {"llmtap_rocksdb_wal_bytes_total", "Bytes written to the WAL.", rocksdb::WAL_FILE_BYTES},
      {"llmtap_rocksdb_wal_syncs_total", "WAL fsyncs.", rocksdb::WAL_FILE_SYNCED},
      {"llmtap_rocksdb_bytes_written_total", "Bytes written by DB writes (uncompressed).",
       rocksdb::BYTES_WRITTEN},
      {"llmtap_rocksdb_keys_written_total", "Keys written (puts and merges).",
       rocksdb::NUMBER_KEYS_WRITTEN},
      {"llmtap_rocksdb_flush_write_bytes_total", "Bytes written by memtable flushes.",
       rocksdb::FLUSH_WRITE_BYTES},
      {"llmtap_rocksdb_compaction_read_bytes_total", "Bytes read by compactions.",
       rocksdb::COMPACT_READ_BYTES},
      {"llmtap_rocksdb_compaction_write_bytes_total", "Bytes written by compactions.",
       rocksdb::COMPACT_WRITE_BYTES},
      {"llmtap_rocksdb_stall_micros_total", "Microseconds writers were stalled.",
       rocksdb::STALL_MICROS},
      {"llmtap_rocksdb_block_cache_hits_total", "Block cache hits.", rocksdb::BLOCK_CACHE_HIT},
      {"llmtap_rocksdb_block_cache_misses_total", "Block cache misses.",
       rocksdb::BLOCK_CACHE_MISS},
  };
  for (const TickerMetric& t : kTickers) {
    metrics->AddFamily(t.name, t.help, Type::kCounter, [this, &t] {
      return Metrics::Series{{"", static_cast<double>(statistics_->getTickerCount(t.ticker))}};
    });
  }
}

}  // namespace llmtap::collector
