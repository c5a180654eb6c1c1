#include "collector/store/store.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "collector/common/strings.h"
#include "absl/time/clock.h"
#include "collector/store/keys.h"
#include "collector/store/store_options.h"
#include "rocksdb/db.h"
#include "rocksdb/statistics.h"
#include "rocksdb/write_batch.h"

namespace llmtap::collector {
namespace {

absl::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(Cat(what, ": disk full"));
  if (s.IsNotFound()) return absl::NotFoundError(Cat(what, ": not found"));
  return absl::InternalError(Cat(what, ": ", s.ToString()));
}

constexpr char kResolutions[] = {keys::kMinute, keys::kHour, keys::kDay};

}  // namespace

std::string RubricSeries(std::string_view rubric) { return Cat("r:", rubric); }

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& dir,
                                                   const v1::StorageConfig& config) {
  if (config.wal_compression() && !WalCompressionSupported()) {
    return absl::FailedPreconditionError(
        "storage.wal_compression: this llmtapd's RocksDB cannot recover a compressed WAL after "
        "a crash; build it against scripts/build_rocksdb.sh's library, or leave the option out");
  }
  std::unique_ptr<Store> store(new Store());
  store->config_ = config;
  store->dir_ = dir;
  store->statistics_ = rocksdb::CreateDBStatistics();
  store->statistics_->set_stats_level(rocksdb::StatsLevel::kExceptTimeForMutex);

  RocksOptions options = MakeRocksOptions(dir, config, store->statistics_);
  store->filters_ = std::move(options.filters);
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options.db, dir, options.families, &store->handles_, &db);
  if (!s.ok()) return FromRocks(s, Cat("opening ", dir));
  store->db_.reset(db);
  store->samples_ = store->handles_[1];
  store->ids_ = store->handles_[2];
  store->scores_ = store->handles_[3];
  store->queue_ = store->handles_[4];
  store->rollups_ = store->handles_[5];
  store->meta_ = store->handles_[6];
  store->forward_ = store->handles_[7];
  if (absl::Status s = store->CheckLayout(dir); !s.ok()) return s;
  uint64_t depth = 0;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), store->queue_));
  {
    absl::MutexLock lock(&store->queue_mu_);
    absl::MutexLock judge_lock(&store->judge_key_mu_);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto parts = keys::ParseQueueKey(std::string_view(it->key().data(), it->key().size()));
      if (!parts) continue;
      ++depth;
      store->AdjustBacklogLocked(parts->app, parts->stage, 1);
      int64_t& last = parts->stage == keys::kQueueWaiting ? store->last_queue_time_
                                                           : store->last_judge_time_;
      last = std::max(last, parts->time_unix_nano);
    }
  }
  if (!it->status().ok()) return FromRocks(it->status(), "queue scan");
  store->queue_depth_ = depth;
  uint64_t forward = 0;
  it.reset(db->NewIterator(rocksdb::ReadOptions(), store->forward_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++forward;
  store->forward_depth_ = forward;
  return store;
}

absl::Status Store::CheckLayout(const std::string& dir) {
  absl::StatusOr<std::string> layout = GetMeta(keys::kLayoutKey);
  if (layout.ok()) {
    if (*layout == keys::kLayoutVersion) return absl::OkStatus();
    if (*layout == "2") {
      if (absl::Status s = ConvertQueueFromLayout2(); !s.ok()) return s;
      return PutMeta(keys::kLayoutKey, keys::kLayoutVersion);
    }
    return absl::FailedPreconditionError(
        Cat(dir, " holds data in key layout ", *layout, "; this llmtapd reads layout ",
            keys::kLayoutVersion, ". Point storage.data_dir at a new directory."));
  }
  if (!absl::IsNotFound(layout.status())) return layout.status();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), rollups_));
  it->SeekToFirst();
  if (it->Valid()) {
    return absl::FailedPreconditionError(
        Cat(dir, " was written by an older llmtapd (rollup key layout 1); this llmtapd reads "
                 "layout ", keys::kLayoutVersion, ". Point storage.data_dir at a new directory."));
  }
  return PutMeta(keys::kLayoutKey, keys::kLayoutVersion);
}

