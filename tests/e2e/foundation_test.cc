// One sample through every path: the C++ SDK records, llmtapd stores, the query service reads
// back, and everything survives a restart.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "collector_process.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "llmtap/client.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap {
namespace {

using testing::CollectorProcess;

constexpr int kSamples = 10000;

Sample MakeSample(int i) {
  Sample s;
  s.app = i % 2 ? "checkout" : "support";
  s.session_id = "session-" + std::to_string(i % 37);
  s.model = i % 3 ? "gpt-4o-mini" : "llama-3.1-8b";
  s.prompt_version = "v" + std::to_string(i % 4);
  s.variant = i % 5 ? "production" : "shadow";
  s.pair_id = "pair-" + std::to_string(i / 2);
  s.prompt = "Question " + std::to_string(i) + ": what is \"2+2\"? Ünïcödé ✓ 日本語";
  s.response = std::string(200 + i % 50, 'a' + i % 26);
  s.contexts = {"context one for " + std::to_string(i), "context two"};
  s.reference = "4";
  s.start_time = std::chrono::system_clock::time_point(std::chrono::nanoseconds(
      1'700'000'000'000'000'000LL + static_cast<int64_t>(i) * 1'000'003LL));
  s.latency_ms = 10.25 + i;
  s.time_to_first_token_ms = 1.5 + i % 7;
  s.input_tokens = 100 + i;
  s.output_tokens = 20 + i % 9;
  s.ok = i % 11 != 0;
  if (!s.ok) s.error = "HTTP 500: upstream failed";
  s.metadata = {{"tenant", "t" + std::to_string(i % 3)}, {"index", std::to_string(i)}};
  s.cost_usd = 0.001 * (i % 5);
  return s;
}

void ExpectSameFields(const Sample& want, const v1::Sample& got) {
  EXPECT_EQ(got.app(), want.app);
  EXPECT_EQ(got.session_id(), want.session_id);
  EXPECT_EQ(got.model(), want.model);
  EXPECT_EQ(got.prompt_version(), want.prompt_version);
  EXPECT_EQ(got.variant(), want.variant);
  EXPECT_EQ(got.pair_id(), want.pair_id);
  EXPECT_EQ(got.prompt(), want.prompt);
  EXPECT_EQ(got.response(), want.response);
  ASSERT_EQ(got.contexts_size(), static_cast<int>(want.contexts.size()));
  for (size_t c = 0; c < want.contexts.size(); ++c) EXPECT_EQ(got.contexts(c), want.contexts[c]);
  EXPECT_EQ(got.reference(), want.reference);
  EXPECT_EQ(got.start_time_unix_nano(),
            std::chrono::duration_cast<std::chrono::nanoseconds>(want.start_time.time_since_epoch())
                .count());
  EXPECT_EQ(got.latency_ms(), want.latency_ms);
  EXPECT_EQ(got.time_to_first_token_ms(), want.time_to_first_token_ms);
  EXPECT_EQ(got.input_tokens(), want.input_tokens);
  EXPECT_EQ(got.output_tokens(), want.output_tokens);
  EXPECT_EQ(got.status(), want.ok ? v1::CALL_STATUS_OK : v1::CALL_STATUS_ERROR);
  EXPECT_EQ(got.error(), want.error);
  const std::map<std::string, std::string> metadata(got.metadata().begin(), got.metadata().end());
  EXPECT_EQ(metadata, want.metadata);
  EXPECT_EQ(got.cost_usd(), want.cost_usd);
  EXPECT_GT(got.received_unix_nano(), 0);
}

// Every sample the query service lists, across all pages, by id.
std::map<std::string, v1::Sample> ListAll(const std::string& address) {
  auto stub = v1::QueryService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  std::map<std::string, v1::Sample> all;
  v1::ListSamplesRequest request;
  request.set_page_size(1000);
  int pages = 0;
  do {
    grpc::ClientContext context;
    v1::ListSamplesResponse response;
    grpc::Status status = stub->ListSamples(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    for (const auto& s : response.samples()) {
      EXPECT_TRUE(all.emplace(s.sample().id(), s.sample()).second) << "listed twice: " << s.sample().id();
    }
    request.set_page_token(response.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 1000);
  return all;
}

TEST(Foundation, TenThousandSamplesRoundTripIntactAndSurviveRestart) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();

  ClientOptions options;
  options.collector_address = collector.grpc_address();
  std::unique_ptr<Client> client;
  ASSERT_TRUE(Client::Create(options, &client).ok());
  std::map<std::string, Sample> sent;
  for (int i = 0; i < kSamples; ++i) {
    Sample s = MakeSample(i);
    s.id = NewSampleId();
    sent.emplace(s.id, s);
    client->Record(std::move(s));
  }
  ASSERT_TRUE(client->Flush(std::chrono::seconds(60)).ok());
  ClientStats stats = client->Stats();
  EXPECT_EQ(stats.recorded, static_cast<uint64_t>(kSamples));
  EXPECT_EQ(stats.acked, static_cast<uint64_t>(kSamples));
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_TRUE(client->Shutdown(std::chrono::seconds(5)).ok());

  auto check = [&](const std::map<std::string, v1::Sample>& listed) {
    ASSERT_EQ(listed.size(), sent.size());
    for (const auto& [id, want] : sent) {
      auto it = listed.find(id);
      ASSERT_NE(it, listed.end()) << id;
      ExpectSameFields(want, it->second);
    }
  };
  check(ListAll(collector.grpc_address()));

  collector.Stop();
  ASSERT_TRUE(collector.Start()) << collector.log();
  check(ListAll(collector.grpc_address()));
}

// SIGTERM while an SDK client streams samples and a Tail call listens: the daemon does not wait
// out its grace time for them (the streams end at once, ingest acking what it committed), and
// after a restart the client delivers the rest, each sample stored exactly once.
TEST(Foundation, SigtermWithOpenStreamsStopsPromptlyAndLosesNothing) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();
  ClientOptions options;
  options.collector_address = collector.grpc_address();
  options.max_buffer_bytes = size_t{1} << 30;  // No drops while the collector is down.
  std::unique_ptr<Client> client;
  ASSERT_TRUE(Client::Create(options, &client).ok());

  auto channel = grpc::CreateChannel(collector.grpc_address(), grpc::InsecureChannelCredentials());
  auto query = v1::QueryService::NewStub(channel);
  grpc::ClientContext tail_context;
  auto tail = query->Tail(&tail_context, v1::TailRequest());
  grpc::Status tail_status;
  std::thread tail_reader([&] {
    v1::TailResponse event;
    while (tail->Read(&event)) {
    }
    tail_status = tail->Finish();
  });

  std::atomic<bool> recording{true};
  std::atomic<int> recorded{0};
  std::thread producer([&] {
    for (int i = 0; recording.load(); ++i) {
      client->Record(MakeSample(i));
      recorded.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto start = std::chrono::steady_clock::now();
  collector.Stop();
  const auto took = std::chrono::steady_clock::now() - start;
  // The grace time is 5 s; without the drain, both open streams made the daemon wait it out.
  EXPECT_LT(took, std::chrono::seconds(2));
  tail_reader.join();
  EXPECT_EQ(tail_status.error_code(), grpc::StatusCode::UNAVAILABLE) << tail_status.error_message();

  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  recording.store(false);
  producer.join();
  ASSERT_TRUE(collector.Start()) << collector.log();
  ASSERT_TRUE(client->Flush(std::chrono::seconds(60)).ok());
  const ClientStats stats = client->Stats();
  EXPECT_EQ(stats.recorded, static_cast<uint64_t>(recorded.load()));
  EXPECT_EQ(stats.acked, stats.recorded);
  EXPECT_EQ(stats.dropped, 0u);
  const uint64_t stored = ListAll(collector.grpc_address()).size();
  EXPECT_EQ(stored, stats.acked);
  EXPECT_TRUE(client->Shutdown(std::chrono::seconds(5)).ok());
}

TEST(Foundation, ListSamplesNewestFirstFilteredByAppAndTime) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();
  ClientOptions options;
  options.collector_address = collector.grpc_address();
  std::unique_ptr<Client> client;
  ASSERT_TRUE(Client::Create(options, &client).ok());
  for (int i = 0; i < 100; ++i) client->Record(MakeSample(i));
  ASSERT_TRUE(client->Flush(std::chrono::seconds(10)).ok());

  auto stub = v1::QueryService::NewStub(
      grpc::CreateChannel(collector.grpc_address(), grpc::InsecureChannelCredentials()));
  v1::ListSamplesRequest request;
  request.mutable_filter()->set_app("support");  // Even i.
  const int64_t t0 = 1'700'000'000'000'000'000LL;
  request.mutable_filter()->set_start_unix_nano(t0 + 10 * 1'000'003LL);  // i >= 10
  request.mutable_filter()->set_end_unix_nano(t0 + 20 * 1'000'003LL);    // i < 20
  grpc::ClientContext context;
  v1::ListSamplesResponse response;
  ASSERT_TRUE(stub->ListSamples(&context, request, &response).ok());
  ASSERT_EQ(response.samples_size(), 5);  // 10, 12, 14, 16, 18
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(response.samples(k).sample().metadata().at("index"), std::to_string(18 - 2 * k));
  }
  EXPECT_TRUE(response.next_page_token().empty());
}

TEST(Foundation, HealthCheckAnswersServing) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(collector.grpc_address(), grpc::InsecureChannelCredentials()));
  for (const char* service : {"", "llmtap.v1.IngestService", "llmtap.v1.QueryService"}) {
    grpc::ClientContext context;
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    ASSERT_TRUE(stub->Check(&context, request, &response).ok()) << service;
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("no.such.Service");
  grpc::health::v1::HealthCheckResponse response;
  EXPECT_EQ(stub->Check(&context, request, &response).error_code(), grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace llmtap
