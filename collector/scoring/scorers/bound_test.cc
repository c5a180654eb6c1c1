#include "collector/scoring/scorers/bound.h"

#include <cmath>
#include <limits>

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::RubricFromText;

TEST(Bound, IsOneAtOrBelowGoodZeroAtOrAboveBadLinearBetween) {
  const Bound b{100, 300};
  EXPECT_EQ(b.Value(0), 1);
  EXPECT_EQ(b.Value(100), 1);
  EXPECT_DOUBLE_EQ(b.Value(150), 0.75);
  EXPECT_DOUBLE_EQ(b.Value(200), 0.5);
  EXPECT_EQ(b.Value(300), 0);
  EXPECT_EQ(b.Value(1e300), 0);
  EXPECT_EQ(b.Value(std::numeric_limits<double>::infinity()), 0);
  EXPECT_EQ(b.Value(std::nan("")), 0);
}

TEST(Bound, FromRubricValidatesNamingTheField) {
  auto ok = Bound::FromRubric(RubricFromText("kind: RUBRIC_KIND_LATENCY bound { good: 1 bad: 2 }"));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->good, 1);
  EXPECT_EQ(ok->bad, 2);

  struct Case {
    std::string text;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"kind: RUBRIC_KIND_LATENCY", "rubric 'r': bound: missing (good and bad)"},
           {"kind: RUBRIC_KIND_LATENCY bound { good: 5 bad: 5 }",
            "rubric 'r': bound.bad: must be greater than bound.good (5), got 5"},
           {"kind: RUBRIC_KIND_LATENCY bound { good: 5 bad: 1 }",
            "rubric 'r': bound.bad: must be greater than bound.good (5), got 1"},
           {"kind: RUBRIC_KIND_LATENCY bound { good: -1 bad: 1 }",
            "rubric 'r': bound.good: must be finite and >= 0, got -1"},
           {"kind: RUBRIC_KIND_LATENCY bound { good: 0 bad: inf }",
            "rubric 'r': bound.bad: must be finite and >= 0, got inf"},
       }) {
    absl::StatusOr<Bound> b = Bound::FromRubric(RubricFromText(c.text));
    ASSERT_FALSE(b.ok()) << c.text;
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(b.status().message(), c.message);
  }
}

}  // namespace
}  // namespace llmtap::collector