absl::Status Store::ConvertQueueFromLayout2() {
  // Layout 2: queue key be64(received_unix_nano) id16, value QueueEntry (sample_key).
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), queue_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    batch.Delete(queue_, it->key());
    store::QueueEntry entry;
    if (key.size() != 24 ||
        !entry.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      continue;
    }
    auto sample = keys::ParseSampleKey(entry.sample_key());
    if (!sample) continue;
    batch.Put(queue_,
              keys::QueueKey(keys::kQueueWaiting, sample->app,
                             static_cast<int64_t>(keys::GetBE64(key.substr(0, 8))),
                             key.substr(8)),
              it->value());
  }
  if (!it->status().ok()) return FromRocks(it->status(), "queue scan");
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocks(db_->Write(options, &batch), "queue layout conversion");
}

void Store::AdjustBacklogLocked(std::string_view app, char stage, int64_t delta) {
  auto it = backlogs_.find(absl::string_view(app.data(), app.size()));
  if (it == backlogs_.end()) {
    if (delta <= 0) return;
    it = backlogs_.emplace(std::string(app), QueueBacklog{std::string(app)}).first;
  }
  uint64_t& n = stage == keys::kQueueWaiting ? it->second.waiting : it->second.judging;
  n = static_cast<uint64_t>(std::max<int64_t>(0, static_cast<int64_t>(n) + delta));
  if (it->second.waiting == 0 && it->second.judging == 0) backlogs_.erase(it);
}

std::vector<QueueBacklog> Store::QueueBacklogs() const {
  std::vector<QueueBacklog> out;
  {
    absl::MutexLock lock(&queue_mu_);
    out.reserve(backlogs_.size());
    for (const auto& [app, b] : backlogs_) out.push_back(b);
  }
  std::sort(out.begin(), out.end(),
            [](const QueueBacklog& a, const QueueBacklog& b) { return a.app < b.app; });
  return out;
}

