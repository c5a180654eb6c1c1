// OpenAIClient against a local OpenAI-compatible server: plain and streamed answers, errors,
// timeouts, and shadow traffic. Also the SSE parser and wire format on their own.
#include "llmtap/openai.h"

#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "openai/chat_protocol.h"
#include "openai/sse_parser.h"
#include "sdk_test_util.h"

namespace llmtap {
namespace {

using nlohmann::json;
using testing::LocalHttpServer;
using testing::RecordingClient;
using namespace std::chrono_literals;

std::string Completion(const std::string& model, const std::string& content) {
  return json{{"id", "c1"},
              {"object", "chat.completion"},
              {"model", model},
              {"choices",
               {{{"index", 0},
                 {"message", {{"role", "assistant"}, {"content", content}}},
                 {"finish_reason", "stop"}}}},
              {"usage", {{"prompt_tokens", 12}, {"completion_tokens", 3}, {"total_tokens", 15}}}}
      .dump();
}

std::string Chunk(const std::string& content) {
  return "data: " +
         json{{"model", "served-model"},
              {"choices", {{{"index", 0}, {"delta", {{"content", content}}}}}}}
             .dump() +
         "\n\n";
}

// A server speaking the chat completions protocol. The user message selects the behaviour.
class FakeOpenAI {
 public:
  FakeOpenAI() {
    server_.server().Post(
        R"(/(\w+)/v1/chat/completions)", [this](const httplib::Request& req, httplib::Response& res) {
          ++requests_;
          const json body = json::parse(req.body);
          {
            std::lock_guard<std::mutex> lock(mu_);
            bodies_.push_back(body);
            auth_.push_back(req.get_header_value("Authorization"));
            extra_.push_back(req.get_header_value("X-Extra"));
          }
          const std::string route = req.matches[1];
          const std::string user = body["messages"].back()["content"];
          if (route == "slow") std::this_thread::sleep_for(300ms);
          if (route == "stall") std::this_thread::sleep_for(2s);  // Outlasts any test's calls.
          if (user == "rate") {
            res.status = 429;
            res.set_header("Retry-After", "7");
            res.set_content(R"({"error":{"message":"Rate limit reached","type":"rate"}})",
                            "application/json");
            return;
          }
          if (user == "fail") {
            res.status = 500;
            res.set_content("upstream exploded", "text/plain");
            return;
          }
          if (user == "hang") {
            std::this_thread::sleep_for(1500ms);
          }
          if (body.value("stream", false)) {
            const bool usage = body.contains("stream_options");
            res.set_chunked_content_provider(
                "text/event-stream", [usage](size_t, httplib::DataSink& sink) {
                  std::string first = ": keep-alive\r\n\r\n" + Chunk("Hel");
                  sink.write(first.data(), first.size());
                  std::this_thread::sleep_for(50ms);
                  std::string rest = Chunk("lo") + Chunk("!");
                  if (usage) {
                    rest += "data: " +
                            json{{"model", "served-model"},
                                 {"choices", json::array()},
                                 {"usage", {{"prompt_tokens", 9}, {"completion_tokens", 3}}}}
                                .dump() +
                            "\n\n";
                  }
                  rest += "data: [DONE]\n\n";
                  sink.write(rest.data(), rest.size());
                  sink.done();
                  return true;
                });
            return;
          }
          const bool candidate = route == "slow" || route == "stall";
          res.set_content(Completion(candidate ? "candidate-served" : "served-model",
                                     "echo: " + user),
                          "application/json");
        });
    server_.Start();
  }
  // The server's threads touch the members below: stop them first.
  ~FakeOpenAI() { server_.Stop(); }

  std::string url(const std::string& route) const { return server_.base_url("/" + route + "/v1"); }
  int requests() const { return requests_.load(); }
  std::vector<json> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }
  std::vector<std::string> auth() {
    std::lock_guard<std::mutex> lock(mu_);
    return auth_;
  }
  std::vector<std::string> extra() {
    std::lock_guard<std::mutex> lock(mu_);
    return extra_;
  }

