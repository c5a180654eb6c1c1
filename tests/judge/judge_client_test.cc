// JudgeClient against a scripted OpenAI-compatible server on loopback: the request it sends,
// retries, Retry-After, deadlines, the concurrency limit, the spend cap, the circuit breaker
// and the response_format fallback.
#include "collector/judge/judge_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stdlib.h>

#include <thread>

#include "fake_openai_server.h"

namespace llmtap::collector {
namespace {

using ::llmtap::testing::FakeOpenAiServer;
using ::llmtap::testing::Reply;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr char kVerdict[] = R"({"score": 4, "reasoning": "ok"})";

class JudgeClientTest : public ::testing::Test {
 protected:
  JudgeClientTest() {
    endpoint_.set_name("test");
    endpoint_.set_base_url(server_.base_url());
    endpoint_.set_model("judge-model");
  }

  std::unique_ptr<JudgeClient> Client() {
    auto client = JudgeClient::Create(endpoint_, NewCurlMultiHttpClient());
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::move(*client) : nullptr;
  }

  static JudgeRequest Request() {
    JudgeRequest r;
    r.system = "system text";
    r.user = "user text";
    r.max_tokens = 64;
    r.scale = v1::JudgeParams::SCALE_1_5;
    return r;
  }

  static absl::Time In(absl::Duration d) { return absl::Now() + d; }

  FakeOpenAiServer server_;
  v1::JudgeEndpoint endpoint_;
};

TEST_F(JudgeClientTest, SendsModelMessagesTemperatureSeedMaxTokensAndSchema) {
  setenv("LLMTAP_JUDGE_TEST_KEY", "sk-test", 1);
  endpoint_.set_api_key_env("LLMTAP_JUDGE_TEST_KEY");
  endpoint_.set_seed(7);
  server_.Script({Reply::Chat(kVerdict, 120, 30)});
  auto reply = Client()->Complete(Request(), In(absl::Seconds(10)));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->content, kVerdict);
  EXPECT_EQ(reply->input_tokens, 120);
  EXPECT_EQ(reply->output_tokens, 30);

  ASSERT_EQ(server_.requests().size(), 1u);
  const auto body = nlohmann::json::parse(server_.requests()[0]);
  EXPECT_EQ(body["model"], "judge-model");
  EXPECT_EQ(body["messages"][0]["role"], "system");
  EXPECT_EQ(body["messages"][0]["content"], "system text");
  EXPECT_EQ(body["messages"][1]["content"], "user text");
  EXPECT_EQ(body["temperature"], 0.0);
  EXPECT_EQ(body["seed"], 7);
  EXPECT_EQ(body["max_tokens"], 64);
  EXPECT_EQ(body["response_format"]["type"], "json_schema");
  const auto& schema = body["response_format"]["json_schema"]["schema"];
  EXPECT_EQ(schema["properties"]["score"]["type"], "integer");
  EXPECT_EQ(schema["properties"]["score"]["minimum"], 1);
  EXPECT_EQ(schema["properties"]["score"]["maximum"], 5);
  EXPECT_EQ(schema["properties"]["reasoning"]["type"], "string");
  EXPECT_EQ(schema["required"], nlohmann::json::array({"score", "reasoning"}));
  // "score" first, so that an answer cut off by max_tokens still has it.
  const std::string sent = server_.requests()[0];
  EXPECT_LT(sent.find("\"score\":{"), sent.find("\"reasoning\":{"));
  EXPECT_EQ(server_.authorizations()[0], "Bearer sk-test");
}

TEST_F(JudgeClientTest, CostComesFromTheEndpointPrices) {
  endpoint_.set_usd_per_million_input_tokens(2.0);
  endpoint_.set_usd_per_million_output_tokens(10.0);
  server_.Script({Reply::Chat(kVerdict, 1000, 100)});
  auto reply = Client()->Complete(Request(), In(absl::Seconds(10)));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_DOUBLE_EQ(reply->cost_usd, (1000 * 2.0 + 100 * 10.0) / 1e6);
}

TEST_F(JudgeClientTest, ServerErrorsAreRetriedWithBackoff) {
  server_.Script({Reply::Status(500), Reply::Status(503), Reply::Chat(kVerdict)});
  const absl::Time start = absl::Now();
  auto reply = Client()->Complete(Request(), In(absl::Seconds(20)));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(server_.requests().size(), 3u);
  // Backoff of ~500 ms then ~1 s, each times a factor in [0.5, 1.5).
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(750));
}

TEST_F(JudgeClientTest, GivesUpAfterMaxAttemptsWithAnErrorThatIsNotASkip) {
  endpoint_.set_max_attempts(2);
  server_.Script({Reply::Status(500), Reply::Status(502, "bad gateway")});
  auto reply = Client()->Complete(Request(), In(absl::Seconds(20)));
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(reply.status().message(), HasSubstr("HTTP 502"));
  EXPECT_THAT(reply.status().message(), HasSubstr("attempt 2 of 2"));
}

