// Delivery to a real llmtapd: nothing lost across a collector outage, drops counted exactly,
// deadlines kept with the collector gone, redaction on every path.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "collector_process.h"
#include "llmtap/client.h"
#include "llmtap/openai.h"
#include "sample_convert.h"
#include "sdk_test_util.h"

namespace llmtap {
namespace {

using testing::CollectorProcess;
using testing::kSlowdown;
using testing::ListAll;
using testing::StoredCount;
using namespace std::chrono_literals;

Sample Small(const std::string& app, int i) {
  Sample s;
  s.app = app;
  s.model = "m";
  s.prompt = "prompt " + std::to_string(i);
  s.response = "response " + std::to_string(i);
  s.latency_ms = 1;
  return s;
}

std::unique_ptr<Client> Connect(const std::string& address, ClientOptions o = {}) {
  o.collector_address = address;
  std::unique_ptr<Client> c;
  EXPECT_TRUE(Client::Create(o, &c).ok());
  return c;
}

// For failure messages.
std::string Describe(const ClientStats& s) {
  return "recorded " + std::to_string(s.recorded) + ", sent " + std::to_string(s.sent) +
         ", acked " + std::to_string(s.acked) + ", dropped " + std::to_string(s.dropped) +
         ", retried " + std::to_string(s.retried) + ", pending " + std::to_string(s.pending) +
         ", reconnects " + std::to_string(s.reconnects);
}

TEST(Delivery, CollectorDownThirtySecondsAtTenThousandPerSecondLosesAndDuplicatesNothing) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();
  ClientOptions o;
  o.max_buffer_bytes = 1u << 30;  // Room for the whole outage.
  o.initial_backoff = 50ms;
  o.max_backoff = 500ms;
  auto client = Connect(collector.grpc_address(), o);
  const std::string app = "outage";

  // 10,000 samples/s in steps of 100 every 10 ms: 3 s up, 30 s down, 2 s up again. A TSan
  // build (collector included) runs kSlowdown times slower, so it records that much less.
  const int per_step = 100 / kSlowdown;
  const int total = 350000 / kSlowdown;
  int recorded = 0;
  auto produce = [&](std::chrono::milliseconds how_long) {
    auto next = std::chrono::steady_clock::now();
    const auto end = next + how_long;
    while (next < end) {
      for (int k = 0; k < per_step; ++k) client->Record(Small(app, recorded++));
      next += 10ms;
      std::this_thread::sleep_until(next);
    }
  };
  produce(3000ms);
  // The outage must cut a live stream (a slow TSan client may still be connecting).
  for (int i = 0; i < 300 && client->Stats().acked == 0; ++i) std::this_thread::sleep_for(100ms);
  ASSERT_GT(client->Stats().acked, 0u) << "never connected before the outage";
  collector.Kill();
  produce(30000ms);
  ClientStats during = client->Stats();
  EXPECT_GE(during.pending, static_cast<uint64_t>(290000 / kSlowdown));
  EXPECT_EQ(during.dropped, 0u);
  ASSERT_TRUE(collector.Start()) << collector.log();
  produce(2000ms);
  ASSERT_EQ(recorded, total);

  Status flushed = client->Flush(120s);  // Seconds normally; TSan builds are slower.
  ASSERT_TRUE(flushed.ok()) << flushed.ToString();
  ClientStats stats = client->Stats();
  EXPECT_EQ(stats.recorded, static_cast<uint64_t>(total));
  EXPECT_EQ(stats.acked, static_cast<uint64_t>(total));
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.rejected, 0u);
  EXPECT_EQ(stats.pending, 0u);
  EXPECT_GE(stats.reconnects, 1u);
  ASSERT_TRUE(client->Shutdown(5s).ok());

  // Every id stored exactly once: the listing has no duplicates and the rollup count (which a
  // duplicate would inflate) agrees.
  int duplicates = 0;
  auto stored = ListAll(collector.grpc_address(), app, &duplicates);
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(stored.size(), static_cast<size_t>(total));
  EXPECT_EQ(StoredCount(collector.grpc_address(), app), total);
}

// Options whose budget holds exactly `samples` samples the size of `like` (once the sender
// gives it an id), reconnecting quickly.
ClientOptions BudgetOf(size_t samples, Sample like) {
  like.id = NewSampleId();
  ClientOptions o;
  o.max_buffer_bytes = internal::ApproximateBytes(like) * samples;
  o.initial_backoff = 20ms;
  o.max_backoff = 100ms;
  return o;
}