 private:
  LocalHttpServer server_;
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::vector<json> bodies_;
  std::vector<std::string> auth_, extra_;
};

ChatRequest Ask(const std::string& user) {
  ChatRequest r;
  r.model = "gpt-test";
  r.messages = {{"system", "Be brief."}, {"user", user}};
  return r;
}

std::unique_ptr<OpenAIClient> MakeClient(const OpenAIOptions& o, Client* recorder) {
  std::unique_ptr<OpenAIClient> c;
  Status s = OpenAIClient::Create(o, recorder, &c);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return c;
}

TEST(OpenAIClient, PlainAnswerIsReturnedAndRecorded) {
  FakeOpenAI server;
  RecordingClient recorder;
  OpenAIOptions o;
  o.base_url = server.url("fast") + "/";  // A trailing slash is fine.
  o.api_key = "sk-test";
  o.headers = {{"X-Extra", "yes"}};
  auto llm = MakeClient(o, &recorder);
  ChatRequest request = Ask("hi");
  request.temperature = 0.2;
  request.max_tokens = 64;
  request.response_format = R"({"type": "json_object"})";
  request.session_id = "s1";
  request.metadata = {{"tenant", "acme"}};
  ChatResponse response;
  ASSERT_TRUE(llm->Chat(request, &response).ok());
  EXPECT_EQ(response.content, "echo: hi");
  EXPECT_EQ(response.model, "served-model");
  EXPECT_EQ(response.finish_reason, "stop");
  EXPECT_EQ(response.input_tokens, 12);
  EXPECT_EQ(response.output_tokens, 3);
  EXPECT_EQ(response.http_status, 200);
  EXPECT_GT(response.latency_ms, 0);
  EXPECT_EQ(response.time_to_first_token_ms, 0);

  const json body = server.bodies().at(0);
  EXPECT_EQ(body["model"], "gpt-test");
  EXPECT_EQ(body["temperature"], 0.2);
  EXPECT_EQ(body["max_tokens"], 64);
  EXPECT_EQ(body["response_format"]["type"], "json_object");
  EXPECT_FALSE(body.contains("stream"));
  EXPECT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(server.auth().at(0), "Bearer sk-test");
  EXPECT_EQ(server.extra().at(0), "yes");

  auto samples = recorder.samples();
  ASSERT_EQ(samples.size(), 1u);
  const Sample& s = samples[0];
  EXPECT_EQ(s.id, response.sample_id);
  EXPECT_EQ(s.prompt, "system: Be brief.\nuser: hi");
  EXPECT_EQ(s.response, "echo: hi");
  EXPECT_EQ(s.model, "served-model");
  EXPECT_EQ(s.session_id, "s1");
  EXPECT_EQ(s.metadata.at("tenant"), "acme");
  EXPECT_EQ(s.input_tokens, 12);
  EXPECT_EQ(s.output_tokens, 3);
  EXPECT_TRUE(s.ok);
  EXPECT_EQ(s.variant, "");
  EXPECT_EQ(s.pair_id, "");
}

TEST(OpenAIClient, StreamedAnswerWithUsageAndTimeToFirstToken) {
  FakeOpenAI server;
  RecordingClient recorder;
  OpenAIOptions o;
  o.base_url = server.url("fast");
  auto llm = MakeClient(o, &recorder);
  ChatRequest request = Ask("stream please");
  request.stream = true;
  std::string pieces;
  request.on_delta = [&](std::string_view d) { pieces += std::string(d) + "|"; };
  ChatResponse response;
  Status s = llm->Chat(request, &response);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(response.content, "Hello!");
  EXPECT_EQ(pieces, "Hel|lo|!|");
  EXPECT_EQ(response.input_tokens, 9);
  EXPECT_EQ(response.output_tokens, 3);
  EXPECT_EQ(response.model, "served-model");
  EXPECT_GT(response.time_to_first_token_ms, 0);
  EXPECT_GE(response.latency_ms, response.time_to_first_token_ms + 45);
  const json body = server.bodies().at(0);
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  auto samples = recorder.samples();
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].response, "Hello!");
  EXPECT_EQ(samples[0].output_tokens, 3);
  EXPECT_EQ(samples[0].time_to_first_token_ms, response.time_to_first_token_ms);
}

