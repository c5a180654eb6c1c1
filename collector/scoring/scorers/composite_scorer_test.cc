#include "collector/scoring/scorers/composite_scorer.h"

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::RubricFromText;

const v1::Rubric kComposite = RubricFromText(R"(name: "overall" kind: RUBRIC_KIND_COMPOSITE
    composite { rubrics: "rouge" rubrics: "json" rubrics: "toxicity" })");

TEST(CompositeScorer, EqualWeightMeanOfPresentValues) {
  const std::map<std::string, double> earlier = {
      {"rouge", 0.5}, {"json", 1}, {"toxicity", 0.3}, {"other", 0}};
  const ScoreResult r = MustScore(CompositeScorer::Create, kComposite, v1::Sample(),
                                  ScoreContext{absl::InfiniteFuture(), &earlier});
  EXPECT_DOUBLE_EQ(r.value, 0.6);
  EXPECT_EQ(r.reasoning, "weighted mean of 3 of 3 rubrics");
}

TEST(CompositeScorer, WeightsWeighTheMean) {
  const std::map<std::string, double> earlier = {{"rouge", 0.5}, {"json", 1}, {"toxicity", 0}};
  // rouge weighs 1 (absent from the map), json 3, toxicity 0: (0.5 + 3) / 4.
  const std::map<std::string, double> weights = {{"json", 3}, {"toxicity", 0}};
  const ScoreResult r = MustScore(CompositeScorer::Create, kComposite, v1::Sample(),
                                  ScoreContext{absl::InfiniteFuture(), &earlier, &weights});
  EXPECT_DOUBLE_EQ(r.value, 0.875);
  const std::map<std::string, double> zero = {{"rouge", 0}, {"json", 0}, {"toxicity", 0}};
  auto scorer = CompositeScorer::Create(kComposite, {});
  ASSERT_TRUE(scorer.ok());
  EXPECT_EQ((*scorer)
                ->Score(v1::Sample(), ScoreContext{absl::InfiniteFuture(), &earlier, &zero})
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(CompositeScorer, MissingValuesAreLeftOut) {
  const std::map<std::string, double> earlier = {{"rouge", 0.25}, {"toxicity", 0.75}};
  const ScoreResult r = MustScore(CompositeScorer::Create, kComposite, v1::Sample(),
                                  ScoreContext{absl::InfiniteFuture(), &earlier});
  EXPECT_DOUBLE_EQ(r.value, 0.5);
  EXPECT_EQ(r.reasoning, "weighted mean of 2 of 3 rubrics; left out: json");
}

TEST(CompositeScorer, NoValuesIsFailedPrecondition) {
  auto scorer = CompositeScorer::Create(kComposite, {});
  ASSERT_TRUE(scorer.ok());
  const std::map<std::string, double> unrelated = {{"other", 1}};
  for (const auto* earlier :
       {static_cast<const std::map<std::string, double>*>(nullptr), &unrelated}) {
    absl::StatusOr<ScoreResult> r =
        (*scorer)->Score(v1::Sample(), ScoreContext{absl::InfiniteFuture(), earlier});
    EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  }
}

TEST(CompositeScorer, FactoryErrorsNameTheField) {
  struct Case {
    std::string params;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"", "rubric 'overall': composite.rubrics: lists no rubrics"},
           {R"(composite { rubrics: "a" rubrics: "" })",
            "rubric 'overall': composite.rubrics[1]: empty name"},
           {R"(composite { rubrics: "overall" })",
            "rubric 'overall': composite.rubrics[0]: refers to itself"},
           {R"(composite { rubrics: "a" rubrics: "b" rubrics: "a" })",
            "rubric 'overall': composite.rubrics[2]: duplicate 'a'"},
       }) {
    auto scorer = CompositeScorer::Create(
        RubricFromText("name: 'overall' kind: RUBRIC_KIND_COMPOSITE " + c.params), {});
    ASSERT_FALSE(scorer.ok()) << c.params;
    EXPECT_EQ(scorer.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(scorer.status().message(), c.message);
  }
}

}  // namespace
}  // namespace llmtap::collector
