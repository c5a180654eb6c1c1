// Store::Ingest: each id is stored once, whatever order and repetition a write has, and the
// rollups count exactly the samples stored, at every resolution.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "absl/time/clock.h"
#include "collector/store/keys.h"
#include "collector/store/store.h"
#include "collector/store/store_options.h"

namespace llmtap::collector {
namespace {

std::string Id(uint64_t ms, uint64_t n) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%012llx%020llu", static_cast<unsigned long long>(ms),
                static_cast<unsigned long long>(n));
  return buf;
}

class StoreIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/llmtap-store-test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto store = Store::Open(dir_, v1::StorageConfig());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  uint64_t Count(char res, const std::string& app, std::string_view series) {
    uint64_t count = 0;
    EXPECT_TRUE(store_
                    ->ScanRollups(res, app, 0, 0,
                                  [&](std::string_view, std::string_view, std::string_view s,
                                      int64_t, const Rollup& r) {
                                    if (s == series) count += r.count();
                                  })
                    .ok());
    return count;
  }

  std::string dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreIngestTest, RepeatedIdsAreStoredOnceAndRollupsCountStoredSamples) {
  const int64_t now = absl::GetCurrentTimeNanos();
  std::mt19937_64 rng(7);
  std::vector<v1::Sample> samples(3000);
  for (size_t i = 0; i < samples.size(); ++i) {
    v1::Sample& s = samples[i];
    // Start times spread over two days, in shuffled order, so writes span many buckets.
    const int64_t start = now - static_cast<int64_t>(rng() % (2 * 86400)) * 1000000000LL;
    s.set_id(Id(start / 1000000, i));
    s.set_app(i % 3 ? "a" : "b");
    s.set_model(i % 2 ? "m1" : "m2");
    s.set_variant("production");
    s.set_start_time_unix_nano(start);
    s.set_latency_ms(static_cast<double>(i % 100));
    s.set_status(i % 10 == 0 ? v1::CALL_STATUS_ERROR : v1::CALL_STATUS_OK);
    s.set_input_tokens(10);
  }
  // Three writes: the first half, then everything (the first half again), then a write that
  // repeats each of its ids twice.
  uint64_t stored = 0;
  auto ingest = [&](std::vector<v1::Sample*> ptrs) {
    IngestWrite write;
    write.samples = ptrs;
    std::vector<char> is_new;
    EXPECT_TRUE(store_->Ingest(write, &is_new).ok());
    EXPECT_EQ(is_new.size(), ptrs.size());
    for (char c : is_new) stored += c;
    return is_new;
  };
  std::vector<v1::Sample*> first, all;
  for (size_t i = 0; i < samples.size(); ++i) {
    if (i < samples.size() / 2) first.push_back(&samples[i]);
    all.push_back(&samples[i]);
  }
  auto is_new = ingest(first);
  EXPECT_EQ(stored, first.size());
  is_new = ingest(all);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(is_new[i], i >= first.size()) << i;
  EXPECT_EQ(stored, samples.size());

  std::vector<v1::Sample> extra(200);
  std::vector<v1::Sample*> twice;
  for (size_t i = 0; i < extra.size(); ++i) {
    extra[i] = samples[i];
    extra[i].set_id(Id(now / 1000000, 100000 + i));
    twice.push_back(&extra[i]);
  }
  for (size_t i = 0; i < extra.size(); ++i) twice.push_back(&extra[i]);
  is_new = ingest(twice);
  for (size_t i = 0; i < twice.size(); ++i) EXPECT_EQ(is_new[i], i < extra.size()) << i;
  EXPECT_EQ(stored, samples.size() + extra.size());
  EXPECT_EQ(store_->samples_ingested(), stored);

  uint64_t errors = 0, stored_a = 0;
  for (const auto& s : samples) {
    stored_a += s.app() == "a";
    errors += s.status() == v1::CALL_STATUS_ERROR;
  }
  for (const auto& s : extra) stored_a += s.app() == "a";
  const uint64_t stored_b = stored - stored_a;
  for (char res : {keys::kMinute, keys::kHour, keys::kDay}) {
    EXPECT_EQ(Count(res, "a", kLatencySeries), stored_a) << res;
    EXPECT_EQ(Count(res, "b", kLatencySeries), stored_b) << res;
    EXPECT_EQ(Count(res, "a", kErrorSeries) + Count(res, "b", kErrorSeries), stored) << res;
  }
  // Tokens are rolled up for calls that did not fail.
  uint64_t ok = stored - errors;
  for (const auto& s : extra) ok -= s.status() == v1::CALL_STATUS_ERROR ? 1 : 0;
  EXPECT_EQ(Count(keys::kDay, "a", kInputTokensSeries) + Count(keys::kDay, "b", kInputTokensSeries),
            ok);
  // Every stored sample reads back by id.
  for (const auto& s : samples) ASSERT_TRUE(store_->GetSample(s.id()).ok()) << s.id();
}

