// JudgeScorer over a scripted OpenAI-compatible server: answers in the forms real judges write
// them, scales, garbage, skips, rubric load errors, and the shipped default rubrics.
#include "collector/judge/judge_scorer.h"

#include <gmock/gmock.h>
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "fake_openai_server.h"

namespace llmtap::collector {
namespace {

using ::llmtap::testing::FakeOpenAiServer;
using ::llmtap::testing::Reply;
using ::testing::DoubleEq;
using ::testing::HasSubstr;

class JudgeScorerTest : public ::testing::Test {
 protected:
  JudgeScorerTest() {
    RegisterJudgeScorer();
    v1::JudgeEndpoint* e = config_.add_judges();
    e->set_name("local");
    e->set_base_url(server_.base_url());
    e->set_model("judge-model");
    e->set_max_attempts(1);
  }

  v1::Rubric Rubric(v1::JudgeParams::Scale scale,
                    const std::string& text = "Q: {prompt}\nA: {response}") {
    v1::Rubric r;
    r.set_name("judged");
    r.set_kind(v1::RUBRIC_KIND_LLM_JUDGE);
    r.mutable_judge()->set_template_(text);
    r.mutable_judge()->set_scale(scale);
    return r;
  }

  absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric) {
    return CreateScorer(rubric, ScorerEnv{&config_});
  }

  // Scores one sample with a scorer for `rubric`, the server answering `content`.
  absl::StatusOr<ScoreResult> ScoreWith(const v1::Rubric& rubric, const std::string& content) {
    server_.Script({Reply::Chat(content, 50, 10)});
    auto scorer = Create(rubric);
    if (!scorer.ok()) return scorer.status();
    v1::Sample sample;
    sample.set_prompt("What is the capital of France?");
    sample.set_response("Paris.");
    ScoreContext context;
    context.deadline = absl::Now() + absl::Seconds(10);
    return (*scorer)->Score(sample, context);
  }

  FakeOpenAiServer server_;
  v1::CollectorConfig config_;
};

TEST_F(JudgeScorerTest, RendersTheTemplateIntoTheUserMessage) {
  ASSERT_TRUE(ScoreWith(Rubric(v1::JudgeParams::SCALE_1_5), R"({"score": 5, "reasoning": "r"})")
                  .ok());
  const auto body = nlohmann::json::parse(server_.requests().at(0));
  EXPECT_EQ(body["messages"][1]["content"], "Q: What is the capital of France?\nA: Paris.");
  EXPECT_THAT(body["messages"][0]["content"].get<std::string>(),
              HasSubstr("<integer from 1 to 5>"));
  EXPECT_EQ(body["max_tokens"], JudgeScorer::kDefaultMaxTokens);
}

TEST_F(JudgeScorerTest, FencedJsonAnswerScoresAndKeepsTheRawAnswer) {
  const std::string answer = "```json\n{\"score\": 4, \"reasoning\": \"correct but terse\"}\n```";
  auto result = ScoreWith(Rubric(v1::JudgeParams::SCALE_1_5), answer);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->error.empty());
  EXPECT_THAT(result->value, DoubleEq(0.75));
  EXPECT_EQ(result->reasoning, "correct but terse");
  EXPECT_EQ(result->raw_output, answer);
  EXPECT_EQ(result->input_tokens, 50);
  EXPECT_EQ(result->output_tokens, 10);
}

TEST_F(JudgeScorerTest, ProseAroundJsonScores) {
  auto result = ScoreWith(Rubric(v1::JudgeParams::SCALE_0_10),
                          "Sure. My verdict: {\"reasoning\": \"fine\", \"score\": 9}. Thanks!");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->value, DoubleEq(0.9));
}

TEST_F(JudgeScorerTest, EachScaleIsNormalised) {
  EXPECT_THAT(ScoreWith(Rubric(v1::JudgeParams::SCALE_0_1), R"({"score": 0.3})")->value,
              DoubleEq(0.3));
  EXPECT_THAT(ScoreWith(Rubric(v1::JudgeParams::SCALE_1_5), R"({"score": 2})")->value,
              DoubleEq(0.25));
  EXPECT_THAT(ScoreWith(Rubric(v1::JudgeParams::SCALE_0_10), R"({"score": 6})")->value,
              DoubleEq(0.6));
}

TEST_F(JudgeScorerTest, GarbageAnswerIsAnErrorThatKeepsRawAnswerAndTokens) {
  const std::string answer = "The answer looks good to me!";
  auto result = ScoreWith(Rubric(v1::JudgeParams::SCALE_1_5), answer);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->error, HasSubstr("unparseable verdict"));
  EXPECT_EQ(result->raw_output, answer);
  EXPECT_EQ(result->input_tokens, 50);
  EXPECT_EQ(result->output_tokens, 10);
}

TEST_F(JudgeScorerTest, ScoreOutsideTheRubricScaleIsAnError) {
  auto result = ScoreWith(Rubric(v1::JudgeParams::SCALE_1_5), R"({"score": 9})");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->error, HasSubstr("outside the 1-5 scale"));
}

