#include "collector/store/store_options.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "collector/store/rocks_plugins.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/table_properties_collectors.h"

namespace llmtap::collector {
namespace {

// Memtable insert-hint prefixes. In the samples and rollups families keys start with a name
// ended by '\0' (the app; for rollups the resolution and app), and each name keeps its own
// insert position; the other families' keys are binary and keep one position per family.
class InsertHintPrefixTransform final : public rocksdb::SliceTransform {
 public:
  explicit InsertHintPrefixTransform(bool by_name) : by_name_(by_name) {}
  const char* Name() const override { return "llmtap.InsertHintPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    if (!by_name_) return rocksdb::Slice();
    const void* z = std::memchr(key.data(), '\0', key.size());
    return z == nullptr ? rocksdb::Slice()
                        : rocksdb::Slice(key.data(), static_cast<const char*>(z) - key.data());
  }
  bool InDomain(const rocksdb::Slice&) const override { return true; }

 private:
  const bool by_name_;
};

std::shared_ptr<const rocksdb::SliceTransform> InsertHintPrefix(bool by_name) {
  return std::make_shared<InsertHintPrefixTransform>(by_name);
}

// Whether a file in `dir` (created if missing) can be written with O_DIRECT: tmpfs before
// Linux 6.6, for one, refuses it, and RocksDB would then fail every flush.
bool DirectWritesWork(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  const std::string path = dir + "/.direct_io_probe";
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  constexpr size_t kBlock = 4096;
  void* block = nullptr;
  bool ok = posix_memalign(&block, kBlock, kBlock) == 0;
  if (ok) {
    std::memset(block, 0, kBlock);
    ok = write(fd, block, kBlock) == static_cast<ssize_t>(kBlock);
  }
  std::free(block);
  close(fd);
  unlink(path.c_str());
  return ok;
}

}  // namespace

bool WalCompressionSupported() { return LLMTAP_ROCKSDB_WAL_COMPRESSION_FIXED; }

RocksOptions MakeRocksOptions(const std::string& dir, const v1::StorageConfig& config,
                              std::shared_ptr<rocksdb::Statistics> statistics) {
  RocksOptions out;
  rocksdb::DBOptions& db_options = out.db;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.statistics = statistics;
  db_options.IncreaseParallelism(2);
  // Two flushes may run at once, beside two compactions. A flush of a 64 MB memtable took
  // 0.3-0.5 s with the CPUs idle a quarter to half of the time waiting on the disk (vmstat),
  // and with one flush thread the samples family's memtables filled up meanwhile: RocksDB
  // slowed writes, at times stopped them ("waiting for flush" in its LOG). Direct writes go
  // out in 8 MB pieces rather than 1 MB, for the same reason. bench_ingest.sh
  // nosync 60 s side by side, on a day this machine's disk was the limit: 88k/87k samples/s
  // against 60k/77k with one flush thread and 1 MB writes.
  db_options.max_background_flushes = 2;
  db_options.max_background_compactions = 2;
  db_options.writable_file_max_buffer_size = 8 << 20;
  db_options.bytes_per_sync = 1 << 20;
  db_options.enable_pipelined_write = true;
  db_options.max_total_wal_size = 256 << 20;
  // Every sample reaches the disk first through the WAL: compressing it is a trade of CPU for
  // disk bytes (storage.wal_compression in config.proto).
  if (config.wal_compression()) db_options.wal_compression = rocksdb::kZSTD;
  // SST files are written and read around the page cache (where the file system allows it);
  // the block cache holds what reads need again. Under sustained ingest, copying every flushed
  // and compacted byte into the page cache took about a tenth of the machine's CPU, and
  // compactions (which RocksDB 7.8 reads through use_direct_reads, not through the flush and
  // compaction option) spent another tenth copying their inputs out of it: bench_ingest.sh
  // side by side, 60 s, 127k/131k samples/s with direct reads against 101k/112k without. The
  // page cache held data nobody was about to read again. The WAL still goes through it.
  const bool direct = DirectWritesWork(dir);
  db_options.use_direct_io_for_flush_and_compaction = direct;
  db_options.use_direct_reads = direct;
  // Compactions read their inputs in 2 MB reads, not block by block.
  db_options.compaction_readahead_size = 2 << 20;

  const uint32_t cache_mb = config.has_block_cache_mb() ? config.block_cache_mb() : 256;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(static_cast<size_t>(cache_mb) << 20);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_size = 16 << 10;

  auto cf = [&](KeyTime* retention) {
    rocksdb::ColumnFamilyOptions o;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
    // Flushes stay uncompressed: level-0 files are young and soon merged into level 1. Every
    // level below uses the same compression (ZSTD level 1 unless storage.compression says
    // LZ4), so a file that overlaps nothing below moves down without being rewritten, which
    // is what happens to nearly every file of time-ordered keys. Before, levels 1, 2 and the
    // last were uncompressed, LZ4 and ZSTD, and data was decompressed and compressed again
    // on each way down: bench_ingest.sh side by side, 180 s nosync with sample bodies in the
    // tables, 115.9k samples/s against 99.6k. Level 1 rather than zstd's default 3: on
    // ingest data the same size (220.1 vs 221.2 MB for 290k samples) for 13-30% less CPU.
    const rocksdb::CompressionType kind =
        config.compression() == v1::StorageConfig::COMPRESSION_LZ4 ? rocksdb::kLZ4Compression
                                                                  : rocksdb::kZSTD;
    o.compression = kind;
    o.compression_opts.level = 1;
    o.compression_per_level = {rocksdb::kNoCompression, kind};
    // Keys arrive in nearly ascending order (time-ordered ids and start times, and Ingest
    // sorts each write), so each memtable insert starts from the last one's position.
    o.memtable_insert_with_hint_prefix_extractor = InsertHintPrefix(false);
    o.write_buffer_size = 64 << 20;
    o.max_write_buffer_number = 4;
    o.level0_slowdown_writes_trigger = 40;
    o.level0_stop_writes_trigger = 60;
    if (retention != nullptr) {
      out.filters.push_back(NewRetentionFilter(*retention, config));
      o.compaction_filter = out.filters.back().get();
    }
    return o;
  };
  KeyTime sample_time = KeyTime::kSample, id_time = KeyTime::kId, rollup_time = KeyTime::kRollup,
          meta_time = KeyTime::kMeta;
  rocksdb::ColumnFamilyOptions rollup_options = cf(&rollup_time);
  rollup_options.merge_operator = NewRollupMergeOperator();
  rollup_options.memtable_insert_with_hint_prefix_extractor = InsertHintPrefix(true);
  rollup_options.write_buffer_size = 16 << 20;
  rocksdb::ColumnFamilyOptions sample_options = cf(&sample_time);
  sample_options.memtable_insert_with_hint_prefix_extractor = InsertHintPrefix(true);
  // Flushes write the sample bodies' blob files, and at times fell behind: RocksDB slowed
  // writes "because we have 3 immutable memtables" (its LOG), 25 s of a 300 s run. Two more
  // memtables (128 MB) absorb those bursts: bench_ingest.sh side by side, 120 s nosync,
  // stalls 10.1 s against 18.1, 172.8k samples/s against 168.3k.
  sample_options.max_write_buffer_number = 6;
  // Sample bodies go to blob files (storage.sample_blob_files, default on): written once, at
  // flush, while compactions move only keys and short references. In the tables instead,
  // every body was read and written again by each compaction on its way down (write
  // amplification 2.4 after 180 s, with 40-56 GB of compaction pending and writes stalled
  // for 100 of the 180 s): compaction, not ingest, set the sustained rate. bench_ingest.sh
  // side by side, 180 s nosync: 180.0k samples/s with blob files, 115.9k without; bytes on
  // disk per 1 KB sample 1216 against about 600, as each body is compressed alone rather than
  // in 16 KB blocks. LZ4 per body saved 4% on the load generator's text (more on text with
  // repeats) for about 0.15 CPU-s per 100k; ZSTD per body ran at 92k samples/s.
  // Retention: a blob file goes once every sample in it has expired, so where apps with
  // different retention share files, a file stays until its longest-kept sample expires.
  if (!config.has_sample_blob_files() || config.sample_blob_files()) {
    sample_options.enable_blob_files = true;
    // Smaller bodies stay in the tables, where a reference would save little.
    sample_options.min_blob_size = 256;
    sample_options.blob_compression_type = rocksdb::kLZ4Compression;
    // Reads of bodies share the block cache.
    sample_options.blob_cache = table.block_cache;
    // The scoring workers read every queued sample back soon after it was stored, often after
    // its flush; blob files are written and read around the page cache (direct I/O), so each
    // of those reads went to the disk. Flushes put the bodies they write in the cache too.
    sample_options.prepopulate_blob_cache = rocksdb::PrepopulateBlobCache::kFlushOnly;
    // No blob garbage collection: bodies are never overwritten, and retention drops them in
    // time order, so a blob file becomes all garbage as a whole and is deleted then. Garbage
    // collection would copy live bodies out of the oldest files for nothing.
    sample_options.enable_blob_garbage_collection = false;
  }
  // Every ingest and scoring write adds a merge operand to its current buckets' rollups; a
  // read merges all operands newer than the key's last full value. Past this many operands in
  // the memtable, a write folds them into a full value (one read), so a query never merges
  // more than this per memtable, and flushed files hold full values that end reads early.
  rollup_options.max_successive_merges = 16;
  rocksdb::ColumnFamilyOptions small = cf(nullptr);
  small.write_buffer_size = 8 << 20;
  // Ingest looks up every new id here, and nearly all are absent: a memtable bloom filter on
  // whole keys answers most lookups without a skiplist search (SST files have theirs).
  rocksdb::ColumnFamilyOptions id_options = cf(&id_time);
  id_options.memtable_whole_key_filtering = true;
  id_options.memtable_prefix_bloom_size_ratio = 0.05;

  rocksdb::ColumnFamilyOptions meta_options = cf(&meta_time);
  meta_options.write_buffer_size = 8 << 20;
  // Queue entries are deleted soon after they are written, so flushed queue files are mostly
  // tombstones, which every scan from the head must step over until a compaction drops them:
  // files that are more than half tombstones are compacted right away.
  rocksdb::ColumnFamilyOptions queue_options = small;
  queue_options.table_properties_collector_factories.push_back(
      rocksdb::NewCompactOnDeletionCollectorFactory(128, 64));

  out.families = {
      {rocksdb::kDefaultColumnFamilyName, small},
      {"samples", sample_options},
      {"ids", id_options},
      {"scores", cf(&id_time)},
      {"queue", queue_options},
      {"rollups", rollup_options},
      {"meta", meta_options},
      {"forward", queue_options},  // Fleet edge: samples waiting for Kafka (fleet/README).
  };
  return out;
}

}  // namespace llmtap::collector