TEST_F(StoreIngestTest, RollupScansReturnExactlyTheSeriesAndBucketsAsked) {
  // One sample per hour for ten hours, two models; series m:* from ingest plus two rubric
  // series written as scores would be.
  const int64_t hour0 = 1700000000 / 3600 * 3600;
  std::vector<v1::Sample> samples(20);
  std::vector<v1::Sample*> ptrs;
  for (int i = 0; i < 20; ++i) {
    v1::Sample& s = samples[i];
    const int64_t start = (hour0 + 3600 * (i / 2) + 10) * 1000000000LL;
    s.set_id(Id(start / 1000000, i));
    s.set_app("app");
    s.set_model(i % 2 ? "m1" : "m2");
    s.set_variant("production");
    s.set_start_time_unix_nano(start);
    s.set_latency_ms(100 + i);
    ptrs.push_back(&s);
  }
  IngestWrite write;
  write.samples = ptrs;
  std::vector<char> is_new;
  ASSERT_TRUE(store_->Ingest(write, &is_new).ok());
  std::vector<ScoreWrite> scores(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    scores[i].sample = &samples[i];
    scores[i].rollup_values = {{"r:alpha", 0.5}, {"r:beta", 1.0}, {"r:alpha:x", 0.25}};
  }
  ASSERT_TRUE(store_->CommitScores(scores).ok());

  struct Row {
    std::string series;
    int64_t bucket;
    uint64_t count;
  };
  auto scan = [&](std::string_view prefix, int64_t start_s, int64_t end_s) {
    std::vector<Row> rows;
    EXPECT_TRUE(store_
                    ->ScanRollups(keys::kHour, "app", start_s, end_s, prefix,
                                  [&](std::string_view, std::string_view, std::string_view series,
                                      int64_t bucket, const Rollup& r) {
                                    rows.push_back({std::string(series), bucket, r.count()});
                                  })
                    .ok());
    return rows;
  };
  // Hours 3..6 of the rubric series: three series x four hours x two models.
  std::vector<Row> rows = scan("r:", hour0 + 3 * 3600, hour0 + 7 * 3600);
  ASSERT_EQ(rows.size(), 3u * 4 * 2);
  for (const Row& row : rows) {
    EXPECT_TRUE(row.series == "r:alpha" || row.series == "r:beta" || row.series == "r:alpha:x");
    EXPECT_GE(row.bucket, hour0 + 3 * 3600);
    EXPECT_LT(row.bucket, hour0 + 7 * 3600);
    EXPECT_EQ(row.count, 1u);
  }
  // Series come in key order, each in bucket order.
  EXPECT_EQ(rows.front().series, "r:alpha");
  EXPECT_EQ(rows.back().series, "r:beta");
  // One series by its full name, unbounded end; the prefix "r:alpha" also matches "r:alpha:x".
  EXPECT_EQ(scan(kLatencySeries, hour0 + 8 * 3600, 0).size(), 2u * 2);
  EXPECT_EQ(scan("r:alpha", 0, 0).size(), 2u * 10 * 2);
  EXPECT_EQ(scan("r:gamma", 0, 0).size(), 0u);
  // No prefix: every series of the app.
  uint64_t latency = 0;
  for (const Row& row : scan("", 0, 0)) latency += row.series == kLatencySeries ? row.count : 0;
  EXPECT_EQ(latency, samples.size());
}