TEST_F(JudgeClientTest, ClientErrorsAreNotRetried) {
  server_.Script({Reply::Status(401, "bad key"), Reply::Chat(kVerdict)});
  auto reply = Client()->Complete(Request(), In(absl::Seconds(20)));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(reply.status().message(), HasSubstr("HTTP 401"));
  EXPECT_EQ(server_.requests().size(), 1u);
}

TEST_F(JudgeClientTest, RateLimitHonoursRetryAfter) {
  Reply limited = Reply::Status(429, "slow down");
  limited.headers = {{"Retry-After", "2"}};
  server_.Script({limited, Reply::Chat(kVerdict)});
  const absl::Time start = absl::Now();
  auto reply = Client()->Complete(Request(), In(absl::Seconds(20)));
  ASSERT_TRUE(reply.ok()) << reply.status();
  const absl::Duration took = absl::Now() - start;
  // The server asked for 2 s, longer than any backoff for a first retry (< 750 ms).
  EXPECT_GE(took, absl::Seconds(2));
  EXPECT_LT(took, absl::Seconds(5));
  EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(JudgeClientTest, RetryAfterPastTheDeadlineFailsAtOnce) {
  Reply limited = Reply::Status(429);
  limited.headers = {{"Retry-After", "60"}};
  server_.Script({limited, Reply::Chat(kVerdict)});
  const absl::Time start = absl::Now();
  auto reply = Client()->Complete(Request(), In(absl::Seconds(5)));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(reply.status().message(), HasSubstr("would pass the deadline"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(JudgeClientTest, SlowEndpointNeverHoldsTheCallerPastItsDeadline) {
  Reply slow = Reply::Chat(kVerdict);
  slow.delay = 10s;
  server_.Script({slow, slow, slow});
  const absl::Time start = absl::Now();
  auto reply = Client()->Complete(Request(), In(absl::Milliseconds(800)));
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded) << reply.status();
  EXPECT_GE(took, absl::Milliseconds(700));
  EXPECT_LT(took, absl::Milliseconds(2500));  // The server would answer after 10 s.
}

TEST_F(JudgeClientTest, PerRequestTimeoutIsRetried) {
  endpoint_.set_timeout_ms(300);
  Reply slow = Reply::Chat(kVerdict);
  slow.delay = 5s;
  server_.Script({slow, Reply::Chat(kVerdict)});
  auto reply = Client()->Complete(Request(), In(absl::Seconds(10)));
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(server_.requests().size(), 2u);
}

TEST_F(JudgeClientTest, UnreachableEndpointIsAnErrorNotASkip) {
  endpoint_.set_base_url("http://127.0.0.1:1/v1");
  endpoint_.set_max_attempts(2);
  auto reply = Client()->Complete(Request(), In(absl::Seconds(10)));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kInternal) << reply.status();
}

TEST_F(JudgeClientTest, AnswerThatIsNotAChatCompletionIsAnError) {
  server_.Script({Reply{200, "<html>proxy error</html>", {}, {}}});
  auto reply = Client()->Complete(Request(), In(absl::Seconds(10)));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(reply.status().message(), HasSubstr("not a chat completion"));
}

TEST_F(JudgeClientTest, ConcurrencyIsLimitedPerEndpoint) {
  endpoint_.set_max_concurrency(2);
  server_.SetResponder([](const std::string&) {
    Reply r = Reply::Chat(kVerdict);
    r.delay = 200ms;
    return r;
  });
  auto client = Client();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      if (client->Complete(Request(), In(absl::Seconds(20))).ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 6);
  EXPECT_EQ(server_.max_in_flight(), 2);
}

TEST_F(JudgeClientTest, WaitingForASlotRespectsTheDeadline) {
  endpoint_.set_max_concurrency(1);
  Reply slow = Reply::Chat(kVerdict);
  slow.delay = 2s;
  server_.Script({slow, Reply::Chat(kVerdict)});
  auto client = Client();
  std::thread holder([&] { EXPECT_TRUE(client->Complete(Request(), In(absl::Seconds(10))).ok()); });
  while (server_.requests().empty()) std::this_thread::sleep_for(5ms);
  const absl::Time start = absl::Now();
  auto reply = client->Complete(Request(), In(absl::Milliseconds(300)));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(1500));  // The slot frees after 2 s.
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(reply.status().message(), HasSubstr("no free slot"));
  holder.join();
}

TEST_F(JudgeClientTest, SpendCapSkipsCallsWithoutCallingTheEndpoint) {
  endpoint_.set_max_usd_per_hour(0.001);
  endpoint_.set_usd_per_million_input_tokens(10);  // 100 input tokens: $0.001.
  server_.SetResponder([](const std::string&) { return Reply::Chat(kVerdict, 100, 0); });
  auto client = Client();
  ASSERT_TRUE(client->Complete(Request(), In(absl::Seconds(10))).ok());
  auto skipped = client->Complete(Request(), In(absl::Seconds(10)));
  EXPECT_EQ(skipped.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(skipped.status().message(), HasSubstr("spend_cap:"));
  EXPECT_EQ(server_.requests().size(), 1u);  // The skipped call never reached the endpoint.
}

TEST_F(JudgeClientTest, CircuitOpensAfterFailuresThenHalfOpensAndCloses) {
  endpoint_.set_max_attempts(1);
  endpoint_.set_circuit_failures(2);
  endpoint_.set_circuit_open_s(1);
  server_.Script({Reply::Status(500), Reply::Status(500), Reply::Chat(kVerdict),
                  Reply::Chat(kVerdict)});
  auto client = Client();
  EXPECT_EQ(client->Complete(Request(), In(absl::Seconds(10))).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(client->Complete(Request(), In(absl::Seconds(10))).status().code(),
            absl::StatusCode::kInternal);
  auto open = client->Complete(Request(), In(absl::Seconds(10)));
  EXPECT_EQ(open.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(open.status().message(), HasSubstr("circuit_open:"));
  EXPECT_EQ(server_.requests().size(), 2u);  // Open: no call made.

  std::this_thread::sleep_for(1100ms);
  EXPECT_TRUE(client->Complete(Request(), In(absl::Seconds(10))).ok());  // Half-open probe.
  EXPECT_TRUE(client->Complete(Request(), In(absl::Seconds(10))).ok());  // Closed again.
  EXPECT_EQ(server_.requests().size(), 4u);
}

TEST_F(JudgeClientTest, EndpointRejectingJsonSchemaFallsBackAndRemembers) {
  server_.SetResponder([](const std::string& body) {
    const auto json = nlohmann::json::parse(body);
    const std::string type = json.contains("response_format")
                                 ? json["response_format"]["type"].get<std::string>()
                                 : "none";
    if (type == "json_schema") {
      return Reply::Status(400, "response_format type json_schema is not supported");
    }
    return Reply::Chat(kVerdict);
  });
  auto client = Client();
  ASSERT_TRUE(client->Complete(Request(), In(absl::Seconds(10))).ok());
  ASSERT_TRUE(client->Complete(Request(), In(absl::Seconds(10))).ok());
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);  // json_schema (rejected), json_object, json_object.
  EXPECT_EQ(nlohmann::json::parse(requests[1])["response_format"]["type"], "json_object");
  EXPECT_EQ(nlohmann::json::parse(requests[2])["response_format"]["type"], "json_object");
}

TEST_F(JudgeClientTest, ResponseFormatNoneSendsNoResponseFormat) {
  endpoint_.set_response_format(v1::JudgeEndpoint::RESPONSE_FORMAT_NONE);
  server_.Script({Reply::Chat(kVerdict)});
  ASSERT_TRUE(Client()->Complete(Request(), In(absl::Seconds(10))).ok());
  EXPECT_FALSE(nlohmann::json::parse(server_.requests()[0]).contains("response_format"));
}

TEST(JudgeClientConfig, BadEndpointsAreRejectedNamingTheField) {
  v1::JudgeEndpoint e;
  e.set_name("x");
  e.set_model("m");
  e.set_base_url("127.0.0.1:8080");
  EXPECT_THAT(JudgeClient::Create(e, nullptr).status().message(),
              HasSubstr("judges 'x': base_url: want http(s)://"));
  e.set_base_url("http://127.0.0.1:8080/v1");
  e.set_api_key_env("LLMTAP_JUDGE_TEST_UNSET_VARIABLE");
  EXPECT_THAT(JudgeClient::Create(e, nullptr).status().message(),
              HasSubstr("api_key_env: environment variable "
                        "LLMTAP_JUDGE_TEST_UNSET_VARIABLE is not set"));
  e.clear_api_key_env();
  e.set_max_usd_per_hour(5);
  EXPECT_THAT(JudgeClient::Create(e, nullptr).status().message(),
              HasSubstr("max_usd_per_hour: a spend cap needs"));
}

TEST(JudgeClientShared, RubricsOfOneEndpointShareOneClient) {
  v1::JudgeEndpoint e;
  e.set_name("shared");
  e.set_model("m");
  e.set_base_url("http://127.0.0.1:9/v1");
  auto a = JudgeClient::Shared(e);
  auto b = JudgeClient::Shared(e);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->get(), b->get());
  e.set_max_concurrency(1);
  auto c = JudgeClient::Shared(e);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->get(), c->get());
}

}  // namespace
}  // namespace llmtap::collector
