// The LLM judge inside a real llmtapd, against a scripted OpenAI-compatible server: what is
// stored for a verdict, for garbage, for a spend-cap skip and for an open circuit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "collector_client.h"
#include "collector_process.h"
#include "fake_openai_server.h"

namespace llmtap {
namespace {

using testing::CollectorClient;
using testing::CollectorProcess;
using testing::FakeOpenAiServer;
using testing::Reply;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr char kApp[] = "judged";

// A config with one judge endpoint (extra fields appended) and one judge rubric.
std::string Config(const FakeOpenAiServer& server, const std::string& endpoint_extra) {
  return "judges { name: \"fake\" base_url: \"" + server.base_url() +
         "\" model: \"m\" max_attempts: 1 " + endpoint_extra +
         " }\n"
         "rubrics { name: \"judge\" kind: RUBRIC_KIND_LLM_JUDGE timeout_ms: 5000\n"
         "  judge { scale: SCALE_1_5 template: \"Q: {prompt}\\nA: {response}\" } }\n";
}

v1::Sample MakeSample(int i, const std::string& prompt) {
  v1::Sample s;
  s.set_id(CollectorClient::Id(i));
  s.set_app(kApp);
  s.set_model("m1");
  s.set_start_time_unix_nano(1'700'000'000'000'000'000LL + i);
  s.set_prompt(prompt);
  s.set_response("an answer");
  return s;
}

uint64_t Skipped(const v1::RubricSkips& r, const std::string& reason) {
  auto it = r.skipped().find(reason);
  return it == r.skipped().end() ? 0 : it->second;
}

std::vector<v1::Sample> Samples(int n) {
  std::vector<v1::Sample> out;
  for (int i = 0; i < n; ++i) out.push_back(MakeSample(i, "question " + std::to_string(i)));
  return out;
}

TEST(JudgeEndToEnd, VerdictsAndGarbageAreStoredWithRawAnswerAndTokens) {
  FakeOpenAiServer server;
  const std::string fenced = "```json\n{\"score\": 5, \"reasoning\": \"spot on\"}\n```";
  const std::string garbage = "I would rather not say.";
  server.SetResponder([&](const std::string& body) {
    if (body.find("Q: fenced") != std::string::npos) return Reply::Chat(fenced, 40, 12);
    if (body.find("Q: prose") != std::string::npos) {
      return Reply::Chat("Verdict follows. {\"score\": 2, \"reasoning\": \"weak\"} Done.");
    }
    return Reply::Chat(garbage, 40, 7);
  });
  CollectorProcess collector(Config(server, "usd_per_million_input_tokens: 100"));
  ASSERT_TRUE(collector.Start()) << collector.log();
  CollectorClient client(collector.grpc_address());
  ASSERT_TRUE(client.Ingest(
      {MakeSample(1, "fenced"), MakeSample(2, "prose"), MakeSample(3, "garbage")}));
  auto counts = client.WaitAccounted(kApp, {"judge"}, 3, 30s);
  EXPECT_EQ(counts["judge"].scored(), 2u);
  EXPECT_EQ(counts["judge"].errors(), 1u);

  const v1::Score good = client.Scores(CollectorClient::Id(1))["judge"];
  EXPECT_EQ(good.state(), v1::SCORE_STATE_SCORED);
  EXPECT_DOUBLE_EQ(good.value(), 1.0);
  EXPECT_TRUE(good.passed());
  EXPECT_EQ(good.reasoning(), "spot on");
  EXPECT_EQ(good.raw_output(), fenced);
  EXPECT_EQ(good.input_tokens(), 40);
  EXPECT_EQ(good.output_tokens(), 12);
  EXPECT_DOUBLE_EQ(good.cost_usd(), 40 * 100 / 1e6);

  const v1::Score prose = client.Scores(CollectorClient::Id(2))["judge"];
  EXPECT_EQ(prose.state(), v1::SCORE_STATE_SCORED);
  EXPECT_DOUBLE_EQ(prose.value(), 0.25);
  EXPECT_FALSE(prose.passed());

  const v1::Score bad = client.Scores(CollectorClient::Id(3))["judge"];
  EXPECT_EQ(bad.state(), v1::SCORE_STATE_ERROR);
  EXPECT_THAT(bad.error(), HasSubstr("unparseable verdict"));
  EXPECT_EQ(bad.raw_output(), garbage);
  EXPECT_EQ(bad.output_tokens(), 7);
  EXPECT_GT(bad.cost_usd(), 0);
}

TEST(JudgeEndToEnd, SpendCapSkipsAreStoredAndCounted) {
  FakeOpenAiServer server;
  server.SetResponder([](const std::string&) { return Reply::Chat(R"({"score": 4})", 100, 0); });
  // One call costs $0.001, the whole hourly budget; one call at a time.
  CollectorProcess collector(Config(
      server, "max_concurrency: 1 max_usd_per_hour: 0.001 usd_per_million_input_tokens: 10"));
  ASSERT_TRUE(collector.Start()) << collector.log();
  CollectorClient client(collector.grpc_address());
  ASSERT_TRUE(client.Ingest(Samples(5)));
  auto counts = client.WaitAccounted(kApp, {"judge"}, 5, 30s);
  EXPECT_EQ(counts["judge"].scored(), 1u);
  EXPECT_EQ(Skipped(counts["judge"], "spend_cap"), 4u);
  EXPECT_EQ(server.requests().size(), 1u);
  int skipped = 0;
  for (int i = 0; i < 5; ++i) {
    const v1::Score s = client.Scores(CollectorClient::Id(i))["judge"];
    if (s.state() == v1::SCORE_STATE_SKIPPED) {
      ++skipped;
      EXPECT_THAT(s.error(), HasSubstr("spend_cap: "));
    }
  }
  EXPECT_EQ(skipped, 4);
}

TEST(JudgeEndToEnd, FailingEndpointOpensTheCircuitAndLaterCallsAreSkipped) {
  FakeOpenAiServer server;
  server.SetResponder([](const std::string&) { return Reply::Status(500); });
  CollectorProcess collector(
      Config(server, "max_concurrency: 1 circuit_failures: 2 circuit_open_s: 600"));
  ASSERT_TRUE(collector.Start()) << collector.log();
  CollectorClient client(collector.grpc_address());
  ASSERT_TRUE(client.Ingest(Samples(6)));
  auto counts = client.WaitAccounted(kApp, {"judge"}, 6, 30s);
  EXPECT_EQ(counts["judge"].errors(), 2u);
  EXPECT_EQ(Skipped(counts["judge"], "circuit_open"), 4u);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(JudgeEndToEnd, BadJudgeRubricStopsTheCollectorWithAClearMessage) {
  FakeOpenAiServer server;
  CollectorProcess collector(
      "judges { name: \"fake\" base_url: \"" + server.base_url() + "\" model: \"m\" }\n"
      "rubrics { name: \"typo\" kind: RUBRIC_KIND_LLM_JUDGE judge { template: \"{respons}\" } }");
  EXPECT_FALSE(collector.Start());
  EXPECT_THAT(collector.log(),
              HasSubstr("rubric 'typo': judge.template: unknown variable {respons}"));
}

}  // namespace
}  // namespace llmtap