TEST(OpenAIClient, StreamWithoutUsageOptionForOldServers) {
  FakeOpenAI server;
  OpenAIOptions o;
  o.base_url = server.url("fast");
  o.stream_usage = false;
  auto llm = MakeClient(o, nullptr);
  ChatRequest request = Ask("x");
  request.stream = true;
  ChatResponse response;
  ASSERT_TRUE(llm->Chat(request, &response).ok());
  EXPECT_EQ(response.content, "Hello!");
  EXPECT_EQ(response.output_tokens, 0);
  EXPECT_FALSE(server.bodies().at(0).contains("stream_options"));
  EXPECT_TRUE(response.sample_id.empty());
}

TEST(OpenAIClient, RateLimitIsResourceExhaustedWithRetryAfterAndRecordedAsError) {
  FakeOpenAI server;
  RecordingClient recorder;
  OpenAIOptions o;
  o.base_url = server.url("fast");
  auto llm = MakeClient(o, &recorder);
  for (bool stream : {false, true}) {
    ChatRequest request = Ask("rate");
    request.stream = stream;
    ChatResponse response;
    Status s = llm->Chat(request, &response);
    EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
    EXPECT_EQ(s.message(), "HTTP 429: Rate limit reached");
    EXPECT_EQ(response.http_status, 429);
    ASSERT_TRUE(response.retry_after.has_value());
    EXPECT_EQ(*response.retry_after, 7000ms);
  }
  auto samples = recorder.samples();
  ASSERT_EQ(samples.size(), 2u);
  for (const auto& s : samples) {
    EXPECT_FALSE(s.ok);
    EXPECT_EQ(s.error, "HTTP 429: Rate limit reached");
    EXPECT_EQ(s.metadata.at("llmtap.http_status"), "429");
    EXPECT_EQ(s.model, "gpt-test");
  }
  EXPECT_EQ(llm->Stats().errors, 2u);
}

TEST(OpenAIClient, ServerErrorIsUnavailableAndRecorded) {
  FakeOpenAI server;
  RecordingClient recorder;
  OpenAIOptions o;
  o.base_url = server.url("fast");
  auto llm = MakeClient(o, &recorder);
  ChatResponse response;
  Status s = llm->Chat(Ask("fail"), &response);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "HTTP 500: upstream exploded");
  ASSERT_EQ(recorder.samples().size(), 1u);
  EXPECT_FALSE(recorder.samples()[0].ok);
}

TEST(OpenAIClient, TimeoutIsDeadlineExceededWithinTheLimit) {
  FakeOpenAI server;
  RecordingClient recorder;
  OpenAIOptions o;
  o.base_url = server.url("fast");
  o.timeout = 200ms;
  auto llm = MakeClient(o, &recorder);
  for (bool stream : {false, true}) {
    ChatRequest request = Ask("hang");
    request.stream = stream;
    ChatResponse response;
    const auto start = std::chrono::steady_clock::now();
    Status s = llm->Chat(request, &response);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
    EXPECT_LT(took, 1000ms);
    EXPECT_EQ(response.http_status, 0);
  }
  auto samples = recorder.samples();
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_FALSE(samples[0].ok);
  EXPECT_NE(samples[0].error.find("timed out"), std::string::npos);
}

TEST(OpenAIClient, NoServerIsUnavailable) {
  RecordingClient recorder;
  OpenAIOptions o;
  o.base_url = "http://127.0.0.1:1/v1";
  auto llm = MakeClient(o, &recorder);
  ChatResponse response;
  EXPECT_EQ(llm->Chat(Ask("x"), &response).code(), StatusCode::kUnavailable);
  EXPECT_EQ(recorder.samples().size(), 1u);
}

