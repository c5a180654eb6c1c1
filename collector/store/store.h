// Store: the collector's RocksDB database (layout in keys.h). Knows nothing of gRPC.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(dir, config.storage()));
//   store->Ingest(write, &is_new);
//
// Thread safety: all methods are safe to call concurrently, except that Ingest() must be
// called by one thread at a time (the ingest committer), which is what makes its duplicate
// check race-free.
#ifndef LLMTAP_COLLECTOR_STORE_STORE_H_
#define LLMTAP_COLLECTOR_STORE_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "collector/common/metrics.h"
#include "collector/store/sketch.h"
#include "llmtap/v1/config.pb.h"
#include "llmtap/v1/ingest.pb.h"
#include "llmtap/v1/sample.pb.h"
#include "llmtap/v1/score.pb.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Statistics;
class CompactionFilter;
}  // namespace rocksdb

namespace llmtap::collector {

// The built-in per-sample metrics rolled up at ingest, and their series names.
inline constexpr std::string_view kLatencySeries = "m:latency_ms";
inline constexpr std::string_view kTtftSeries = "m:ttft_ms";
inline constexpr std::string_view kInputTokensSeries = "m:input_tokens";
inline constexpr std::string_view kOutputTokensSeries = "m:output_tokens";
inline constexpr std::string_view kCostSeries = "m:cost_usd";
inline constexpr std::string_view kErrorSeries = "m:error";
std::string RubricSeries(std::string_view rubric);

// What one group commit writes.
struct IngestWrite {
  // Validated samples. Ingest sets received_unix_nano on the ones it stores.
  std::vector<v1::Sample*> samples;
  // Latest SDK counters, stored for the Completeness query.
  std::vector<const v1::ClientStats*> client_stats;
  // Add a scoring-queue entry for each new sample.
  bool enqueue = false;
  // Fleet edge: add a forward-queue entry for each new sample, and refuse the whole write
  // (RESOURCE_EXHAUSTED) when more than this many would then wait. 0: no forwarding.
  uint64_t forward_limit = 0;
};

// What one scoring pass writes for one queued sample.
struct ScoreWrite {
  std::string queue_key;   // The queue entry to remove.
  const v1::Sample* sample = nullptr;  // Null: the sample is gone; only remove the entry.
  std::vector<v1::Score> scores;
  // Values added to the sample's rollups (its app, model, variant, start-time buckets):
  // "r:<rubric>" score values, "s:<rubric>:<reason>" counts of 1.
  std::vector<std::pair<std::string, double>> rollup_values;
  // Small meta values written with it (e.g. per-model sample counts).
  std::vector<std::pair<std::string, std::string>> meta;
  // Rubrics still to score asynchronously (and composites waiting for them). When not empty,
  // a judge-stage queue entry listing them replaces the removed entry (keys.h).
  std::vector<std::string> pending_rubrics;
  int64_t received_unix_nano = 0;  // Kept in that entry.
};

// Entries waiting in each stage of one app's scoring queue.
struct QueueBacklog {
  std::string app;
  uint64_t waiting = 0;  // 'q': not scored yet.
  uint64_t judging = 0;  // 'j': synchronous scores stored, asynchronous ones pending.
};

class Store {
 public:
  // Opens or creates the database under `dir`.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::string& dir,
                                                     const v1::StorageConfig& config);
  ~Store();

  // Stores the samples whose ids are not stored yet (nor earlier in `write`), with their id
  // index entries, queue entries and rollup updates, and the client stats, in one atomic
  // write. is_new[i] tells whether write.samples[i] was stored. Errors: RESOURCE_EXHAUSTED
  // when the disk is (nearly) full; INTERNAL on other storage errors. On error nothing of the
  // write is stored.
  // REQUIRES: one caller at a time.
  absl::Status Ingest(const IngestWrite& write, std::vector<char>* is_new);

  // Visits up to `limit` entries of one stage ('q' or 'j', keys.h) of `app`'s scoring queue,
  // oldest first, starting after `after_key` (a key of that stage and app; empty: the head).
  // Entries written later sort after every entry already there.
  absl::Status ScanQueue(char stage, std::string_view app, size_t limit,
                         std::string_view after_key,
                         const std::function<void(std::string_view key, store::QueueEntry&&)>&
                             visit) const;
  // Entries in the scoring queue, both stages (kept exact: counted at open, then adjusted by
  // each write).
  uint64_t queue_depth() const { return queue_depth_.load(); }
  // Per app with queued entries, sorted by app (exact, like queue_depth).
  std::vector<QueueBacklog> QueueBacklogs() const;
  // Called after every Ingest that queued entries, on the committer's thread: must be cheap
  // and must not block. Set before ingest starts; not thread-safe against Ingest.
  void SetQueueListener(std::function<void()> listener) { queue_listener_ = std::move(listener); }
  // Stores the scores, their rollups and meta of every write, removes their queue entries and
  // adds the judge-stage entries of writes with pending_rubrics, atomically. A write with no
  // sample only removes its queue entry.
  absl::Status CommitScores(std::span<const ScoreWrite> writes);
  absl::Status CommitScores(const ScoreWrite& write) { return CommitScores({&write, 1}); }
  absl::StatusOr<v1::Sample> GetSampleByKey(std::string_view key) const;

  // Fleet store: stores the scores and rollups of each write whose sample has no scores
  // stored by an earlier call (nor earlier in `writes`), with a marker that says so, in one
  // write: a scores message read twice from Kafka is counted once. Writes have no queue key.
  // is_new[i] tells whether writes[i] was stored.
  // REQUIRES: one caller at a time.
  absl::Status CommitScoresOnce(std::span<const ScoreWrite> writes, std::vector<char>* is_new);