Store::~Store() {
  if (!db_) return;
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

absl::Status Store::CheckFreeSpace() {
  const int64_t now = absl::GetCurrentTimeNanos();
  if (now - free_space_checked_ns_ < 1000000000LL) {
    return disk_full_ ? absl::ResourceExhaustedError("disk full: below storage.min_free_disk_mb")
                      : absl::OkStatus();
  }
  free_space_checked_ns_ = now;
  struct statvfs st;
  if (statvfs(dir_.c_str(), &st) != 0) return absl::OkStatus();
  const uint64_t free_mb = static_cast<uint64_t>(st.f_bavail) * st.f_frsize >> 20;
  const uint64_t min_mb = config_.has_min_free_disk_mb() ? config_.min_free_disk_mb() : 256;
  disk_full_ = free_mb < min_mb;
  return disk_full_ ? absl::ResourceExhaustedError(Cat(
                          "disk full: ", free_mb, " MiB free, storage.min_free_disk_mb is ", min_mb))
                    : absl::OkStatus();
}

absl::Status Store::Ingest(const IngestWrite& write, std::vector<char>* is_new) {
  if (absl::Status s = CheckFreeSpace(); !s.ok()) return s;
  const size_t n = write.samples.size();
  is_new->assign(n, 0);

  // Duplicate check: one MultiGet on the id index (whose memtable has a bloom filter, so a new
  // id rarely costs a skiplist search), plus ids repeated inside this write.
  std::string id_bytes(16 * n, '\0');
  std::vector<std::string_view> ids(n);
  std::vector<rocksdb::Slice> id_slices(n);
  for (size_t i = 0; i < n; ++i) {
    keys::DecodeIdTo(write.samples[i]->id(), &id_bytes[16 * i]);  // Validated by the caller.
    ids[i] = std::string_view(&id_bytes[16 * i], 16);
    id_slices[i] = rocksdb::Slice(ids[i].data(), 16);
  }
  std::vector<rocksdb::PinnableSlice> found(n);
  std::vector<rocksdb::Status> statuses(n);
  if (n > 0) {
    db_->MultiGet(rocksdb::ReadOptions(), ids_, n, id_slices.data(), found.data(),
                  statuses.data());
  }
  absl::flat_hash_set<std::string_view> seen;
  seen.reserve(n);
  struct New {
    size_t index;
    std::string key;  // In the samples family.
  };
  std::vector<New> fresh;
  fresh.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (statuses[i].ok()) continue;  // Stored earlier.
    if (!statuses[i].IsNotFound()) return FromRocks(statuses[i], "id lookup");
    if (!seen.insert(ids[i]).second) continue;  // Earlier in this write.
    (*is_new)[i] = 1;
    const v1::Sample& sample = *write.samples[i];
    fresh.push_back(New{i, keys::SampleKey(sample.app(), sample.start_time_unix_nano(), ids[i])});
  }
  if (write.forward_limit > 0 && forward_depth_.load() + fresh.size() > write.forward_limit) {
    is_new->assign(n, 0);
    return absl::ResourceExhaustedError(
        Cat("forward backlog full: ", forward_depth_.load(),
            " samples wait for Kafka (fleet.edge_max_backlog is ", write.forward_limit, ")"));
  }
  // In key order, each memtable insert starts from the previous one's position (see the insert
  // hints in Open), instead of searching the skiplist from its head.
  std::sort(fresh.begin(), fresh.end(), [](const New& a, const New& b) { return a.key < b.key; });

  const int64_t now = absl::GetCurrentTimeNanos();
  // Stamps the new samples and sizes them (ByteSizeLong caches each size for the serialisation
  // below), so that the batch is sized up front and never copies what it holds to grow
  // (memmove is the committer's largest single cost; this saves a few percent at most). Per
  // sample: the value, its key twice (samples, ids), the id, a queue entry, and RocksDB's few
  // bytes of framing per record.
  size_t reserve = 4096;
  for (const New& f : fresh) {
    v1::Sample& sample = *write.samples[f.index];
    sample.set_received_unix_nano(now);
    reserve += sample.ByteSizeLong() + 3 * f.key.size() + 64;
  }
  rocksdb::WriteBatch batch(reserve);
  // Queue keys grow with every write, even if the clock steps back, so that entries of later
  // writes always sort after those of earlier ones (the scoring engine's cursor relies on it).
  const int64_t queue_time = std::max(now, last_queue_time_ + 1);
  last_queue_time_ = queue_time;
  std::string value;
  absl::flat_hash_set<std::string_view> apps;
  absl::flat_hash_map<std::string_view, int64_t> queued;  // New queue entries per app.
  // Rollups are first summed per (app, model, variant, minute) group of samples, then each
  // group is folded into its minute, hour and day rollups: one merge operand per rollup key
  // and write.
  using GroupKey = std::tuple<std::string_view, std::string_view, std::string_view, int64_t>;
  struct Group {
    Rollup latency, ttft, input_tokens, output_tokens, cost, error;
  };
  absl::flat_hash_map<GroupKey, Group> groups;
  for (const New& f : fresh) {
    v1::Sample& sample = *write.samples[f.index];
    const rocksdb::Slice id(ids[f.index].data(), ids[f.index].size());
    value.resize(sample.GetCachedSize());
    sample.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(value.data()));
    batch.Put(samples_, f.key, value);
    batch.Put(ids_, id, f.key);
    if (write.enqueue) {
      store::QueueEntry entry;
      entry.set_sample_key(f.key);
      batch.Put(queue_, keys::QueueKey(keys::kQueueWaiting, sample.app(), queue_time, ids[f.index]),
                entry.SerializeAsString());
      ++queued[sample.app()];
    }
    if (write.forward_limit > 0) {
      batch.Put(forward_, keys::ForwardKey(queue_time, ids[f.index]), f.key);
    }
    apps.insert(sample.app());

    const int64_t start_s = sample.start_time_unix_nano() / 1000000000LL;
    const int64_t minute = start_s - ((start_s % 60) + 60) % 60;
    Group& g = groups[GroupKey(sample.app(), sample.model(), sample.variant(), minute)];
    const bool error = sample.status() == v1::CALL_STATUS_ERROR;
    g.latency.Add(sample.latency_ms());
    g.error.Add(error ? 1 : 0);
    if (sample.time_to_first_token_ms() > 0) g.ttft.Add(sample.time_to_first_token_ms());
    if (!error) {
      g.input_tokens.Add(static_cast<double>(sample.input_tokens()));
      g.output_tokens.Add(static_cast<double>(sample.output_tokens()));
      g.cost.Add(sample.cost_usd());
    }
  }
  absl::flat_hash_map<std::string, Rollup> rollups;
  for (const auto& [k, g] : groups) {
    const auto& [app, model, variant, minute] = k;
    const std::pair<std::string_view, const Rollup*> series[] = {
        {kLatencySeries, &g.latency},          {kTtftSeries, &g.ttft},
        {kInputTokensSeries, &g.input_tokens}, {kOutputTokensSeries, &g.output_tokens},
        {kCostSeries, &g.cost},                {kErrorSeries, &g.error}};
    for (char res : kResolutions) {
      const int64_t width = keys::BucketSeconds(res);
      const int64_t bucket = minute - ((minute % width) + width) % width;
      for (const auto& [name, rollup] : series) {
        if (rollup->count() == 0) continue;
        rollups[keys::RollupKey(res, app, bucket, model, variant, name)].Merge(*rollup);
      }
    }
  }
  for (const auto& [key, rollup] : rollups) batch.Merge(rollups_, key, rollup.Serialize());
  for (const auto& app : apps) batch.Put(meta_, Cat(keys::kAppPrefix, app), "");
  for (const v1::ClientStats* cs : write.client_stats) {
    batch.Put(meta_, Cat(keys::kClientPrefix, cs->app(), std::string_view("\0", 1),
                                  cs->client_id()),
              cs->SerializeAsString());
  }
  if (batch.Count() == 0) return absl::OkStatus();

  rocksdb::WriteOptions options;
  options.sync = config_.sync_wal();
  if (absl::Status s = FromRocks(db_->Write(options, &batch), "ingest write"); !s.ok()) {
    is_new->assign(n, 0);
    return s;
  }
  size_t stored = 0;
  for (char c : *is_new) stored += c;
  samples_ingested_.fetch_add(stored);
  if (write.enqueue && stored > 0) {
    queue_depth_.fetch_add(stored);
    {
      absl::MutexLock lock(&queue_mu_);
      for (const auto& [app, n] : queued) AdjustBacklogLocked(app, keys::kQueueWaiting, n);
    }
    if (queue_listener_) queue_listener_();
  }
  if (write.forward_limit > 0) forward_depth_.fetch_add(stored);
  return absl::OkStatus();
}

