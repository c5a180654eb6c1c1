// Crash safety: llmtapd is killed with SIGKILL during sustained ingest, several times in a row.
// After each restart every acked sample is present exactly once, retries of unacked batches
// are not stored twice, and the rollup counts equal the stored samples. It runs with the WAL as
// it is by default and compressed (storage.wal_compression), where recovery reads it back
// fragment by fragment.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "collector/store/store_options.h"
#include "collector_process.h"
#include "llmtap/sample.h"
#include "llmtap/v1/ingest.grpc.pb.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap {
namespace {

using testing::CollectorProcess;

constexpr int kBatchSamples = 200;
constexpr int kStreams = 3;
constexpr int kRounds = 3;

v1::Sample MakeSample(std::mt19937_64& rng) {
  v1::Sample s;
  s.set_id(NewSampleId());
  s.set_app(rng() % 2 ? "crash-a" : "crash-b");
  s.set_model("m" + std::to_string(rng() % 3));
  s.set_start_time_unix_nano(1'700'000'000'000'000'000LL +
                             static_cast<int64_t>(rng() % 86'400'000'000'000LL));
  s.set_prompt(std::string(300, 'p'));
  s.set_response(std::string(500, 'r'));
  s.set_latency_ms(static_cast<double>(rng() % 1000));
  return s;
}

// What the writers saw: batches acked, and batches sent without an ack (to retry).
struct Ledger {
  std::mutex mu;
  std::set<std::string> acked;
  std::vector<v1::IngestRequest> unacked;
};

// Streams batches until the stream breaks; records acked ids and unacked batches.
void Writer(const std::string& address, int seed, std::atomic<bool>* stop, Ledger* ledger) {
  auto stub = v1::IngestService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  auto stream = stub->Stream(&context);
  std::mt19937_64 rng(seed);
  std::mutex mu;
  std::map<uint64_t, v1::IngestRequest> in_flight;
  std::thread reader([&] {
    v1::IngestResponse ack;
    while (stream->Read(&ack)) {
      std::lock_guard<std::mutex> l(mu);
      auto it = in_flight.find(ack.batch_id());
      if (it == in_flight.end() || ack.code() != 0) continue;
      std::lock_guard<std::mutex> l2(ledger->mu);
      for (const auto& s : it->second.samples()) ledger->acked.insert(s.id());
      in_flight.erase(it);
    }
  });
  for (uint64_t batch_id = 1; !stop->load(); ++batch_id) {
    v1::IngestRequest request;
    request.set_batch_id(batch_id);
    for (int i = 0; i < kBatchSamples; ++i) *request.add_samples() = MakeSample(rng);
    {
      std::lock_guard<std::mutex> l(mu);
      if (in_flight.size() >= 8) {  // A window, like the SDK's.
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        continue;
      }
      in_flight[batch_id] = request;
    }
    if (!stream->Write(request)) break;
  }
  context.TryCancel();
  reader.join();
  stream->Finish().IgnoreError();
  std::lock_guard<std::mutex> l(ledger->mu);
  for (auto& [id, r] : in_flight) ledger->unacked.push_back(std::move(r));
}

// All stored sample ids; fails the test on an id listed twice.
std::multiset<std::string> StoredIds(v1::QueryService::Stub* query) {
  std::multiset<std::string> ids;
  v1::ListSamplesRequest request;
  request.set_page_size(1000);
  do {
    grpc::ClientContext context;
    v1::ListSamplesResponse response;
    grpc::Status s = query->ListSamples(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!s.ok()) break;
    for (const auto& x : response.samples()) ids.insert(x.sample().id());
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return ids;
}

uint64_t RollupCount(v1::QueryService::Stub* query) {
  grpc::ClientContext context;
  v1::StatsRequest request;
  v1::StatsResponse response;
  EXPECT_TRUE(query->Stats(&context, request, &response).ok());
  EXPECT_EQ(response.latency_ms().count(), response.samples());
  return response.samples();
}

// The parameter: whether the WAL is compressed.
class CrashSafety : public ::testing::TestWithParam<bool> {};

TEST_P(CrashSafety, SigkillDuringIngestLosesNothingAckedAndCountsNothingTwice) {
  if (GetParam() && !collector::WalCompressionSupported()) {
    GTEST_SKIP() << "this RocksDB cannot recover a compressed WAL";
  }
  // The samples start in 2023; retention off (samples and rollups), so that no compaction
  // during the test drops them.
  CollectorProcess collector(std::string("storage { retention_days: 0 rollup_retention_days: 0 ") +
                             (GetParam() ? "wal_compression: true }" : "}"));
  ASSERT_TRUE(collector.Start()) << collector.log();
  Ledger ledger;
  std::set<std::string> sent_ever;

  for (int round = 0; round < kRounds; ++round) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < kStreams; ++w) {
      writers.emplace_back(Writer, collector.grpc_address(), round * 100 + w, &stop, &ledger);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    collector.Kill();  // SIGKILL mid-ingest.
    stop = true;
    for (auto& t : writers) t.join();

    ASSERT_TRUE(collector.Start()) << collector.log();
    auto channel = grpc::CreateChannel(collector.grpc_address(), grpc::InsecureChannelCredentials());
    auto query = v1::QueryService::NewStub(channel);

    // Retry what was never acked, the way the SDK does: same ids.
    auto ingest = v1::IngestService::NewStub(channel);
    std::vector<v1::IngestRequest> retries;
    {
      std::lock_guard<std::mutex> l(ledger.mu);
      retries.swap(ledger.unacked);
    }
    for (const auto& r : retries) {
      grpc::ClientContext context;
      v1::IngestResponse response;
      ASSERT_TRUE(ingest->Ingest(&context, r, &response).ok());
      EXPECT_EQ(response.accepted() + response.duplicates(),
                static_cast<uint32_t>(r.samples_size()));
      for (const auto& s : r.samples()) ledger.acked.insert(s.id());
    }

    const std::multiset<std::string> stored = StoredIds(query.get());
    const std::set<std::string> unique(stored.begin(), stored.end());
    EXPECT_EQ(unique.size(), stored.size()) << "a sample is stored twice";
    for (const auto& id : ledger.acked) {
      ASSERT_EQ(stored.count(id), 1u) << "acked sample " << id << " lost in round " << round;
    }
    EXPECT_EQ(stored.size(), ledger.acked.size()) << "stored samples nobody sent";
    EXPECT_EQ(RollupCount(query.get()), stored.size()) << "rollups disagree with samples";
    std::printf("round %d: %zu samples stored, %zu batches retried\n", round, stored.size(),
                retries.size());
    EXPECT_GT(ledger.acked.size(), static_cast<size_t>(kBatchSamples * (round + 1)))
        << "too little ingest to be a real test";
  }
}

INSTANTIATE_TEST_SUITE_P(Wal, CrashSafety, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Compressed" : "Plain"; });

}  // namespace
}  // namespace llmtap
