#include "collector/judge/verdict_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace llmtap::collector {
namespace {

using ::testing::DoubleEq;
using ::testing::HasSubstr;
using Scale = v1::JudgeParams;

TEST(VerdictParser, PlainJsonObject) {
  auto v = ParseVerdict(R"({"score": 4, "reasoning": "mostly right"})", Scale::SCALE_1_5);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_THAT(v->value, DoubleEq(0.75));
  EXPECT_THAT(v->raw_score, DoubleEq(4));
  EXPECT_EQ(v->reasoning, "mostly right");
}

TEST(VerdictParser, CodeFenceWithLanguageTag) {
  auto v = ParseVerdict("Here you go:\n```json\n{\"score\": 8, \"reasoning\": \"fine\"}\n```\n",
                        Scale::SCALE_0_10);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_THAT(v->value, DoubleEq(0.8));
  EXPECT_EQ(v->reasoning, "fine");
}

TEST(VerdictParser, ProseAroundTheObject) {
  auto v = ParseVerdict(
      "Let me think. The answer {is} good.\n{\"reasoning\": \"uses {braces}\", \"score\": 0.25}"
      "\nThat is my verdict.",
      Scale::SCALE_0_1);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_THAT(v->value, DoubleEq(0.25));
  EXPECT_EQ(v->reasoning, "uses {braces}");
}

TEST(VerdictParser, ObjectWithoutScoreIsSkippedForOneWithIt) {
  auto v = ParseVerdict(R"({"note": 1} then {"Score": "3", "Reason": "ok"})", Scale::SCALE_1_5);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_THAT(v->value, DoubleEq(0.5));
  EXPECT_EQ(v->reasoning, "ok");
}

TEST(VerdictParser, AnswerCutOffByMaxTokensStillYieldsTheScore) {
  auto v = ParseVerdict("{\n  \"score\": 5,\n  \"reasoning\": \"The answer is compl",
                        Scale::SCALE_1_5);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_THAT(v->value, DoubleEq(1.0));
  EXPECT_EQ(v->reasoning, "The answer is compl");
}

TEST(VerdictParser, EachScaleNormalisesToUnitInterval) {
  EXPECT_THAT(*NormaliseScore(1, Scale::SCALE_1_5), DoubleEq(0));
  EXPECT_THAT(*NormaliseScore(5, Scale::SCALE_1_5), DoubleEq(1));
  EXPECT_THAT(*NormaliseScore(0, Scale::SCALE_0_10), DoubleEq(0));
  EXPECT_THAT(*NormaliseScore(7, Scale::SCALE_0_10), DoubleEq(0.7));
  EXPECT_THAT(*NormaliseScore(0.4, Scale::SCALE_0_1), DoubleEq(0.4));
}

TEST(VerdictParser, UnspecifiedScaleIsGuessedFromTheValue) {
  EXPECT_THAT(*NormaliseScore(0.9, Scale::SCALE_UNSPECIFIED), DoubleEq(0.9));
  EXPECT_THAT(*NormaliseScore(3, Scale::SCALE_UNSPECIFIED), DoubleEq(0.5));
  EXPECT_THAT(*NormaliseScore(9, Scale::SCALE_UNSPECIFIED), DoubleEq(0.9));
}

TEST(VerdictParser, ScoreOutsideItsScaleIsAnError) {
  auto v = ParseVerdict(R"({"score": 7})", Scale::SCALE_1_5);
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("score 7 is outside the 1-5 scale"));
  EXPECT_FALSE(NormaliseScore(-1, Scale::SCALE_0_10).ok());
  EXPECT_FALSE(NormaliseScore(11, Scale::SCALE_UNSPECIFIED).ok());
}

TEST(VerdictParser, GarbageIsAnError) {
  for (const char* text : {"", "   ", "I think it is pretty good.", "{not json",
                           R"({"score": "high"})", R"({"score": null})"}) {
    auto v = ParseVerdict(text, Scale::SCALE_1_5);
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(v.status().message(), HasSubstr("unparseable verdict")) << text;
  }
}

}  // namespace
}  // namespace llmtap::collector
