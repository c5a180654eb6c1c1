// CollectorClient: what the judge's end-to-end tests need of a running llmtapd: ingest
// samples, wait until rubrics have accounted for them, read a sample's scores.
#ifndef LLMTAP_TESTS_JUDGE_COLLECTOR_CLIENT_H_
#define LLMTAP_TESTS_JUDGE_COLLECTOR_CLIENT_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "llmtap/v1/ingest.grpc.pb.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap::testing {

class CollectorClient {
 public:
  explicit CollectorClient(const std::string& grpc_address)
      : channel_(grpc::CreateChannel(grpc_address, grpc::InsecureChannelCredentials())),
        ingest_(v1::IngestService::NewStub(channel_)),
        query_(v1::QueryService::NewStub(channel_)) {}

  // A valid sample id (32 hex digits) numbered i.
  static std::string Id(int i) {
    char buf[33];
    std::snprintf(buf, sizeof buf, "0192b0b0c0d0e0f0%016x", i);
    return buf;
  }

  // Stores `samples` (ids, app and start time must be set); true when acked.
  bool Ingest(const std::vector<v1::Sample>& samples) {
    v1::IngestRequest request;
    for (const auto& s : samples) *request.add_samples() = s;
    grpc::ClientContext context;
    v1::IngestResponse response;
    grpc::Status status = ingest_->Ingest(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return status.ok();
  }

  v1::CompletenessResponse Completeness(const std::string& app) {
    v1::CompletenessRequest request;
    request.mutable_filter()->set_app(app);
    v1::CompletenessResponse response;
    grpc::ClientContext context;
    grpc::Status status = query_->Completeness(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Waits until each of `rubrics` has accounted for `n` samples of `app` (scored, skipped,
  // errors, sampled out). Returns the counts per rubric; a test failure on timeout.
  std::map<std::string, v1::RubricSkips> WaitAccounted(const std::string& app,
                                                       const std::vector<std::string>& rubrics,
                                                       uint64_t n, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::map<std::string, v1::RubricSkips> by_rubric;
    while (true) {
      by_rubric.clear();
      const v1::CompletenessResponse completeness = Completeness(app);
      for (const auto& r : completeness.rubrics()) by_rubric[r.rubric()] = r;
      bool done = true;
      for (const auto& name : rubrics) {
        const v1::RubricSkips& r = by_rubric[name];
        uint64_t accounted = r.scored() + r.errors() + r.sampled_out();
        for (const auto& [reason, count] : r.skipped()) accounted += count;
        done = done && accounted >= n;
      }
      if (done) return by_rubric;
      if (std::chrono::steady_clock::now() > deadline) {
        ADD_FAILURE() << "rubrics did not account for " << n << " samples in time";
        return by_rubric;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // The scores of sample `id` by rubric name.
  std::map<std::string, v1::Score> Scores(const std::string& id) {
    v1::GetSampleRequest request;
    request.set_id(id);
    v1::GetSampleResponse response;
    grpc::ClientContext context;
    grpc::Status status = query_->GetSample(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::map<std::string, v1::Score> out;
    for (const auto& s : response.scores()) out[s.rubric()] = s;
    return out;
  }

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::QueryService::Stub> query_;
};

}  // namespace llmtap::testing

#endif  // LLMTAP_TESTS_JUDGE_COLLECTOR_CLIENT_H_
