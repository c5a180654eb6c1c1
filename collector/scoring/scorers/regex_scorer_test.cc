#include "collector/scoring/scorers/regex_scorer.h"

#include <chrono>

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::Response;
using testing::RubricFromText;

TEST(RegexScorer, OneWhenAllMustMatchAndNoMustNotMatches) {
  const v1::Rubric rubric = RubricFromText(R"(kind: RUBRIC_KIND_REGEX
      regex { must: "\\bOrder #\\d+" must: "total" must_not: "(?i)sorry" })");
  EXPECT_EQ(MustScore(RegexScorer::Create, rubric, Response("Order #42: total $3")).value, 1);
  const ScoreResult missing = MustScore(RegexScorer::Create, rubric, Response("Order #x total"));
  EXPECT_EQ(missing.value, 0);
  EXPECT_NE(missing.reasoning.find("regex.must[0]"), std::string::npos) << missing.reasoning;
  const ScoreResult forbidden =
      MustScore(RegexScorer::Create, rubric, Response("Sorry! Order #1 total"));
  EXPECT_EQ(forbidden.value, 0);
  EXPECT_NE(forbidden.reasoning.find("regex.must_not[0] /(?i)sorry/ matched"), std::string::npos)
      << forbidden.reasoning;
}

TEST(RegexScorer, ReasoningListsEveryFailingPattern) {
  const v1::Rubric rubric =
      RubricFromText(R"(kind: RUBRIC_KIND_REGEX regex { must: "a" must: "b" must_not: "c" })");
  const ScoreResult r = MustScore(RegexScorer::Create, rubric, Response("c"));
  EXPECT_EQ(r.reasoning,
            "regex.must[0] /a/ did not match; regex.must[1] /b/ did not match; "
            "regex.must_not[0] /c/ matched");
}

TEST(RegexScorer, CaseInsensitiveOption) {
  const v1::Rubric sensitive = RubricFromText(R"(kind: RUBRIC_KIND_REGEX regex { must: "yes" })");
  const v1::Rubric insensitive =
      RubricFromText(R"(kind: RUBRIC_KIND_REGEX regex { must: "yes" case_insensitive: true })");
  EXPECT_EQ(MustScore(RegexScorer::Create, sensitive, Response("YES")).value, 0);
  EXPECT_EQ(MustScore(RegexScorer::Create, insensitive, Response("YES")).value, 1);
  // Unicode case folding too.
  const v1::Rubric greek =
      RubricFromText(R"(kind: RUBRIC_KIND_REGEX regex { must: "σοφία" case_insensitive: true })");
  EXPECT_EQ(MustScore(RegexScorer::Create, greek, Response("ΣΟΦΊΑ")).value, 1);
}

TEST(RegexScorer, EmptyResponse) {
  const v1::Rubric rubric =
      RubricFromText(R"(kind: RUBRIC_KIND_REGEX regex { must: "^$" must_not: "." })");
  EXPECT_EQ(MustScore(RegexScorer::Create, rubric, Response("")).value, 1);
}

TEST(RegexScorer, CatastrophicBacktrackingPatternsRunInLinearTime) {
  const v1::Rubric rubric = RubricFromText(R"(kind: RUBRIC_KIND_REGEX
      regex { must: "^(a+)+$" must: "(a|aa)*c" must_not: "(x+x+)+y" })");
  const std::string evil = std::string(1 << 20, 'a') + "!";
  const auto start = std::chrono::steady_clock::now();
  const ScoreResult r = MustScore(RegexScorer::Create, rubric, Response(evil));
  EXPECT_EQ(r.value, 0);
  const ScoreResult x = MustScore(RegexScorer::Create, rubric, Response(std::string(100000, 'x')));
  EXPECT_EQ(x.value, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(RegexScorer, FactoryErrorsNameTheField) {
  auto bad_must = RegexScorer::Create(
      RubricFromText(R"(name: "x" kind: RUBRIC_KIND_REGEX regex { must: "ok" must: "(" })"), {});
  ASSERT_FALSE(bad_must.ok());
  EXPECT_EQ(bad_must.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad_must.status().message().find("rubric 'x': regex.must[1]:"), std::string::npos)
      << bad_must.status();

  auto bad_must_not = RegexScorer::Create(
      RubricFromText(R"(kind: RUBRIC_KIND_REGEX regex { must_not: "a{2,1}" })"), {});
  ASSERT_FALSE(bad_must_not.ok());
  EXPECT_NE(bad_must_not.status().message().find("regex.must_not[0]"), std::string::npos);

  // Backreferences and lookaround are not RE2.
  auto backref = RegexScorer::Create(
      RubricFromText(R"(kind: RUBRIC_KIND_REGEX regex { must: "(a)\\1" })"), {});
  EXPECT_FALSE(backref.ok());
  auto lookahead = RegexScorer::Create(RubricFromText(R"pb(kind: RUBRIC_KIND_REGEX
                                                           regex { must: "a(?=b)" })pb"),
                                       {});
  EXPECT_FALSE(lookahead.ok());

  auto empty = RegexScorer::Create(RubricFromText("kind: RUBRIC_KIND_REGEX"), {});
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("regex:"), std::string::npos) << empty.status();
}

}  // namespace
}  // namespace llmtap::collector