absl::StatusOr<v1::Sample> Store::GetSample(std::string_view id) const {
  auto id16 = keys::DecodeId(id);
  if (!id16) return absl::InvalidArgumentError("id: want 32 lowercase hex characters");
  std::string key, value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ids_, *id16, &key);
  if (s.IsNotFound()) return absl::NotFoundError(Cat("no sample with id ", id));
  if (!s.ok()) return FromRocks(s, "id lookup");
  s = db_->Get(rocksdb::ReadOptions(), samples_, key, &value);
  if (s.IsNotFound()) return absl::NotFoundError(Cat("sample ", id, " has expired"));
  if (!s.ok()) return FromRocks(s, "sample read");
  v1::Sample sample;
  if (!sample.ParseFromString(value)) return absl::DataLossError("corrupt sample " + key);
  return sample;
}

absl::StatusOr<std::vector<v1::Score>> Store::GetScores(std::string_view id) const {
  auto id16 = keys::DecodeId(id);
  if (!id16) return absl::InvalidArgumentError("id: want 32 lowercase hex characters");
  std::vector<v1::Score> scores;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), scores_));
  for (it->Seek(*id16); it->Valid() && it->key().starts_with(*id16); it->Next()) {
    if (it->key().size() == 16) continue;  // The fleet store's "scores stored" marker.
    v1::Score score;
    if (score.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      scores.push_back(std::move(score));
    }
  }
  return scores;
}

