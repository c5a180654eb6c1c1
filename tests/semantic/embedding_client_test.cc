// EmbeddingClient against a scripted OpenAI-compatible /v1/embeddings server on loopback.
#include "collector/judge/embedding_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector {
namespace {

using nlohmann::json;

struct Canned {
  int status = 200;
  std::string body;  // Empty with 200: echo one vector per input, [len(text), 1, 0].
  std::string retry_after;
  int delay_ms = 0;
};

// POST /v1/embeddings answered from a script, then by echo.
class FakeEmbeddings {
 public:
  FakeEmbeddings() {
    server_.Post("/v1/embeddings", [this](const httplib::Request& req, httplib::Response& res) {
      Canned c;
      {
        std::lock_guard lock(mu_);
        bodies_.push_back(req.body);
        if (!script_.empty()) {
          c = script_.front();
          script_.pop_front();
        }
        max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(c.delay_ms));
      {
        std::lock_guard lock(mu_);
        --in_flight_;
      }
      res.status = c.status;
      if (!c.retry_after.empty()) res.set_header("Retry-After", c.retry_after);
      if (c.status == 200 && c.body.empty()) {
        json in = json::parse(req.body);
        json data = json::array();
        // In reverse order, with indexes: the client must sort by index.
        for (int i = static_cast<int>(in["input"].size()) - 1; i >= 0; --i) {
          const double n = static_cast<double>(in["input"][i].get<std::string>().size());
          data.push_back({{"index", i}, {"embedding", {n, 1.0, 0.0}}});
        }
        c.body = json({{"data", data}, {"usage", {{"prompt_tokens", 1000}}}}).dump();
      }
      res.set_content(c.body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeEmbeddings() {
    server_.stop();
    thread_.join();
  }
  void Script(std::deque<Canned> s) {
    std::lock_guard lock(mu_);
    script_ = std::move(s);
  }
  size_t calls() {
    std::lock_guard lock(mu_);
    return bodies_.size();
  }
  std::string last_body() {
    std::lock_guard lock(mu_);
    return bodies_.back();
  }
  int max_in_flight() {
    std::lock_guard lock(mu_);
    return max_in_flight_;
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::deque<Canned> script_;
  std::vector<std::string> bodies_;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
};

v1::EmbeddingEndpoint Endpoint(const FakeEmbeddings& fake) {
  v1::EmbeddingEndpoint e;
  e.set_name("fake");
  e.set_base_url(fake.base_url());
  e.set_model("e5-query");
  return e;
}

absl::Time Soon() { return absl::Now() + absl::Seconds(10); }

TEST(EmbeddingClient, SendsModelAndInputsAndReadsVectorsByIndex) {
  FakeEmbeddings fake;
  v1::EmbeddingEndpoint e = Endpoint(fake);
  e.set_usd_per_million_input_tokens(2);
  auto client = EmbeddingClient::Create(e, NewCurlMultiHttpClient());
  ASSERT_TRUE(client.ok()) << client.status();
  auto reply = (*client)->Embed({"a", "bbb"}, Soon());
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_EQ(reply->vectors.size(), 2u);
  EXPECT_EQ(reply->vectors[0], (std::vector<float>{1, 1, 0}));
  EXPECT_EQ(reply->vectors[1], (std::vector<float>{3, 1, 0}));
  EXPECT_EQ(reply->input_tokens, 1000);
  EXPECT_DOUBLE_EQ(reply->cost_usd, 0.002);
  json body = json::parse(fake.last_body());
  EXPECT_EQ(body["model"], "e5-query");
  EXPECT_EQ(body["input"], json({"a", "bbb"}));
}

TEST(EmbeddingClient, RetriesAfterRetryAfterAndServerErrors) {
  FakeEmbeddings fake;
  fake.Script({{429, R"({"error":{}})", "1"}, {503, R"({"error":{}})", ""}});
  v1::EmbeddingEndpoint e = Endpoint(fake);
  auto client = EmbeddingClient::Create(e, NewCurlMultiHttpClient());
  ASSERT_TRUE(client.ok());
  const absl::Time start = absl::Now();
  auto reply = (*client)->Embed({"x"}, Soon());
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(fake.calls(), 3u);
  EXPECT_GE(absl::Now() - start, absl::Seconds(1));  // Retry-After: 1 was honoured.
}

TEST(EmbeddingClient, ARetryPastTheDeadlineIsNotStarted) {
  FakeEmbeddings fake;
  fake.Script({{429, "{}", "30"}});
  auto client = EmbeddingClient::Create(Endpoint(fake), NewCurlMultiHttpClient());
  auto reply = (*client)->Embed({"x"}, absl::Now() + absl::Seconds(2));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded) << reply.status();
  EXPECT_EQ(fake.calls(), 1u);
}

TEST(EmbeddingClient, OpensTheCircuitAfterConsecutiveFailures) {
  FakeEmbeddings fake;
  fake.Script({{400, "{}"}, {400, "{}"}});
  v1::EmbeddingEndpoint e = Endpoint(fake);
  e.set_circuit_failures(2);
  auto client = EmbeddingClient::Create(e, NewCurlMultiHttpClient());
  EXPECT_EQ((*client)->Embed({"x"}, Soon()).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ((*client)->Embed({"x"}, Soon()).status().code(), absl::StatusCode::kInternal);
  auto skipped = (*client)->Embed({"x"}, Soon());
  EXPECT_EQ(skipped.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StartsWith(skipped.status().message(), "circuit_open")) << skipped.status();
  EXPECT_EQ(fake.calls(), 2u);
}

TEST(EmbeddingClient, SkipsPastTheSpendCap) {
  FakeEmbeddings fake;
  v1::EmbeddingEndpoint e = Endpoint(fake);
  e.set_usd_per_million_input_tokens(1000);  // 1000 tokens a call: $1.
  e.set_max_usd_per_hour(1.5);
  auto client = EmbeddingClient::Create(e, NewCurlMultiHttpClient());
  EXPECT_TRUE((*client)->Embed({"x"}, Soon()).ok());
  EXPECT_TRUE((*client)->Embed({"x"}, Soon()).ok());
  auto skipped = (*client)->Embed({"x"}, Soon());
  EXPECT_EQ(skipped.status().code(), absl::StatusCode::kResourceExhausted) << skipped.status();
  EXPECT_TRUE(absl::StartsWith(skipped.status().message(), "spend_cap")) << skipped.status();
}

TEST(EmbeddingClient, NeverHasMoreThanMaxConcurrencyInFlight) {
  FakeEmbeddings fake;
  std::deque<Canned> slow;
  for (int i = 0; i < 6; ++i) slow.push_back({200, "", "", 200});
  fake.Script(slow);
  v1::EmbeddingEndpoint e = Endpoint(fake);
  e.set_max_concurrency(2);
  auto created = EmbeddingClient::Create(e, NewCurlMultiHttpClient());
  std::shared_ptr<EmbeddingClient> client = std::move(*created);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] { ok += client->Embed({"x"}, Soon()).ok(); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 6);
  EXPECT_EQ(fake.max_in_flight(), 2);
}

TEST(EmbeddingClient, RejectsAnswersThatAreNotOneVectorPerText) {
  FakeEmbeddings fake;
  fake.Script({{200, R"({"data":[{"index":0,"embedding":[1,2]}]})"},
               {200, R"({"data":[{"index":0,"embedding":[1,2]},{"index":1,"embedding":[1]}]})"},
               {200, "not json"}});
  auto client = EmbeddingClient::Create(Endpoint(fake), NewCurlMultiHttpClient());
  for (int i = 0; i < 3; ++i) {
    auto reply = (*client)->Embed({"a", "b"}, Soon());
    EXPECT_EQ(reply.status().code(), absl::StatusCode::kInternal) << i;
  }
}

TEST(EmbeddingClient, RefusesBadEndpoints) {
  v1::EmbeddingEndpoint e;
  e.set_name("x");
  e.set_base_url("ftp://nope");
  e.set_model("m");
  EXPECT_EQ(EmbeddingClient::Create(e, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  e.set_base_url("http://127.0.0.1:1/v1");
  e.set_max_usd_per_hour(1);
  auto bad = EmbeddingClient::Create(e, nullptr);
  EXPECT_NE(bad.status().message().find("max_usd_per_hour"), absl::string_view::npos);
}

}  // namespace
}  // namespace llmtap::collector