TEST(Delivery, BudgetOverflowDropsExactlyWhatTheCountersSay) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();
  collector.Kill();  // Down while recording, so the budget fills deterministically.
  const std::string app = "budget";
  const ClientOptions o = BudgetOf(1000, Small(app, 1000));
  auto client = Connect(collector.grpc_address(), o);
  for (int i = 1000; i < 6000; ++i) client->Record(Small(app, i));  // Same size each.
  ClientStats before = client->Stats();
  EXPECT_EQ(before.recorded, 5000u);
  EXPECT_EQ(before.dropped, 4000u);
  EXPECT_EQ(before.pending, 1000u);
  EXPECT_LE(before.pending_bytes, o.max_buffer_bytes);

  ASSERT_TRUE(collector.Start()) << collector.log();
  ASSERT_TRUE(client->Flush(30s).ok());
  ClientStats stats = client->Stats();
  EXPECT_EQ(stats.recorded, stats.acked + stats.dropped + stats.sampled_out);
  EXPECT_EQ(stats.acked, 1000u);
  int duplicates = 0;
  auto stored = ListAll(collector.grpc_address(), app, &duplicates);
  EXPECT_EQ(stored.size(), stats.acked);
  // The oldest were dropped: the newest 1000 survive.
  for (int i = 5000; i < 6000; ++i) {
    bool found = false;
    for (const auto& [id, s] : stored) found |= s.prompt() == "prompt " + std::to_string(i);
    if (!found) {
      ADD_FAILURE() << "newest sample " << i << " missing";
      break;
    }
  }
}

// Eight threads record at once, into the shared queue (shard) and, once they run into each
// other there, into their own: the counters stay exact, and each thread's samples are dropped
// oldest first, so what survives of a thread is its newest.
TEST(Delivery, BudgetOverflowFromManyThreadsDropsExactlyWhatTheCountersSay) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();
  collector.Kill();
  const std::string app = "budget-threads";
  const ClientOptions o = BudgetOf(1000, Small(app, 100000));
  auto client = Connect(collector.grpc_address(), o);
  constexpr int kThreads = 8, kEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Six-digit numbers, so every sample has the same size.
      for (int i = 0; i < kEach; ++i) client->Record(Small(app, 100000 * (t + 1) + i));
    });
  }
  for (auto& th : threads) th.join();
  ClientStats before = client->Stats();
  EXPECT_EQ(before.recorded, static_cast<uint64_t>(kThreads * kEach));
  EXPECT_EQ(before.pending, 1000u);
  EXPECT_EQ(before.dropped, before.recorded - 1000u);
  EXPECT_LE(before.pending_bytes, o.max_buffer_bytes);

  ASSERT_TRUE(collector.Start()) << collector.log();
  ASSERT_TRUE(client->Flush(30s).ok()) << Describe(client->Stats());
  ClientStats stats = client->Stats();
  EXPECT_EQ(stats.acked, 1000u);
  EXPECT_EQ(stats.recorded, stats.acked + stats.dropped);
  int duplicates = 0;
  auto stored = ListAll(collector.grpc_address(), app, &duplicates);
  EXPECT_EQ(duplicates, 0);
  ASSERT_EQ(stored.size(), 1000u);
  // Per thread, the survivors are a run of its newest samples.
  std::vector<std::vector<int>> kept(kThreads);
  for (const auto& [id, s] : stored) {
    const int n = std::stoi(s.prompt().substr(std::string("prompt ").size()));
    kept[n / 100000 - 1].push_back(n % 100000);
  }
  for (int t = 0; t < kThreads; ++t) {
    std::sort(kept[t].begin(), kept[t].end());
    for (size_t k = 0; k < kept[t].size(); ++k) {
      EXPECT_EQ(kept[t][k], kEach - static_cast<int>(kept[t].size() - k)) << "thread " << t;
    }
  }
}

TEST(Delivery, OverflowWithSamplingAndALiveCollectorBalances) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();
  const std::string app = "balance";
  ClientOptions o;
  o.max_buffer_bytes = 256 << 10;
  o.sample_rate = 0.5;
  auto client = Connect(collector.grpc_address(), o);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        Sample s = Small(app, t * 100000 + i);
        s.response.assign(1000, 'x');
        client->Record(std::move(s));
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_TRUE(client->Flush(30s).ok());
  ClientStats stats = client->Stats();
  EXPECT_EQ(stats.recorded, 80000u);
  EXPECT_GT(stats.sampled_out, 30000u);
  EXPECT_GT(stats.dropped, 0u);
  EXPECT_EQ(stats.recorded, stats.acked + stats.dropped + stats.sampled_out);
  EXPECT_EQ(StoredCount(collector.grpc_address(), app), static_cast<int64_t>(stats.acked));
}