absl::Status Store::ScanSamples(
    std::string_view app, int64_t start_unix_nano, int64_t end_unix_nano,
    std::string_view after_key,
    const std::function<bool(std::string_view, v1::Sample&&)>& visit) const {
  const std::string prefix = keys::SampleKeyPrefix(app);
  // Keys from lower (inclusive) to upper (exclusive), walked backwards.
  const std::string lower = keys::SampleKey(app, start_unix_nano > 0 ? start_unix_nano : 0, "");
  std::string upper = end_unix_nano > 0 ? keys::SampleKey(app, end_unix_nano, "")
                                        : keys::SampleKey(app, -1, "");  // be64(-1) = all ones
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower_slice;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, samples_));
  if (!after_key.empty()) {
    it->SeekForPrev(rocksdb::Slice(after_key.data(), after_key.size()));
    if (it->Valid() && it->key() == rocksdb::Slice(after_key.data(), after_key.size())) it->Prev();
  } else {
    it->SeekToLast();
  }
  for (; it->Valid(); it->Prev()) {
    v1::Sample sample;
    if (!sample.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      continue;
    }
    if (!visit(std::string_view(it->key().data(), it->key().size()), std::move(sample))) break;
  }
  return FromRocks(it->status(), "sample scan");
}

std::vector<std::string> Store::ListApps() const {
  std::vector<std::string> apps;
  ScanMeta(keys::kAppPrefix, [&](std::string_view key, std::string_view) {
    apps.emplace_back(key.substr(keys::kAppPrefix.size()));
  }).IgnoreError();
  return apps;
}

absl::Status Store::ScanRollups(
    char res, std::string_view app, int64_t start_s, int64_t end_s,
    const std::function<void(std::string_view, std::string_view, std::string_view, int64_t,
                             const Rollup&)>& visit) const {
  return ScanRollups(res, app, start_s, end_s, "", visit);
}

absl::Status Store::ScanRollups(
    char res, std::string_view app, int64_t start_s, int64_t end_s,
    std::string_view series_prefix,
    const std::function<void(std::string_view, std::string_view, std::string_view, int64_t,
                             const Rollup&)>& visit) const {
  // Each series of the app is a run of keys in bucket order (see keys.h): for each series
  // that starts with series_prefix, seek to its first bucket in range, read to the end of the
  // range, then seek to the next series.
  const std::string app_prefix = keys::RollupPrefix(res, app);
  std::string upper = app_prefix;
  upper.back() = '\1';  // Just past every key of this app and resolution.
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, rollups_));
  std::string target = app_prefix;
  target.append(series_prefix);
  Rollup r;
  for (it->Seek(target); it->Valid();) {
    const std::string_view key(it->key().data(), it->key().size());
    auto parts = keys::ParseRollupKey(key);
    if (!parts) {
      it->Next();
      continue;
    }
    if (parts->series.substr(0, series_prefix.size()) != series_prefix) break;  // Past them.
    const size_t series_end = app_prefix.size() + parts->series.size() + 1;  // After its '\0'.
    if (start_s > 0 && parts->bucket_start_s < start_s) {
      target.assign(key.substr(0, series_end));
      keys::PutBE64(&target, static_cast<uint64_t>(start_s));
      it->Seek(target);
      continue;
    }
    if (end_s > 0 && parts->bucket_start_s >= end_s) {
      target.assign(key.substr(0, series_end - 1));
      target.push_back('\1');  // The next series.
      it->Seek(target);
      continue;
    }
    if (r.Parse(std::string_view(it->value().data(), it->value().size()))) {
      visit(parts->model, parts->variant, parts->series, parts->bucket_start_s, r);
    }
    it->Next();
  }
  return FromRocks(it->status(), "rollup scan");
}

