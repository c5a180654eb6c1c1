// What fleet mode asks of the store and of the Kafka glue, without a broker: the forward
// queue written with the sample and bounded, scores stored once per sample, consumer lag read
// from librdkafka's statistics, and the config's defaults and refusals.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "collector/fleet/kafka_common.h"
#include "collector/store/store.h"

namespace llmtap::collector {
namespace {

class TempStore {
 public:
  TempStore() {
    dir_ = std::filesystem::temp_directory_path() /
           ("llmtap-fleet-unit-" + std::to_string(getpid()) + "-" + std::to_string(++n_));
    auto s = Store::Open(dir_.string(), v1::StorageConfig());
    EXPECT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Store* operator->() { return store_.get(); }
  void Reopen() {
    store_.reset();
    store_ = *Store::Open(dir_.string(), v1::StorageConfig());
  }

 private:
  static inline int n_ = 0;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

v1::Sample MakeSample(int i) {
  v1::Sample s;
  char id[33];
  std::snprintf(id, sizeof id, "0192b0b0c0d0e0f0%016x", i);
  s.set_id(id);
  s.set_app("a");
  s.set_model("m");
  s.set_variant("production");
  s.set_start_time_unix_nano(1700000000000000000LL + i);
  return s;
}

TEST(FleetStoreWrites, ForwardEntriesComeWithNewSamplesOnlyAndSurviveReopen) {
  TempStore store;
  std::vector<v1::Sample> samples = {MakeSample(1), MakeSample(2), MakeSample(1)};
  IngestWrite write;
  for (auto& s : samples) write.samples.push_back(&s);
  write.forward_limit = 100;
  std::vector<char> is_new;
  ASSERT_TRUE(store->Ingest(write, &is_new).ok());
  EXPECT_EQ(store->forward_depth(), 2u);
  store.Reopen();
  EXPECT_EQ(store->forward_depth(), 2u);
  std::vector<std::string> keys;
  ASSERT_TRUE(store->ScanForward(10, "", [&](std::string_view key, std::string_view sample_key) {
                     keys.emplace_back(key);
                     EXPECT_TRUE(store->GetSampleByKey(sample_key).ok());
                   }).ok());
  ASSERT_EQ(keys.size(), 2u);
  ASSERT_TRUE(store->DeleteForward({keys.data(), 1}).ok());
  EXPECT_EQ(store->forward_depth(), 1u);
}

TEST(FleetStoreWrites, FullForwardQueueRefusesTheWriteAndStoresNothing) {
  TempStore store;
  std::vector<v1::Sample> samples = {MakeSample(1), MakeSample(2)};
  IngestWrite write;
  for (auto& s : samples) write.samples.push_back(&s);
  write.forward_limit = 1;
  std::vector<char> is_new;
  const absl::Status s = store->Ingest(write, &is_new);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted) << s;
  EXPECT_FALSE(store->GetSample(samples[0].id()).ok());
  EXPECT_EQ(store->forward_depth(), 0u);
}

TEST(FleetStoreWrites, ScoresOfASampleAreStoredAndCountedOnce) {
  TempStore store;
  const v1::Sample header = MakeSample(7);
  ScoreWrite w;
  w.sample = &header;
  v1::Score score;
  score.set_sample_id(header.id());
  score.set_rubric("r");
  score.set_value(1);
  w.scores = {score};
  w.rollup_values = {{"r:r", 1.0}};
  std::vector<char> is_new;
  const ScoreWrite twice[] = {w, w};
  ASSERT_TRUE(store->CommitScoresOnce(twice, &is_new).ok());
  EXPECT_EQ(is_new, (std::vector<char>{1, 0}));
  ASSERT_TRUE(store->CommitScoresOnce({&w, 1}, &is_new).ok());  // Read again from Kafka.
  EXPECT_EQ(is_new, (std::vector<char>{0}));
  auto scores = store->GetScores(header.id());
  ASSERT_TRUE(scores.ok());
  ASSERT_EQ(scores->size(), 1u);  // The marker is not a score.
  uint64_t count = 0;
  ASSERT_TRUE(store->ScanRollups('d', "a", 0, INT64_MAX, "r:",
                                 [&](auto, auto, auto, int64_t, const Rollup& r) {
                                   count += r.count();
                                 }).ok());
  EXPECT_EQ(count, 1u);
}

TEST(FleetKafka, LagIsReadPerPartitionFromStatistics) {
  Metrics metrics;
  fleet::ConsumerLag lag(&metrics);
  lag.Update("g", "member-1", R"({"topics": {"t": {"partitions": {
      "0": {"consumer_lag": 5, "fetch_state": "active"},
      "1": {"consumer_lag": 7, "fetch_state": "active"},
      "2": {"consumer_lag": 9, "fetch_state": "none"},
      "-1": {"consumer_lag": 100, "fetch_state": "none"}}}}})");
  EXPECT_EQ(lag.Total("g"), 12);
  EXPECT_NE(metrics.Render().find(
                R"(llmtap_fleet_consumer_lag{group="g",member="member-1",topic="t",partition="1"} 7)"),
            std::string::npos)
      << metrics.Render();
  lag.Update("g", "member-1", "not json");  // Ignored.
  EXPECT_EQ(lag.Total("g"), 12);
}

TEST(FleetKafka, SettingsDefaultAndRefuseWhatCannotWork) {
  v1::FleetConfig config;
  auto none = fleet::ResolveFleetSettings(config, "d");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->any());
  config.add_roles(v1::FleetConfig::ROLE_SCORER);
  EXPECT_EQ(fleet::ResolveFleetSettings(config, "d").status().code(),
            absl::StatusCode::kInvalidArgument);  // No brokers.
  config.set_brokers("127.0.0.1:9092");
  auto s = fleet::ResolveFleetSettings(config, "d");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->scorer);
  EXPECT_EQ(s->samples_topic, "llmtap.samples");
  EXPECT_EQ(s->partitions, 12u);
  config.set_scores_topic("llmtap.samples");
  EXPECT_EQ(fleet::ResolveFleetSettings(config, "d").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace llmtap::collector
