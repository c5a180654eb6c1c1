// Fleet mode against a real Kafka broker: an SDK streams samples to an edge llmtapd, which
// forwards them through Kafka to scorer llmtapds and a store llmtapd. Each test breaks one
// part mid-stream (kill -9 of an edge, a scorer, the store; the broker stopped for 30 s; a
// scorer added and another removed), then checks that every sample the SDK had acked is
// stored once and scored once by every rubric: the store's counts (from its rollups) equal
// the number of samples exactly, and every sample listed has one score per rubric.
//
// One broker serves every test (each test has its own topics and groups).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "collector_process.h"
#include "kafka_broker.h"
#include "llmtap/client.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kSamples = 1500;
// About 250 samples/s: a fault in the middle of a six-second stream.
constexpr auto kPace = 4ms;
const std::vector<std::string> kRubrics = {"says_world", "short"};

class FleetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    broker_ = new KafkaBroker();
    ASSERT_TRUE(broker_->Start()) << broker_->log();
  }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(broker_, nullptr);
    if (!broker_->running()) {
      ASSERT_TRUE(broker_->Start()) << broker_->log();
    }
    name_ = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    app_ = "app-" + name_;
  }

  // A config for `roles` ("ROLE_EDGE", ...), on this test's topics and groups.
  std::string Config(const std::string& roles, const std::string& scorer_id = "") const {
    std::string c = "fleet { brokers: \"" + broker_->bootstrap() + "\"";
    c += " roles: " + roles;
    c += " samples_topic: \"" + name_ + ".samples\" scores_topic: \"" + name_ + ".scores\"";
    c += " partitions: 4 scorer_group: \"" + name_ + "-scorers\" store_group: \"" + name_ +
         "-store\" transaction_timeout_ms: 5000";
    if (!scorer_id.empty()) c += " scorer_id: \"" + name_ + "-" + scorer_id + "\"";
    c += " }\n";
    c += R"pb(
      rubrics { name: "says_world" kind: RUBRIC_KIND_REGEX regex { must: "world" } }
      rubrics { name: "short" kind: RUBRIC_KIND_LENGTH length { max_words: 3 } }
      scoring { workers: 2 }
    )pb";
    return c;
  }

  std::unique_ptr<CollectorProcess> Launch(const std::string& roles,
                                           const std::string& scorer_id = "") {
    auto p = std::make_unique<CollectorProcess>(Config(roles, scorer_id));
    EXPECT_TRUE(p->Start()) << p->log();
    return p;
  }

  // Streams kSamples samples to the edge from a background thread; `fault` runs (on the test
  // thread) once half of them are recorded. Then waits until the SDK has everything acked.
  void StreamWithFault(const CollectorProcess& edge, const std::function<void()>& fault,
                       std::chrono::seconds flush = 120s) {
    ClientOptions options;
    options.collector_address = edge.grpc_address();
    options.app = app_;
    options.stats_interval = 500ms;
    std::unique_ptr<Client> client;
    ASSERT_TRUE(Client::Create(options, &client).ok());
    std::atomic<int> recorded{0};
    std::thread producer([&] {
      for (int i = 0; i < kSamples; ++i) {
        Sample s;
        s.model = i % 2 ? "m-1" : "m-2";
        s.prompt = "say hello " + std::to_string(i);
        s.response = i % 3 ? "hello world" : "hello there, how are you today";
        s.latency_ms = 10 + i % 50;
        client->Record(std::move(s));
        recorded = i + 1;
        std::this_thread::sleep_for(kPace);
      }
    });
    while (recorded < kSamples / 2) std::this_thread::sleep_for(10ms);
    fault();
    producer.join();
    EXPECT_TRUE(client->Flush(std::chrono::duration_cast<std::chrono::milliseconds>(flush)).ok());
    const ClientStats stats = client->Stats();
    EXPECT_EQ(stats.acked, static_cast<uint64_t>(kSamples));
    EXPECT_EQ(stats.dropped, 0u);
    EXPECT_EQ(stats.rejected, 0u);
    client->Shutdown(5s);
  }

  // Waits until the store counts every sample and every rubric's score of it, then checks
  // that each is there exactly once.
  void ExpectStoredAndScoredOnce(const CollectorProcess& store,
                                 std::chrono::seconds timeout = 120s) {
    auto channel = grpc::CreateChannel(store.grpc_address(), grpc::InsecureChannelCredentials());
    auto query = v1::QueryService::NewStub(channel);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    v1::CompletenessResponse c;
    auto scored = [&](const std::string& rubric) -> uint64_t {
      for (const auto& r : c.rubrics()) {
        if (r.rubric() == rubric) return r.scored() + r.errors() + r.sampled_out();
      }
      return 0;
    };
    while (true) {
      v1::CompletenessRequest request;
      request.mutable_filter()->set_app(app_);
      grpc::ClientContext context;
      c.Clear();
      ASSERT_TRUE(query->Completeness(&context, request, &c).ok());
      bool done = c.stored() >= kSamples;
      for (const auto& r : kRubrics) done = done && scored(r) >= kSamples;
      if (done) break;
      ASSERT_LT(std::chrono::steady_clock::now(), deadline)
          << "stored " << c.stored() << ", scored " << scored(kRubrics[0]) << " and "
          << scored(kRubrics[1]) << " of " << kSamples << "\n"
          << store.log();
      std::this_thread::sleep_for(200ms);
    }
    std::this_thread::sleep_for(2s);  // Anything counted twice would show now.
    {
      v1::CompletenessRequest request;
      request.mutable_filter()->set_app(app_);
      grpc::ClientContext context;
      c.Clear();
      ASSERT_TRUE(query->Completeness(&context, request, &c).ok());
    }
    EXPECT_EQ(c.stored(), static_cast<uint64_t>(kSamples));
    for (const auto& r : kRubrics) EXPECT_EQ(scored(r), static_cast<uint64_t>(kSamples)) << r;

    std::set<std::string> ids;
    std::string token;
    size_t incomplete = 0;
    do {
      v1::ListSamplesRequest request;
      request.mutable_filter()->set_app(app_);
      request.set_page_size(1000);
      request.set_with_scores(true);
      request.set_page_token(token);
      v1::ListSamplesResponse response;
      grpc::ClientContext context;
      ASSERT_TRUE(query->ListSamples(&context, request, &response).ok());
      for (const auto& s : response.samples()) {
        EXPECT_TRUE(ids.insert(s.sample().id()).second) << "listed twice: " << s.sample().id();
        std::set<std::string> rubrics;
        for (const auto& score : s.scores()) rubrics.insert(score.rubric());
        if (rubrics != std::set<std::string>(kRubrics.begin(), kRubrics.end())) ++incomplete;
      }
      token = response.next_page_token();
    } while (!token.empty());
    EXPECT_EQ(ids.size(), static_cast<size_t>(kSamples));
    EXPECT_EQ(incomplete, 0u) << "samples without one score per rubric";
  }

  static KafkaBroker* broker_;
  std::string name_;
  std::string app_;
};