absl::Status Store::PutMeta(std::string_view key, std::string_view value) {
  rocksdb::WriteOptions o;
  o.sync = config_.sync_wal();
  return FromRocks(db_->Put(o, meta_, rocksdb::Slice(key.data(), key.size()),
                            rocksdb::Slice(value.data(), value.size())),
                   "meta write");
}

absl::Status Store::DeleteMeta(std::string_view key) {
  rocksdb::WriteOptions o;
  o.sync = config_.sync_wal();
  return FromRocks(db_->Delete(o, meta_, rocksdb::Slice(key.data(), key.size())), "meta delete");
}

absl::Status Store::ScanMeta(
    std::string_view prefix,
    const std::function<void(std::string_view, std::string_view)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_));
  const rocksdb::Slice p(prefix.data(), prefix.size());
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
    visit(std::string_view(it->key().data(), it->key().size()),
          std::string_view(it->value().data(), it->value().size()));
  }
  return FromRocks(it->status(), "meta scan");
}

std::string Store::Property(const std::string& name) const {
  std::string v;
  db_->GetProperty(samples_, name, &v);
  return v;
}


uint64_t Store::DiskBytes() const {
  uint64_t total = 0;
  for (auto* h : handles_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(h, "rocksdb.live-sst-files-size", &v)) total += v;
    if (db_->GetIntProperty(h, "rocksdb.live-blob-file-size", &v)) total += v;
  }
  return total;
}