TEST(Delivery, RecordNeverBlocksAndShutdownKeepsItsDeadlineWhenTheCollectorIsGone) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();
  auto client = Connect(collector.grpc_address());
  client->Record(Small("gone", 0));
  ASSERT_TRUE(client->Flush(10s).ok()) << Describe(client->Stats());
  collector.Kill();
  auto slowest = std::chrono::nanoseconds(0);
  for (int i = 0; i < 20000; ++i) {
    Sample s = Small("gone", i);
    const auto start = std::chrono::steady_clock::now();
    client->Record(std::move(s));
    slowest = std::max(slowest, std::chrono::steady_clock::now() - start);
  }
  EXPECT_LT(slowest, 50ms * kSlowdown);

  auto start = std::chrono::steady_clock::now();
  Status flushed = client->Flush(300ms);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(flushed.code(), StatusCode::kDeadlineExceeded);
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 300ms + 100ms * kSlowdown);

  start = std::chrono::steady_clock::now();
  Status s = client->Shutdown(500ms);
  took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(took, 500ms + 20ms * kSlowdown);
  EXPECT_EQ(client->Shutdown(1s).code(), StatusCode::kOk);  // Idempotent.
  client->Record(Small("gone", -1));                         // Counted, not crashed.
  ClientStats stats = client->Stats();
  EXPECT_EQ(stats.recorded, 20002u);
  EXPECT_GE(stats.dropped, 1u);
}

TEST(Delivery, ShutdownWithNothingListeningAtAllIsPrompt) {
  ClientOptions o;
  o.collector_address = "127.0.0.1:1";
  std::unique_ptr<Client> client;
  ASSERT_TRUE(Client::Create(o, &client).ok());
  for (int i = 0; i < 1000; ++i) client->Record(Small("nobody", i));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client->Shutdown(200ms).code(), StatusCode::kDeadlineExceeded);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 200ms + 50ms * kSlowdown);
  const auto destroy = std::chrono::steady_clock::now();
  client.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - destroy, 100ms * kSlowdown);
}

TEST(Delivery, RedactionAppliesToProductionAndShadowSamples) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();
  ClientOptions o;
  o.app = "redact";
  o.redaction.emails = true;
  o.redaction.card_numbers = true;
  auto client = Connect(collector.grpc_address(), o);

  testing::LocalHttpServer http;
  http.server().Post("/v1/chat/completions", [](const httplib::Request& req,
                                                 httplib::Response& res) {
    auto body = nlohmann::json::parse(req.body);
    std::string user = body["messages"].back()["content"];
    res.set_content(nlohmann::json{{"model", body["model"]},
                                   {"choices",
                                    {{{"message", {{"content", "you said " + user}}},
                                      {"finish_reason", "stop"}}}}}
                        .dump(),
                    "application/json");
  });
  http.Start();
  OpenAIOptions oo;
  oo.base_url = http.base_url();
  oo.shadow.model = "candidate";
  oo.shadow.fraction = 1;
  std::unique_ptr<OpenAIClient> llm;
  ASSERT_TRUE(OpenAIClient::Create(oo, client.get(), &llm).ok());
  ChatRequest request;
  request.model = "prod";
  request.messages = {{"user", "I am ann@example.com, card 4111 1111 1111 1111"}};
  ChatResponse response;
  ASSERT_TRUE(llm->Chat(request, &response).ok());
  for (int i = 0; i < 200 && llm->Stats().shadow_completed < 1; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(llm->Stats().shadow_completed, 1u);
  ASSERT_TRUE(client->Flush(10s).ok());

  int duplicates = 0;
  auto stored = ListAll(collector.grpc_address(), "redact", &duplicates);
  ASSERT_EQ(stored.size(), 2u);
  std::set<std::string> variants;
  for (const auto& [id, s] : stored) {
    variants.insert(s.variant());
    EXPECT_EQ(s.pair_id(), response.pair_id);
    EXPECT_EQ(s.prompt(), "user: I am [EMAIL], card [CARD]");
    EXPECT_EQ(s.response(), "you said I am [EMAIL], card [CARD]");
  }
  EXPECT_EQ(variants, (std::set<std::string>{"production", "shadow"}));
}

TEST(Delivery, SampledOutSamplesAreCountedAndCounterOnlyBatchesAreAcked) {
  CollectorProcess collector;
  ASSERT_TRUE(collector.Start()) << collector.log();
  ClientOptions o;
  o.app = "counters";
  o.stats_interval = 100ms;
  o.sample_rate = 0;  // Everything sampled out: only the counters travel.
  auto client = Connect(collector.grpc_address(), o);
  for (int i = 0; i < 10; ++i) client->Record(Small("counters", i));
  std::this_thread::sleep_for(400ms);  // Several stats-only batches go out and are acked.
  ClientStats stats = client->Stats();
  EXPECT_EQ(stats.recorded, 10u);
  EXPECT_EQ(stats.sampled_out, 10u);
  EXPECT_EQ(stats.sent, 0u);
  EXPECT_EQ(stats.pending, 0u);
  EXPECT_EQ(stats.reconnects, 0u);
  Status shutdown = client->Shutdown(2s);
  EXPECT_TRUE(shutdown.ok()) << shutdown.ToString();
  EXPECT_EQ(StoredCount(collector.grpc_address(), "counters"), 0);
}

}  // namespace
}  // namespace llmtap
