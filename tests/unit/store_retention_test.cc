// Retention: compaction drops samples past their app's maximum age (global or per app) and
// ids past the longest one, while rollups, kept longer, stay.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "collector/store/keys.h"
#include "collector/store/store.h"

namespace llmtap::collector {
namespace {

constexpr int64_t kDayNanos = 86400LL * 1000000000LL;

// A sample id whose time (first 48 bits) is `unix_nano`, as the SDK makes them.
std::string IdAt(int64_t unix_nano, int n) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%012llx%020d",
                static_cast<unsigned long long>(unix_nano / 1000000), n);
  return buf;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/llmtap-store-test.XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class RetentionTest : public ::testing::Test {
 protected:
  // Stores one sample of `app` started `days_ago` days ago; returns its id.
  std::string Add(Store* store, const std::string& app, double days_ago,
                  const std::string& response = "") {
    const int64_t start = now_ - static_cast<int64_t>(days_ago * kDayNanos);
    v1::Sample s;
    s.set_id(IdAt(start, ++n_));
    s.set_app(app);
    s.set_model("m");
    s.set_variant("production");
    s.set_start_time_unix_nano(start);
    s.set_latency_ms(100);
    s.set_response(response);
    IngestWrite write;
    write.samples.push_back(&s);
    std::vector<char> is_new;
    EXPECT_TRUE(store->Ingest(write, &is_new).ok());
    EXPECT_EQ(is_new, std::vector<char>{1});
    return s.id();
  }

  bool Stored(Store* store, const std::string& id) { return store->GetSample(id).ok(); }

  // Latency rollup counts of `app` at resolution `res`, over all time.
  uint64_t RollupCount(Store* store, char res, const std::string& app) {
    uint64_t count = 0;
    EXPECT_TRUE(store
                    ->ScanRollups(res, app, 0, 0,
                                  [&](std::string_view, std::string_view, std::string_view series,
                                      int64_t, const Rollup& r) {
                                    if (series == kLatencySeries) count += r.count();
                                  })
                    .ok());
    return count;
  }

  // Whether the id index still holds `id` (a retry of it would be recognised).
  bool IdKnown(Store* store, const std::string& id) {
    v1::Sample again;
    again.set_id(id);
    again.set_app("probe");
    again.set_start_time_unix_nano(now_);
    IngestWrite write;
    write.samples.push_back(&again);
    std::vector<char> is_new;
    EXPECT_TRUE(store->Ingest(write, &is_new).ok());
    return is_new[0] == 0;
  }

  const int64_t now_ = absl::GetCurrentTimeNanos();
  int n_ = 0;
  TempDir dir_;
};

TEST_F(RetentionTest, CompactionDropsSamplesPastTheirAppsRetentionAndKeepsRollups) {
  v1::StorageConfig config;
  config.set_retention_days(30);
  (*config.mutable_app_retention_days())["short"] = 2;
  (*config.mutable_app_retention_days())["long"] = 400;
  config.set_rollup_retention_days(90);
  auto store = Store::Open(dir_.path(), config);
  ASSERT_TRUE(store.ok()) << store.status();
  Store* st = store->get();

  const std::string a_old = Add(st, "a", 40);      // Past the global 30 days.
  const std::string a_kept = Add(st, "a", 20);
  const std::string a_new = Add(st, "a", 0);
  const std::string short_old = Add(st, "short", 3);  // Past its own 2 days.
  const std::string short_kept = Add(st, "short", 1);
  const std::string long_kept = Add(st, "long", 300);  // Past 30, within its own 400.
  const std::string long_old = Add(st, "long", 500);

  ASSERT_TRUE(st->CompactAll().ok());

  EXPECT_FALSE(Stored(st, a_old));
  EXPECT_TRUE(Stored(st, a_kept));
  EXPECT_TRUE(Stored(st, a_new));
  EXPECT_FALSE(Stored(st, short_old));
  EXPECT_TRUE(Stored(st, short_kept));
  EXPECT_TRUE(Stored(st, long_kept));
  EXPECT_FALSE(Stored(st, long_old));

  // Minute rollups live 90 days, hour and day rollups 900: the 40-day-old sample of "a" is
  // still counted at every resolution, the 300- and 500-day-old samples of "long" only in hours
  // and days.
  EXPECT_EQ(RollupCount(st, keys::kMinute, "a"), 3u);
  EXPECT_EQ(RollupCount(st, keys::kHour, "a"), 3u);
  EXPECT_EQ(RollupCount(st, keys::kDay, "a"), 3u);
  EXPECT_EQ(RollupCount(st, keys::kMinute, "short"), 2u);
  EXPECT_EQ(RollupCount(st, keys::kMinute, "long"), 0u);
  EXPECT_EQ(RollupCount(st, keys::kHour, "long"), 2u);
  EXPECT_EQ(RollupCount(st, keys::kDay, "long"), 2u);

  // Ids live one day longer than the longest retention (400 days): the 40-day-old id is still
  // known, so a retry of that sample is not stored again; the 500-day-old one is gone.
  EXPECT_TRUE(IdKnown(st, a_old));
  EXPECT_FALSE(IdKnown(st, long_old));

  // Scanning by time finds only what is kept.
  int scanned = 0;
  ASSERT_TRUE(st->ScanSamples("a", 0, 0, "", [&](std::string_view, v1::Sample&&) {
                   ++scanned;
                   return true;
                 }).ok());
  EXPECT_EQ(scanned, 2);
}

// Large sample bodies live in blob files (storage.sample_blob_files, on by default): they read
// back whole, and once retention has dropped every sample of a blob file, the file goes too.
TEST_F(RetentionTest, BlobFilesHoldLargeBodiesAndGoWhenTheirSamplesExpire) {
  auto store = Store::Open(dir_.path(), v1::StorageConfig());
  ASSERT_TRUE(store.ok()) << store.status();
  Store* st = store->get();
  // Bodies that LZ4 cannot shrink, so that bytes on disk follow the bodies kept.
  std::string body(4096, ' ');
  uint64_t x = 88172645463325252ULL;
  for (char& c : body) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(' ' + x % 90);
  }
  std::vector<std::string> kept;
  for (int i = 0; i < 50; ++i) kept.push_back(Add(st, "a", 1, body + std::to_string(i)));
  ASSERT_TRUE(st->CompactAll().ok());
  EXPECT_EQ(st->Property("rocksdb.num-blob-files"), "1");
  const uint64_t kept_bytes = st->DiskBytes();
  EXPECT_GT(kept_bytes, 50u * 4096);