TEST_F(StoreIngestTest, ADatabaseWithAnotherKeyLayoutIsRefused) {
  ASSERT_TRUE(store_->PutMeta(keys::kLayoutKey, "1").ok());
  store_.reset();
  auto reopened = Store::Open(dir_, v1::StorageConfig());
  ASSERT_FALSE(reopened.ok());
  EXPECT_EQ(reopened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(reopened.status().message().find("layout 1"), std::string::npos)
      << reopened.status();
}

// storage.compression picks the codec of the tables below level 0, where compacted samples
// settle when their bodies are kept in the tables (sample_blob_files false): both shrink the
// samples' data blocks, ZSTD more than LZ4, and the samples read back the same.
TEST_F(StoreIngestTest, CompressionSettingPicksTheTablesCodec) {
  std::map<std::string, uint64_t> block_bytes;  // Data block bytes of the samples, by codec.
  uint64_t raw_bytes = 0;
  for (auto [setting, codec] : {std::pair{v1::StorageConfig::COMPRESSION_UNSPECIFIED, "zstd"},
                                std::pair{v1::StorageConfig::COMPRESSION_LZ4, "lz4"}}) {
    store_.reset();
    std::filesystem::remove_all(dir_);
    v1::StorageConfig config;
    config.set_compression(setting);
    config.set_sample_blob_files(false);
    auto store = Store::Open(dir_, config);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);

    const int64_t now = absl::GetCurrentTimeNanos();
    std::mt19937_64 rng(3);
    const char* words[] = {"the", "model", "answer", "prompt", "token", "cache", "refund"};
    std::vector<v1::Sample> samples(300);
    std::vector<v1::Sample*> ptrs;
    for (size_t i = 0; i < samples.size(); ++i) {
      v1::Sample& s = samples[i];
      s.set_id(Id(now / 1000000, i));
      s.set_app("app");
      s.set_model("m");
      s.set_variant("production");
      s.set_start_time_unix_nano(now + static_cast<int64_t>(i));
      std::string text;
      while (text.size() < 1000) {
        text += std::string(words[rng() % 7]) + " " + std::to_string(rng() % 100) + " ";
      }
      s.set_response(text);
      ptrs.push_back(&s);
    }
    std::vector<char> is_new;
    ASSERT_TRUE(store_->Ingest(IngestWrite{.samples = ptrs}, &is_new).ok());
    ASSERT_TRUE(store_->CompactAll().ok());

    const std::string tables = store_->Property("rocksdb.aggregated-table-properties");
    auto number_after = [&](std::string_view label) -> uint64_t {
      const size_t at = tables.find(label);
      return at == std::string::npos ? 0 : std::stoull(tables.substr(at + label.size()));
    };
    block_bytes[codec] = number_after("; data block size=");
    raw_bytes = number_after("raw key size=") + number_after("raw value size=");
    for (const v1::Sample& s : samples) {
      auto stored = store_->GetSample(s.id());
      ASSERT_TRUE(stored.ok()) << stored.status();
      EXPECT_EQ(stored->response(), s.response());
    }
  }
  EXPECT_GT(raw_bytes, 300000u);
  EXPECT_LT(block_bytes["lz4"], raw_bytes * 3 / 4);
  EXPECT_LT(block_bytes["zstd"], block_bytes["lz4"] * 9 / 10);
}

// With storage.wal_compression, writes far larger than a WAL block (32 KB) are split into
// compressed fragments; reopening the store replays them (closing it does not flush), and every
// sample comes back. RocksDB 7.8 as Debian ships it fails this ("Corruption: bad WriteBatch
// Put"): scripts/rocksdb-patches/wal-compression-recovery.patch.
TEST_F(StoreIngestTest, ACompressedWalOfLargeWritesIsRecoveredWhole) {
  if (!WalCompressionSupported()) GTEST_SKIP() << "this RocksDB cannot recover a compressed WAL";
  store_.reset();
  std::filesystem::remove_all(dir_);
  v1::StorageConfig config;
  config.set_wal_compression(true);
  auto store = Store::Open(dir_, config);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);

  const int64_t now = absl::GetCurrentTimeNanos();
  std::mt19937_64 rng(11);
  const char* words[] = {"the", "model", "answer", "prompt", "token", "cache", "refund"};
  std::vector<v1::Sample> samples(2000);
  uint64_t raw_bytes = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    v1::Sample& s = samples[i];
    s.set_id(Id(now / 1000000, i));
    s.set_app("app");
    s.set_model("m");
    s.set_variant("production");
    s.set_start_time_unix_nano(now + static_cast<int64_t>(i));
    std::string text;
    while (text.size() < 1000) {
      text += std::string(words[rng() % 7]) + " " + std::to_string(rng()) + " ";
    }
    s.set_response(text);
    raw_bytes += text.size();
  }
  // Writes of 1, 7, 500 and the rest of the samples: a record within one block, and records
  // of many fragments, each fragment at the top of its block.
  size_t next = 0;
  for (size_t n : {size_t{1}, size_t{7}, size_t{500}, samples.size()}) {
    std::vector<v1::Sample*> ptrs;
    const size_t end = std::min(next + n, samples.size());
    for (; next < end; ++next) ptrs.push_back(&samples[next]);
    std::vector<char> is_new;
    ASSERT_TRUE(store_->Ingest(IngestWrite{.samples = ptrs}, &is_new).ok());
  }
  store_.reset();

  uint64_t wal_bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().extension() == ".log") wal_bytes += entry.file_size();
  }
  EXPECT_GT(wal_bytes, 0u);
  EXPECT_LT(wal_bytes, raw_bytes * 3 / 4) << "the WAL is not compressed";

  store = Store::Open(dir_, config);
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = std::move(*store);
  for (const v1::Sample& s : samples) {
    auto stored = store_->GetSample(s.id());
    ASSERT_TRUE(stored.ok()) << s.id() << ": " << stored.status();
    EXPECT_EQ(stored->response(), s.response());
  }
  EXPECT_EQ(Count(keys::kMinute, "app", kLatencySeries), samples.size());
}

// Without the fix, asking for it is refused rather than risking a folder that cannot reopen.
TEST_F(StoreIngestTest, WalCompressionIsRefusedWhereItCannotBeRecovered) {
  if (WalCompressionSupported()) GTEST_SKIP() << "this RocksDB can recover a compressed WAL";
  store_.reset();
  v1::StorageConfig config;
  config.set_wal_compression(true);
  auto store = Store::Open(dir_, config);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition) << store.status();
}

}  // namespace
}  // namespace llmtap::collector