KafkaBroker* FleetTest::broker_ = nullptr;

TEST_F(FleetTest, EdgeKilledMidStreamLosesAndRepeatsNothing) {
  auto store = Launch("ROLE_STORE");
  auto scorer = Launch("ROLE_SCORER", "a");
  auto edge = Launch("ROLE_EDGE");
  StreamWithFault(*edge, [&] {
    edge->Kill();
    std::this_thread::sleep_for(500ms);
    ASSERT_TRUE(edge->Start()) << edge->log();
  });
  ExpectStoredAndScoredOnce(*store);
}

TEST_F(FleetTest, ScorerKilledMidStreamHandsItsPartitionsOver) {
  auto store = Launch("ROLE_STORE");
  auto a = Launch("ROLE_SCORER", "a");
  auto b = Launch("ROLE_SCORER", "b");
  auto edge = Launch("ROLE_EDGE");
  StreamWithFault(*edge, [&] { a->Kill(); });  // b takes a's partitions over.
  ExpectStoredAndScoredOnce(*store);
}

// Then the same store reads both topics again from the start (a new consumer group): every
// sample and score arrives a second time, and is neither stored nor counted again.
TEST_F(FleetTest, StoreKilledMidStreamCatchesUpOnceAndAReplayAddsNothing) {
  auto store = Launch("ROLE_STORE");
  auto scorer = Launch("ROLE_SCORER", "a");
  auto edge = Launch("ROLE_EDGE");
  StreamWithFault(*edge, [&] {
    store->Kill();
    std::this_thread::sleep_for(1s);
    ASSERT_TRUE(store->Start()) << store->log();
  });
  ExpectStoredAndScoredOnce(*store);

  store->Kill();
  const std::string replay = store->data_dir() + "-replay.textproto";
  std::ofstream(replay) << std::regex_replace(Config("ROLE_STORE"), std::regex("-store\""),
                                              "-store-replay\"");
  ASSERT_TRUE(store->Start({"--config=" + replay})) << store->log();
  httplib::Client http("127.0.0.1", store->http_port());
  // Scores messages read in this life: recognised as stored, or (wrongly) stored again.
  auto read_again = [](const std::string& metrics) -> uint64_t {
    uint64_t n = 0;
    for (const char* name : {"llmtap_fleet_store_duplicate_scores_total",
                             "llmtap_fleet_store_scored_samples_total"}) {
      std::smatch m;
      if (std::regex_search(metrics, m, std::regex(std::string(name) + R"( (\d+))"))) {
        n += std::stoull(m[1]);
      }
    }
    return n;
  };
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  uint64_t seen = 0;
  while (seen < static_cast<uint64_t>(kSamples)) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "replayed " << seen << "\n"
                                                          << store->log();
    std::this_thread::sleep_for(200ms);
    auto r = http.Get("/metrics");
    if (r) seen = read_again(r->body);
  }
  ExpectStoredAndScoredOnce(*store);
}

TEST_F(FleetTest, ScorerAddedAndRemovedUnderLoad) {
  auto store = Launch("ROLE_STORE");
  auto a = Launch("ROLE_SCORER", "a");
  auto edge = Launch("ROLE_EDGE");
  std::unique_ptr<CollectorProcess> b;
  StreamWithFault(*edge, [&] {
    b = Launch("ROLE_SCORER", "b");  // Joins: the partitions are spread over a and b.
    std::this_thread::sleep_for(1500ms);
    a->Stop();  // Leaves: b gets them all.
  });
  ExpectStoredAndScoredOnce(*store);
}

// Last: the broker is stopped for 30 s mid-stream. The edge keeps acking (buffering on its
// disk), then everything catches up by itself.
TEST_F(FleetTest, BrokerStoppedFor30sEverythingCatchesUp) {
  auto store = Launch("ROLE_STORE");
  auto scorer = Launch("ROLE_SCORER", "a");
  auto edge = Launch("ROLE_EDGE");
  StreamWithFault(
      *edge,
      [&] {
        broker_->Stop();
        std::this_thread::sleep_for(30s);
        ASSERT_TRUE(broker_->Start()) << broker_->log();
      },
      180s);
  ExpectStoredAndScoredOnce(*store, 180s);
}

}  // namespace
}  // namespace llmtap::testing