TEST_F(JudgeScorerTest, ModelOverrideAndMaxTokensComeFromTheRubric) {
  v1::Rubric r = Rubric(v1::JudgeParams::SCALE_1_5);
  r.mutable_judge()->set_model("other-model");
  r.mutable_judge()->set_max_tokens(32);
  ASSERT_TRUE(ScoreWith(r, R"({"score": 3})").ok());
  const auto body = nlohmann::json::parse(server_.requests().at(0));
  EXPECT_EQ(body["model"], "other-model");
  EXPECT_EQ(body["max_tokens"], 32);
}

TEST_F(JudgeScorerTest, UnknownTemplateVariableFailsTheRubricLoad) {
  auto scorer = Create(Rubric(v1::JudgeParams::SCALE_1_5, "Rate {answer}"));
  ASSERT_FALSE(scorer.ok());
  EXPECT_EQ(scorer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(scorer.status().message(),
              HasSubstr("rubric 'judged': judge.template: unknown variable {answer}"));
}

TEST_F(JudgeScorerTest, MissingTemplateFailsTheRubricLoad) {
  v1::Rubric r = Rubric(v1::JudgeParams::SCALE_1_5, "");
  EXPECT_THAT(Create(r).status().message(), HasSubstr("judge.template: must be set"));
}

TEST_F(JudgeScorerTest, UnknownEndpointFailsTheRubricLoadNamingTheKnownOnes) {
  v1::Rubric r = Rubric(v1::JudgeParams::SCALE_1_5);
  r.mutable_judge()->set_endpoint("openai");
  EXPECT_THAT(Create(r).status().message(),
              HasSubstr("judge.endpoint: unknown endpoint 'openai' (configured: 'local')"));
}

TEST_F(JudgeScorerTest, NoEndpointsConfiguredFailsTheRubricLoad) {
  config_.clear_judges();
  EXPECT_THAT(Create(Rubric(v1::JudgeParams::SCALE_1_5)).status().message(),
              HasSubstr("judge.endpoint: no judge endpoints configured"));
}

TEST_F(JudgeScorerTest, BadEndpointFailsTheRubricLoad) {
  config_.mutable_judges(0)->clear_model();
  EXPECT_THAT(Create(Rubric(v1::JudgeParams::SCALE_1_5)).status().message(),
              HasSubstr("judge.endpoint: judges 'local': model: must be set"));
}

TEST_F(JudgeScorerTest, SpendCapIsASkipWithItsReason) {
  v1::JudgeEndpoint* e = config_.mutable_judges(0);
  e->set_max_usd_per_hour(0.0005);
  e->set_usd_per_million_input_tokens(10);  // 50 input tokens: $0.0005.
  auto scorer = Create(Rubric(v1::JudgeParams::SCALE_1_5));
  ASSERT_TRUE(scorer.ok()) << scorer.status();
  server_.SetResponder([](const std::string&) { return Reply::Chat(R"({"score": 5})", 50, 0); });
  ScoreContext context;
  context.deadline = absl::Now() + absl::Seconds(10);
  auto first = (*scorer)->Score(v1::Sample(), context);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_DOUBLE_EQ(first->cost_usd, 0.0005);
  auto second = (*scorer)->Score(v1::Sample(), context);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(second.status().message(), HasSubstr("spend_cap:"));
}

TEST_F(JudgeScorerTest, DefaultRubricsLoadAndDeclareWhatTheyNeed) {
  std::ifstream in(LLMTAP_DEFAULT_RUBRICS);
  ASSERT_TRUE(in) << LLMTAP_DEFAULT_RUBRICS;
  std::stringstream text;
  text << in.rdbuf();
  v1::CollectorConfig defaults;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text.str(), &defaults));
  std::map<std::string, v1::Rubric> by_name;
  for (const v1::Rubric& r : defaults.rubrics()) {
    auto scorer = Create(r);
    EXPECT_TRUE(scorer.ok()) << r.name() << ": " << scorer.status();
    EXPECT_EQ(r.judge().scale(), v1::JudgeParams::SCALE_1_5) << r.name();
    by_name[r.name()] = r;
  }
  ASSERT_EQ(by_name.size(), 5u);
  for (const char* name :
       {"relevance", "faithfulness", "safety", "instruction_following", "factual_accuracy"}) {
    EXPECT_TRUE(by_name.count(name)) << name;
  }
  EXPECT_TRUE(by_name["faithfulness"].requires_contexts());
  EXPECT_THAT(by_name["faithfulness"].judge().template_(), HasSubstr("{contexts}"));
  EXPECT_TRUE(by_name["factual_accuracy"].requires_reference());
  EXPECT_THAT(by_name["factual_accuracy"].judge().template_(), HasSubstr("{reference}"));
  EXPECT_FALSE(by_name["relevance"].requires_contexts() || by_name["safety"].requires_reference());
}

}  // namespace
}  // namespace llmtap::collector
