#include "collector/judge/prompt_template.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace llmtap::collector {
namespace {

using ::testing::HasSubstr;

v1::Sample MakeSample() {
  v1::Sample s;
  s.set_prompt("What is 2+2?");
  s.set_response("4");
  s.set_reference("four");
  s.add_contexts("first chunk");
  s.add_contexts("second chunk");
  return s;
}

TEST(PromptTemplate, RendersEveryVariable) {
  auto t = PromptTemplate::Parse("Q: {prompt} A: {response} R: {reference}\n{contexts}");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->Render(MakeSample()),
            "Q: What is 2+2? A: 4 R: four\n[1] first chunk\n[2] second chunk");
}

TEST(PromptTemplate, DoubledBracesAreLiteral) {
  auto t = PromptTemplate::Parse(R"(Answer {{"score": n}} for {response})");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->Render(MakeSample()), R"(Answer {"score": n} for 4)");
}

TEST(PromptTemplate, EmptyFieldsRenderAsNone) {
  auto t = PromptTemplate::Parse("{reference}|{contexts}");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->Render(v1::Sample()), "(none)|(none)");
}

TEST(PromptTemplate, SampleTextIsNotReinterpreted) {
  auto t = PromptTemplate::Parse("{response}");
  ASSERT_TRUE(t.ok());
  v1::Sample s;
  s.set_response("{prompt} }} {{");
  EXPECT_EQ(t->Render(s), "{prompt} }} {{");
}

TEST(PromptTemplate, UnknownVariableIsAnErrorNamingIt) {
  auto t = PromptTemplate::Parse("Rate {answer} please");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(t.status().message(), HasSubstr("unknown variable {answer} at offset 5"));
}

TEST(PromptTemplate, StrayBracesAreErrors) {
  EXPECT_THAT(PromptTemplate::Parse("a { b").status().message(), HasSubstr("unclosed '{'"));
  EXPECT_THAT(PromptTemplate::Parse("a } b").status().message(), HasSubstr("lone '}'"));
  EXPECT_THAT(PromptTemplate::Parse("{}").status().message(), HasSubstr("unknown variable {}"));
}

}  // namespace
}  // namespace llmtap::collector