  // Fleet edge: visits up to `limit` forward-queue entries (key, samples key), oldest first,
  // starting after `after_key`. Entries of later Ingest calls sort after earlier ones.
  absl::Status ScanForward(size_t limit, std::string_view after_key,
                           const std::function<void(std::string_view key,
                                                    std::string_view sample_key)>& visit) const;
  // Removes forward-queue entries (delivered to Kafka).
  absl::Status DeleteForward(std::span<const std::string> keys);
  // Entries in the forward queue (counted at open, then adjusted by each write).
  uint64_t forward_depth() const { return forward_depth_.load(); }
  absl::StatusOr<std::string> GetMeta(std::string_view key) const;

  // NOT_FOUND when no sample has this id (32 hex characters).
  absl::StatusOr<v1::Sample> GetSample(std::string_view id) const;
  absl::StatusOr<std::vector<v1::Score>> GetScores(std::string_view id) const;

  // Visits the samples of `app` with start time in [start, end) (0 = unbounded), newest
  // first, starting strictly after `after_key` when it is not empty. `visit` returns false to
  // stop. The key passed to `visit` can be handed back as after_key to resume.
  absl::Status ScanSamples(std::string_view app, int64_t start_unix_nano, int64_t end_unix_nano,
                           std::string_view after_key,
                           const std::function<bool(std::string_view key, v1::Sample&&)>& visit)
      const;

  // Apps that have stored samples, sorted.
  std::vector<std::string> ListApps() const;

  // Visits the rollups of `app` at resolution `res` ('m', 'h', 'd') with bucket start in
  // [start_s, end_s).
  absl::Status ScanRollups(
      char res, std::string_view app, int64_t start_s, int64_t end_s,
      const std::function<void(std::string_view model, std::string_view variant,
                               std::string_view series, int64_t bucket_start_s,
                               const Rollup&)>& visit) const;
  // The same, but only rows whose series starts with `series_prefix` (e.g. "r:"); the others
  // are skipped by seeking past them, so they are neither merged nor parsed.
  absl::Status ScanRollups(
      char res, std::string_view app, int64_t start_s, int64_t end_s,
      std::string_view series_prefix,
      const std::function<void(std::string_view model, std::string_view variant,
                               std::string_view series, int64_t bucket_start_s,
                               const Rollup&)>& visit) const;

  // Small typed values in the meta column family.
  absl::Status PutMeta(std::string_view key, std::string_view value);
  absl::Status DeleteMeta(std::string_view key);
  absl::Status ScanMeta(std::string_view prefix,
                        const std::function<void(std::string_view key, std::string_view value)>&
                            visit) const;

  // Samples stored since open, and estimated on disk.
  uint64_t samples_ingested() const { return samples_ingested_.load(); }
  // A RocksDB property (e.g. "rocksdb.estimate-num-keys") of the samples family.
  std::string Property(const std::string& name) const;
  // Bytes of live SST and blob files.
  uint64_t DiskBytes() const;

  // Registers the store's figures with `metrics` (see store_metrics.cc): RocksDB properties
  // per column family and DB-wide (keys, SST and memtable bytes, pending compaction, block
  // cache, write stalls) and RocksDB statistics counters (WAL bytes and syncs, flush and
  // compaction bytes, stall time), all read at scrape time. The Store must outlive `metrics`'
  // last Render().
  void ExportMetrics(Metrics* metrics) const;

  // Flushes every memtable and compacts every column family down to its last level, so that
  // retention filters and merges run over all data and the files on disk are final (used by
  // tests and the ingest benchmark; slow on a large database).
  absl::Status CompactAll();

 private:
  Store() = default;
  absl::Status CheckFreeSpace();
  // Records the key layout in a new database; refuses one written with another layout.
  absl::Status CheckLayout(const std::string& dir);
  // Rewrites a layout-2 scoring queue (keys without stage and app) in layout 3.
  absl::Status ConvertQueueFromLayout2();
  // Adds `delta` to the count of `stage` entries of `app`.
  void AdjustBacklogLocked(std::string_view app, char stage, int64_t delta)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_);

  v1::StorageConfig config_;
  std::string dir_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  // Must outlive db_ (RocksDB holds raw pointers to them).
  std::vector<std::unique_ptr<rocksdb::CompactionFilter>> filters_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* samples_ = nullptr;
  rocksdb::ColumnFamilyHandle* ids_ = nullptr;
  rocksdb::ColumnFamilyHandle* scores_ = nullptr;
  rocksdb::ColumnFamilyHandle* queue_ = nullptr;
  rocksdb::ColumnFamilyHandle* rollups_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* forward_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::atomic<uint64_t> samples_ingested_{0};
  std::atomic<uint64_t> queue_depth_{0};
  std::atomic<uint64_t> forward_depth_{0};
  std::function<void()> queue_listener_;
  // Queue entries per app and stage.
  mutable absl::Mutex queue_mu_;
  absl::flat_hash_map<std::string, QueueBacklog> backlogs_ ABSL_GUARDED_BY(queue_mu_);
  // Held across a score write that adds judge-stage entries, so that their keys (stamped with
  // a growing time) reach the database in key order.
  absl::Mutex judge_key_mu_;
  int64_t last_judge_time_ ABSL_GUARDED_BY(judge_key_mu_) = 0;
  // Ingest-thread state (one caller at a time).
  int64_t free_space_checked_ns_ = 0;
  bool disk_full_ = false;
  int64_t last_queue_time_ = 0;  // Time part of the last queue key written.
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_STORE_STORE_H_
