#include "collector/scoring/scorers/cost_scorer.h"

#include "collector/scoring/scorers/scorer_test_util.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::RubricFromText;

class CostScorerTest : public ::testing::Test {
 protected:
  CostScorerTest() {
    google::protobuf::TextFormat::ParseFromString(R"(
        prices { model: "gpt-4o" usd_per_million_input_tokens: 2.5 usd_per_million_output_tokens: 10 }
        prices { model: "gpt-4o*" usd_per_million_input_tokens: 100 usd_per_million_output_tokens: 100 }
        prices { model: "gpt-4o-mini*" usd_per_million_input_tokens: 0.15 usd_per_million_output_tokens: 0.6 }
        prices { model: "*" usd_per_million_input_tokens: 1 usd_per_million_output_tokens: 1 }
    )",
                                                  &config_);
  }

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample, const v1::CollectorConfig* config) {
    auto scorer = CostScorer::Create(
        RubricFromText("kind: RUBRIC_KIND_COST bound { good: 0.001 bad: 0.003 }"),
        ScorerEnv{config});
    EXPECT_TRUE(scorer.ok()) << scorer.status();
    return (*scorer)->Score(sample, {});
  }

  v1::CollectorConfig config_;
};

v1::Sample Call(const std::string& model, int64_t in, int64_t out, double cost = 0) {
  v1::Sample s;
  s.set_model(model);
  s.set_input_tokens(in);
  s.set_output_tokens(out);
  s.set_cost_usd(cost);
  return s;
}

TEST_F(CostScorerTest, ReportedCostWins) {
  absl::StatusOr<ScoreResult> r = Score(Call("unknown", 0, 0, 0.002), nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_DOUBLE_EQ(r->value, 0.5);
  EXPECT_NE(r->reasoning.find("reported"), std::string::npos);
}

TEST_F(CostScorerTest, ExactModelNameBeatsPrefixes) {
  // 200 * 2.5 / 1e6 + 100 * 10 / 1e6 = 0.0015 -> (0.003 - 0.0015) / 0.002 = 0.75.
  absl::StatusOr<ScoreResult> r = Score(Call("gpt-4o", 200, 100), &config_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_DOUBLE_EQ(r->value, 0.75);
  EXPECT_NE(r->reasoning.find("priced as 'gpt-4o'"), std::string::npos) << r->reasoning;
}

TEST_F(CostScorerTest, LongestPrefixWins) {
  auto scorer =
      CostScorer::Create(RubricFromText("kind: RUBRIC_KIND_COST bound { good: 0.001 bad: 0.003 }"),
                         ScorerEnv{&config_});
  ASSERT_TRUE(scorer.ok());
  const auto& cost = static_cast<const CostScorer&>(**scorer);
  EXPECT_EQ(cost.FindPrice("gpt-4o-mini-2024-07-18")->model(), "gpt-4o-mini*");
  EXPECT_EQ(cost.FindPrice("gpt-4o-2024")->model(), "gpt-4o*");
  EXPECT_EQ(cost.FindPrice("claude")->model(), "*");
  EXPECT_EQ(cost.FindPrice("")->model(), "*");
  // 10000 * 0.15 / 1e6 + 1000 * 0.6 / 1e6 = 0.0021 -> 0.45.
  absl::StatusOr<ScoreResult> r = Score(Call("gpt-4o-mini-x", 10000, 1000), &config_);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->value, 0.45, 1e-12);
}

TEST_F(CostScorerTest, NoPriceIsFailedPrecondition) {
  for (const v1::CollectorConfig* config : {static_cast<const v1::CollectorConfig*>(nullptr),
                                            static_cast<const v1::CollectorConfig*>(&config_)}) {
    v1::CollectorConfig no_wildcard;
    if (config != nullptr) {
      no_wildcard = *config;
      no_wildcard.mutable_prices()->RemoveLast();
      config = &no_wildcard;
    }
    absl::StatusOr<ScoreResult> r = Score(Call("llama-3", 10, 10), config);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(r.status().message(), "no price for model 'llama-3'");
  }
}

TEST_F(CostScorerTest, BadBoundIsAFactoryError) {
  auto scorer = CostScorer::Create(
      RubricFromText("name: 'c' kind: RUBRIC_KIND_COST bound { good: 1 bad: 0.5 }"), {});
  ASSERT_FALSE(scorer.ok());
  EXPECT_EQ(scorer.status().message(),
            "rubric 'c': bound.bad: must be greater than bound.good (1), got 0.5");
}

}  // namespace
}  // namespace llmtap::collector