  for (int i = 0; i < 500; ++i) Add(st, "a", 40, body);  // Past the default 30 days.
  ASSERT_TRUE(st->CompactAll().ok());
  EXPECT_EQ(st->Property("rocksdb.num-blob-files"), "1");
  EXPECT_LT(st->DiskBytes(), kept_bytes + 50u * 1024);
  for (int i = 0; i < 50; ++i) {
    auto sample = st->GetSample(kept[i]);
    ASSERT_TRUE(sample.ok()) << sample.status();
    EXPECT_EQ(sample->response(), body + std::to_string(i));
  }

  // With sample_blob_files false the bodies stay in the tables, and read back the same.
  store->reset();
  v1::StorageConfig inline_bodies;
  inline_bodies.set_sample_blob_files(false);
  store = Store::Open(dir_.path(), inline_bodies);
  ASSERT_TRUE(store.ok()) << store.status();
  st = store->get();
  const std::string in_table = Add(st, "a", 1, body);
  ASSERT_TRUE(st->CompactAll().ok());
  // Still the one file of the kept samples: a flush to blob files would have made a second.
  EXPECT_EQ(st->Property("rocksdb.num-blob-files"), "1");
  for (const auto& [id, response] : {std::pair{in_table, body}, {kept[7], body + "7"}}) {
    auto sample = st->GetSample(id);
    ASSERT_TRUE(sample.ok()) << sample.status();
    EXPECT_EQ(sample->response(), response);
  }
}

TEST_F(RetentionTest, ZeroKeepsForeverGloballyAndPerApp) {
  v1::StorageConfig config;
  config.set_retention_days(10);
  (*config.mutable_app_retention_days())["forever"] = 0;
  auto store = Store::Open(dir_.path(), config);
  ASSERT_TRUE(store.ok()) << store.status();
  Store* st = store->get();

  const std::string forever_old = Add(st, "forever", 3000);
  const std::string other_old = Add(st, "other", 11);
  ASSERT_TRUE(st->CompactAll().ok());

  EXPECT_TRUE(Stored(st, forever_old));
  EXPECT_FALSE(Stored(st, other_old));
  // Some app keeps samples forever, so no id is ever forgotten.
  EXPECT_TRUE(IdKnown(st, other_old));
}

TEST_F(RetentionTest, DefaultIsThirtyDays) {
  auto store = Store::Open(dir_.path(), v1::StorageConfig());
  ASSERT_TRUE(store.ok()) << store.status();
  Store* st = store->get();
  const std::string kept = Add(st, "a", 29);
  const std::string dropped = Add(st, "a", 30.5);
  const std::string id_dropped = Add(st, "a", 32);
  ASSERT_TRUE(st->CompactAll().ok());
  EXPECT_TRUE(Stored(st, kept));
  EXPECT_FALSE(Stored(st, dropped));
  EXPECT_TRUE(IdKnown(st, dropped));      // Within 30 + 1 days.
  EXPECT_FALSE(IdKnown(st, id_dropped));  // 32 days: past it.
}

TEST_F(RetentionTest, AlertEventsAgeOutWithMinuteRollupsAndOtherMetadataStays) {
  v1::StorageConfig config;
  config.set_rollup_retention_days(90);
  auto store = Store::Open(dir_.path(), config);
  ASSERT_TRUE(store.ok()) << store.status();
  Store* st = store->get();
  auto alert_key = [&](double days_ago) {
    std::string key(keys::kAlertPrefix);
    keys::PutBE64(&key, static_cast<uint64_t>(now_ - static_cast<int64_t>(days_ago * kDayNanos)));
    key.append("event");
    return key;
  };
  ASSERT_TRUE(st->PutMeta(alert_key(100), "old").ok());
  ASSERT_TRUE(st->PutMeta(alert_key(10), "recent").ok());
  ASSERT_TRUE(st->PutMeta(std::string(keys::kRubricPrefix) + "r", "rubric").ok());
  ASSERT_TRUE(st->CompactAll().ok());

  std::vector<std::string> alerts;
  ASSERT_TRUE(st->ScanMeta(keys::kAlertPrefix, [&](std::string_view, std::string_view v) {
                  alerts.emplace_back(v);
                }).ok());
  EXPECT_EQ(alerts, std::vector<std::string>{"recent"});
  EXPECT_TRUE(st->GetMeta(std::string(keys::kRubricPrefix) + "r").ok());
  EXPECT_TRUE(st->GetMeta(keys::kLayoutKey).ok());
}

}  // namespace
}  // namespace llmtap::collector