TEST(OpenAIClient, InvalidRequestsFailBeforeCallingTheServer) {
  FakeOpenAI server;
  OpenAIOptions o;
  o.base_url = server.url("fast");
  auto llm = MakeClient(o, nullptr);
  ChatResponse response;
  ChatRequest bad_format = Ask("x");
  bad_format.response_format = "{not json";
  EXPECT_EQ(llm->Chat(bad_format, &response).code(), StatusCode::kInvalidArgument);
  ChatRequest no_model = Ask("x");
  no_model.model.clear();
  EXPECT_EQ(llm->Chat(no_model, &response).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(server.requests(), 0);

  std::unique_ptr<OpenAIClient> c;
  OpenAIOptions bad;
  bad.base_url = "ftp://x";
  EXPECT_EQ(OpenAIClient::Create(bad, nullptr, &c).code(), StatusCode::kInvalidArgument);
  bad = OpenAIOptions{};
  bad.shadow.fraction = 1.5;
  EXPECT_EQ(OpenAIClient::Create(bad, nullptr, &c).code(), StatusCode::kInvalidArgument);
}

TEST(Shadow, RoutingIsADeterministicHashOfThePrompt) {
  EXPECT_EQ(ShadowFraction("abc"), ShadowFraction("abc"));
  EXPECT_NE(ShadowFraction("abc"), ShadowFraction("abd"));
  // Pinned, so that routing never changes between versions or processes.
  EXPECT_DOUBLE_EQ(ShadowFraction("abc"), 0.20281503190180583);
  int below = 0;
  for (int i = 0; i < 10000; ++i) below += ShadowFraction("prompt " + std::to_string(i)) < 0.3;
  EXPECT_NEAR(below, 3000, 200);
}

TEST(Shadow, CandidateRunsOffTheCallersThreadAndBothAreRecordedAsAPair) {
  FakeOpenAI server;
  RecordingClient recorder;
  OpenAIOptions o;
  o.base_url = server.url("fast");
  o.shadow.model = "candidate";
  o.shadow.base_url = server.url("slow");  // Sleeps 300 ms per call.
  o.shadow.fraction = 0.5;
  o.shadow.threads = 4;
  o.shadow.max_queue = 64;
  auto llm = MakeClient(o, &recorder);

  std::map<std::string, std::string> pair_of;  // user message -> pair id
  int expected_shadow = 0;
  for (int i = 0; i < 16; ++i) {
    const std::string user = "question " + std::to_string(i);
    const bool want = ShadowFraction(RenderMessages(Ask(user).messages)) < 0.5;
    expected_shadow += want;
    ChatResponse response;
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(llm->Chat(Ask(user), &response).ok());
    // The production call is fast; the candidate's 300 ms never reach the caller.
    EXPECT_LT(std::chrono::steady_clock::now() - start, 150ms) << user;
    EXPECT_EQ(!response.pair_id.empty(), want) << user;
    if (want) pair_of[user] = response.pair_id;
  }
  ASSERT_GT(expected_shadow, 0);
  ASSERT_TRUE(recorder.WaitFor(16 + expected_shadow, 10s));
  // Same prompt again: same decision.
  ChatResponse again;
  ASSERT_TRUE(llm->Chat(Ask(pair_of.begin()->first), &again).ok());
  EXPECT_FALSE(again.pair_id.empty());
  ASSERT_TRUE(recorder.WaitFor(16 + expected_shadow + 2, 10s));

  std::map<std::string, std::vector<Sample>> by_pair;
  for (const auto& s : recorder.samples()) {
    if (!s.pair_id.empty()) by_pair[s.pair_id].push_back(s);
  }
  EXPECT_EQ(by_pair.size(), static_cast<size_t>(expected_shadow + 1));
  for (const auto& [pair, samples] : by_pair) {
    ASSERT_EQ(samples.size(), 2u) << pair;
    std::set<std::string> variants{samples[0].variant, samples[1].variant};
    EXPECT_EQ(variants, (std::set<std::string>{"production", "shadow"}));
    EXPECT_EQ(samples[0].prompt, samples[1].prompt);
    for (const auto& s : samples) {
      if (s.variant == "shadow") {
        EXPECT_EQ(s.model, "candidate-served");
        EXPECT_GE(s.latency_ms, 290);
      }
    }
  }
  OpenAIStats stats = llm->Stats();
  EXPECT_EQ(stats.shadow_started, static_cast<uint64_t>(expected_shadow + 1));
  EXPECT_EQ(stats.shadow_completed, stats.shadow_started);
  EXPECT_EQ(stats.shadow_dropped, 0u);
  // The candidate request named the candidate model.
  int candidate_bodies = 0;
  for (const auto& b : server.bodies()) candidate_bodies += b["model"] == "candidate";
  EXPECT_EQ(candidate_bodies, expected_shadow + 1);
}

TEST(Shadow, FullPoolDropsAndCountsWithoutSlowingTheCaller) {
  FakeOpenAI server;
  RecordingClient recorder;
  OpenAIOptions o;
  o.base_url = server.url("fast");
  o.shadow.model = "candidate";
  // The first shadow call holds the pool's thread and the second fills its queue for longer
  // than the test's calls take, even under a sanitizer: the other four are dropped.
  o.shadow.base_url = server.url("stall");
  o.shadow.fraction = 1;
  o.shadow.threads = 1;
  o.shadow.max_queue = 1;
  auto llm = MakeClient(o, &recorder);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 6; ++i) {
    ChatResponse response;
    ASSERT_TRUE(llm->Chat(Ask("q" + std::to_string(i)), &response).ok());
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 300ms * testing::kSlowdown);
  OpenAIStats stats = llm->Stats();
  EXPECT_EQ(stats.shadow_started + stats.shadow_dropped, 6u);
  EXPECT_EQ(stats.shadow_dropped, 4u);
  // Destroying the client cancels the shadow call still running, which the stalling server
  // would hold for 2 s: curl sees the cancellation within a second while no data flows.
  const auto destroy = std::chrono::steady_clock::now();
  llm.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - destroy, 1500ms);
}

