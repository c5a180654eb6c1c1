// /metrics after ingest: the ingest counters and histograms count what was sent, RocksDB's
// figures are there, and every line is valid Prometheus text.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <regex>
#include <sstream>

#include "collector_process.h"
#include "llmtap/sample.h"
#include "llmtap/v1/ingest.grpc.pb.h"

namespace llmtap {
namespace {

using testing::CollectorProcess;

v1::IngestRequest Batch(uint64_t batch_id, int samples) {
  v1::IngestRequest request;
  request.set_batch_id(batch_id);
  for (int i = 0; i < samples; ++i) {
    v1::Sample* s = request.add_samples();
    s->set_id(NewSampleId());
    s->set_app("metrics");
    s->set_model("m");
    s->set_start_time_unix_nano(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count());
    s->set_prompt(std::string(300, 'p'));
    s->set_response(std::string(600, 'r'));
    s->set_latency_ms(100 + i);
  }
  return request;
}

// "name{labels}" (or "name") -> value, for every sample line of a scrape.
std::map<std::string, double> Scrape(const CollectorProcess& collector) {
  httplib::Client http("127.0.0.1", collector.http_port());
  auto res = http.Get("/metrics");
  EXPECT_TRUE(res && res->status == 200);
  std::map<std::string, double> values;
  if (!res) return values;
  const std::regex line_re(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (\S+)$)");
  std::istringstream in(res->body);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::smatch m;
    EXPECT_TRUE(std::regex_match(line, m, line_re)) << "not Prometheus text: " << line;
    if (m.size() == 4) values[m[1]] = std::stod(m[3]);
  }
  return values;
}

TEST(Metrics, CountIngestAndShowRocksDbFigures) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();
  auto ingest = v1::IngestService::NewStub(
      grpc::CreateChannel(collector.grpc_address(), grpc::InsecureChannelCredentials()));
  auto send = [&](const v1::IngestRequest& request) {
    grpc::ClientContext context;
    v1::IngestResponse response;
    return ingest->Ingest(&context, request, &response);
  };

  const v1::IngestRequest first = Batch(1, 300), second = Batch(2, 200);
  ASSERT_TRUE(send(first).ok());
  ASSERT_TRUE(send(second).ok());
  ASSERT_TRUE(send(second).ok());  // A retry: 200 duplicates.
  v1::IngestRequest bad = Batch(3, 1);
  bad.mutable_samples(0)->clear_app();
  ASSERT_EQ(send(bad).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  auto m = Scrape(collector);
  EXPECT_EQ(m["llmtap_ingest_samples_stored_total"], 500);
  EXPECT_EQ(m["llmtap_ingest_samples_duplicate_total"], 200);
  EXPECT_EQ(m["llmtap_ingest_batches_total"], 3);
  EXPECT_EQ(m["llmtap_ingest_rejected_batches_total"], 1);
  EXPECT_GE(m["llmtap_ingest_commits_total"], 1);
  EXPECT_EQ(m["llmtap_ingest_commit_errors_total"], 0);
  EXPECT_EQ(m["llmtap_ingest_pending_batches"], 0);
  EXPECT_GT(m["llmtap_ingest_received_bytes_total"], 700 * 900);
  // Batch sizes: 300, 200, 200.
  EXPECT_EQ(m["llmtap_ingest_batch_samples_count"], 3);
  EXPECT_EQ(m["llmtap_ingest_batch_samples_sum"], 700);
  EXPECT_EQ(m["llmtap_ingest_batch_samples_bucket{le=\"250\"}"], 2);
  EXPECT_EQ(m["llmtap_ingest_batch_samples_bucket{le=\"+Inf\"}"], 3);
  EXPECT_EQ(m["llmtap_ingest_commit_samples_sum"], 700);
  EXPECT_EQ(m["llmtap_ingest_commit_seconds_count"], m["llmtap_ingest_commits_total"]);

  // RocksDB: the 500 samples sit in the memtable of the samples family, with their ids.
  EXPECT_EQ(m["llmtap_rocksdb_estimate_num_keys{cf=\"samples\"}"], 500);
  EXPECT_EQ(m["llmtap_rocksdb_estimate_num_keys{cf=\"ids\"}"], 500);
  EXPECT_GT(m["llmtap_rocksdb_memtable_bytes{cf=\"samples\"}"], 500 * 900);
  EXPECT_GT(m["llmtap_rocksdb_wal_bytes_total"], 500 * 900);
  EXPECT_GE(m["llmtap_rocksdb_keys_written_total"], 1000);
  for (const char* name :
       {"llmtap_rocksdb_live_sst_bytes{cf=\"samples\"}",
        "llmtap_rocksdb_pending_compaction_bytes{cf=\"samples\"}",
        "llmtap_rocksdb_l0_files{cf=\"samples\"}", "llmtap_rocksdb_block_cache_bytes",
        "llmtap_rocksdb_write_stopped", "llmtap_rocksdb_stall_micros_total",
        "llmtap_rocksdb_compaction_write_bytes_total", "llmtap_ingest_open_streams",
        "llmtap_scoring_queue_depth"}) {
    EXPECT_TRUE(m.count(name)) << name;
  }
}

}  // namespace
}  // namespace llmtap