absl::Status Store::CompactAll() {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  if (absl::Status s = FromRocks(db_->Flush(flush, handles_), "flush"); !s.ok()) return s;
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  // One pass can leave files on two levels: its last-level pass may not count as the last
  // level when files were moved down meanwhile, and then writes that level's (uncompressed)
  // files instead of ZSTD ones. Another pass puts everything on the last level.
  auto levels_with_files = [&](rocksdb::ColumnFamilyHandle* h) {
    rocksdb::ColumnFamilyMetaData meta;
    db_->GetColumnFamilyMetaData(h, &meta);
    int levels = 0;
    for (const auto& level : meta.levels) levels += level.files.empty() ? 0 : 1;
    return levels;
  };
  for (auto* h : handles_) {
    for (int pass = 0; pass < 3 && (pass == 0 || levels_with_files(h) > 1); ++pass) {
      if (absl::Status s = FromRocks(db_->CompactRange(compact, h, nullptr, nullptr),
                                     "compaction");
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Store::ScanQueue(
    char stage, std::string_view app, size_t limit, std::string_view after_key,
    const std::function<void(std::string_view, store::QueueEntry&&)>& visit) const {
  const std::string prefix = keys::QueuePrefix(stage, app);
  std::string upper = prefix;
  upper.back() = '\1';  // Just past every key of this stage and app.
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, queue_));
  const rocksdb::Slice after(after_key.data(), after_key.size());
  if (after_key.empty()) {
    it->Seek(prefix);
  } else {
    it->Seek(after);
    if (it->Valid() && it->key() == after) it->Next();
  }
  for (size_t n = 0; it->Valid() && n < limit; it->Next(), ++n) {
    store::QueueEntry entry;
    if (!entry.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
    visit(std::string_view(it->key().data(), it->key().size()), std::move(entry));
  }
  return FromRocks(it->status(), "queue scan");
}

// Adds a score write's scores, rollup updates (summed into `rollups`) and meta to `batch`.
static absl::Status AddScoreWrite(const ScoreWrite& write, rocksdb::ColumnFamilyHandle* scores,
                                  rocksdb::ColumnFamilyHandle* meta,
                                  absl::flat_hash_map<std::string, Rollup>* rollups,
                                  rocksdb::WriteBatch* batch) {
  const v1::Sample& sample = *write.sample;
  auto id16 = keys::DecodeId(sample.id());
  if (!id16) return absl::InternalError("scored sample has a bad id");
  for (const v1::Score& score : write.scores) {
    batch->Put(scores, keys::ScoreKey(*id16, score.rubric()), score.SerializeAsString());
  }
  const int64_t start_s = sample.start_time_unix_nano() / 1000000000LL;
  for (const auto& [series, value] : write.rollup_values) {
    for (char res : kResolutions) {
      const int64_t width = keys::BucketSeconds(res);
      const int64_t bucket = start_s - ((start_s % width) + width) % width;
      (*rollups)[keys::RollupKey(res, sample.app(), bucket, sample.model(), sample.variant(),
                                 series)]
          .Add(value);
    }
  }
  // In write order, so the last value of a key wins.
  for (const auto& [key, value] : write.meta) batch->Put(meta, key, value);
  return absl::OkStatus();
}

absl::Status Store::CommitScores(std::span<const ScoreWrite> writes) {
  rocksdb::WriteBatch batch;
  // Rollup updates of the whole batch, added up per key: one merge operand per key.
  absl::flat_hash_map<std::string, Rollup> rollups;
  // Queue entries removed and added per app and stage.
  std::vector<std::tuple<std::string_view, char, int64_t>> moves;
  bool adds_judge_entries = false;
  for (const ScoreWrite& write : writes) {
    adds_judge_entries |= write.sample != nullptr && !write.pending_rubrics.empty();
  }
  // Judge-stage keys are stamped and written under judge_key_mu_ (see keys.h).
  std::unique_ptr<absl::MutexLock> judge_lock;
  int64_t judge_time = 0;
  if (adds_judge_entries) {
    judge_lock = std::make_unique<absl::MutexLock>(&judge_key_mu_);
    judge_time = std::max(absl::GetCurrentTimeNanos(), last_judge_time_ + 1);
  }
  size_t added = 0;
  for (const ScoreWrite& write : writes) {
    batch.Delete(queue_, write.queue_key);
    auto queue_key = keys::ParseQueueKey(write.queue_key);
    if (queue_key) moves.emplace_back(queue_key->app, queue_key->stage, -1);
    if (write.sample == nullptr) continue;
    if (!write.pending_rubrics.empty() && queue_key) {
      store::QueueEntry entry;
      entry.set_sample_key(keys::SampleKey(write.sample->app(),
                                           write.sample->start_time_unix_nano(),
                                           queue_key->id16));
      for (const std::string& r : write.pending_rubrics) entry.add_pending_rubrics(r);
      entry.set_received_unix_nano(write.received_unix_nano);
      batch.Put(queue_, keys::QueueKey(keys::kQueueJudging, queue_key->app, judge_time,
                                       queue_key->id16),
                entry.SerializeAsString());
      moves.emplace_back(queue_key->app, keys::kQueueJudging, 1);
      ++added;
    }
    if (absl::Status s = AddScoreWrite(write, scores_, meta_, &rollups, &batch); !s.ok()) return s;
  }
  for (const auto& [key, rollup] : rollups) batch.Merge(rollups_, key, rollup.Serialize());
  rocksdb::WriteOptions options;
  options.sync = config_.sync_wal();
  absl::Status s = FromRocks(db_->Write(options, &batch), "score write");
  if (!s.ok()) return s;
  if (adds_judge_entries) last_judge_time_ = judge_time;
  judge_lock.reset();
  queue_depth_.fetch_sub(writes.size() - added);
  absl::MutexLock lock(&queue_mu_);
  for (const auto& [app, stage, delta] : moves) AdjustBacklogLocked(app, stage, delta);
  return s;
}

absl::Status Store::CommitScoresOnce(std::span<const ScoreWrite> writes,
                                     std::vector<char>* is_new) {
  const size_t n = writes.size();
  is_new->assign(n, 0);
  std::vector<std::string> ids(n);
  std::vector<rocksdb::Slice> slices(n);
  for (size_t i = 0; i < n; ++i) {
    auto id16 = writes[i].sample ? keys::DecodeId(writes[i].sample->id()) : std::nullopt;
    if (!id16) return absl::InvalidArgumentError("scored sample: bad or missing id");
    ids[i] = *std::move(id16);
    slices[i] = rocksdb::Slice(ids[i]);
  }
  std::vector<rocksdb::PinnableSlice> found(n);
  std::vector<rocksdb::Status> statuses(n);
  if (n > 0) db_->MultiGet(rocksdb::ReadOptions(), scores_, n, slices.data(), found.data(),
                           statuses.data());
  rocksdb::WriteBatch batch;
  absl::flat_hash_map<std::string, Rollup> rollups;
  absl::flat_hash_set<std::string_view> seen;
  for (size_t i = 0; i < n; ++i) {
    if (statuses[i].ok()) continue;  // Stored earlier.
    if (!statuses[i].IsNotFound()) return FromRocks(statuses[i], "score marker lookup");
    if (!seen.insert(ids[i]).second) continue;
    if (absl::Status s = AddScoreWrite(writes[i], scores_, meta_, &rollups, &batch); !s.ok()) {
      return s;
    }
    batch.Put(scores_, ids[i], "");
    (*is_new)[i] = 1;
  }
  for (const auto& [key, rollup] : rollups) batch.Merge(rollups_, key, rollup.Serialize());
  if (batch.Count() == 0) return absl::OkStatus();
  rocksdb::WriteOptions options;
  options.sync = config_.sync_wal();
  absl::Status s = FromRocks(db_->Write(options, &batch), "score write");
  if (!s.ok()) is_new->assign(n, 0);
  return s;
}

absl::Status Store::ScanForward(
    size_t limit, std::string_view after_key,
    const std::function<void(std::string_view, std::string_view)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), forward_));
  const rocksdb::Slice after(after_key.data(), after_key.size());
  if (after_key.empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(after);
    if (it->Valid() && it->key() == after) it->Next();
  }
  for (size_t n = 0; it->Valid() && n < limit; it->Next(), ++n) {
    visit(std::string_view(it->key().data(), it->key().size()),
          std::string_view(it->value().data(), it->value().size()));
  }
  return FromRocks(it->status(), "forward scan");
}

absl::Status Store::DeleteForward(std::span<const std::string> keys) {
  rocksdb::WriteBatch batch;
  for (const std::string& key : keys) batch.Delete(forward_, key);
  rocksdb::WriteOptions options;
  options.sync = config_.sync_wal();
  absl::Status s = FromRocks(db_->Write(options, &batch), "forward delete");
  if (s.ok()) forward_depth_.fetch_sub(keys.size());
  return s;
}

absl::StatusOr<v1::Sample> Store::GetSampleByKey(std::string_view key) const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), samples_, rocksdb::Slice(key.data(), key.size()), &value);
  if (!s.ok()) return FromRocks(s, "sample read");
  v1::Sample sample;
  if (!sample.ParseFromString(value)) return absl::DataLossError("corrupt sample");
  return sample;
}

absl::StatusOr<std::string> Store::GetMeta(std::string_view key) const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), meta_, rocksdb::Slice(key.data(), key.size()), &value);
  if (!s.ok()) return FromRocks(s, "meta read");
  return value;
}

}  // namespace llmtap::collector