TEST(SseParser, SplitsEventsAcrossArbitraryChunks) {
  const std::string stream =
      ": comment\r\ndata: a\r\n\r\nevent: x\ndata: b1\ndata: b2\n\ndata:c\r\rdata: [DONE]\n\n";
  for (size_t step : {1u, 2u, 3u, 7u, 100u}) {
    std::vector<std::string> events;
    internal::SseParser parser([&](std::string_view d) { events.emplace_back(d); });
    for (size_t i = 0; i < stream.size(); i += step) parser.Feed(std::string_view(stream).substr(i, step));
    parser.Finish();
    EXPECT_EQ(events, (std::vector<std::string>{"a", "b1\nb2", "c", "[DONE]"})) << step;
  }
  std::vector<std::string> events;
  internal::SseParser parser([&](std::string_view d) { events.emplace_back(d); });
  parser.Feed("data: unterminated");
  parser.Finish();
  EXPECT_EQ(events, std::vector<std::string>{"unterminated"});
}

TEST(ChatProtocol, ParsesAnswersAndErrorsFromDifferentServers) {
  ChatResponse r;
  // Tool-call answers have null content.
  ASSERT_TRUE(internal::ParseChatCompletion(
                  R"({"model":"m","choices":[{"message":{"content":null},"finish_reason":"tool_calls"}]})", &r)
                  .ok());
  EXPECT_EQ(r.content, "");
  EXPECT_EQ(r.finish_reason, "tool_calls");
  EXPECT_EQ(internal::ParseChatCompletion("not json", &r).code(), StatusCode::kInternal);
  EXPECT_EQ(internal::ParseChatCompletion(R"({"choices":[]})", &r).code(), StatusCode::kInternal);
  EXPECT_EQ(internal::ErrorMessage(R"({"error":"model not found"})"), "model not found");  // Ollama
  EXPECT_EQ(internal::ErrorMessage(R"({"error":{"message":"bad key"}})"), "bad key");
  EXPECT_EQ(internal::ErrorMessage("plain text"), "plain text");
  internal::StreamChunk chunk;
  ChatResponse s;
  ASSERT_TRUE(internal::ParseStreamChunk(R"({"error":{"message":"overloaded"}})", &s, &chunk).ok());
  EXPECT_EQ(chunk.error, "overloaded");
}

}  // namespace
}  // namespace llmtap
