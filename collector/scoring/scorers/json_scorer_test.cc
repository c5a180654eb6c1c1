#include "collector/scoring/scorers/json_scorer.h"

#include <chrono>

#include "collector/scoring/scorers/scorer_test_util.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using testing::MustScore;
using testing::Response;
using testing::RubricFromText;

TEST(JsonScorer, ValidityOnly) {
  const v1::Rubric rubric = RubricFromText("kind: RUBRIC_KIND_JSON");
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric, Response(" {\"a\": [1, 2]}\n")).value, 1);
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric, Response("42")).value, 1);
  const ScoreResult bad = MustScore(JsonScorer::Create, rubric, Response("{\"a\": }"));
  EXPECT_EQ(bad.value, 0);
  EXPECT_EQ(bad.reasoning.rfind("invalid JSON at byte 7", 0), 0u) << bad.reasoning;
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric, Response("")).value, 0);
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric, Response("```json\n{}\n```")).value, 0);
  // Invalid UTF-8 inside a string is not JSON.
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric, Response("\"\xff\"")).value, 0);
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric, Response("{\"ключ\": \"值 🙂\"}")).value, 1);
}

TEST(JsonScorer, RequiredKeys) {
  const v1::Rubric rubric = RubricFromText(
      R"(kind: RUBRIC_KIND_JSON json { required_keys: "answer" required_keys: "sources" })");
  EXPECT_EQ(
      MustScore(JsonScorer::Create, rubric, Response(R"({"answer": null, "sources": []})")).value,
      1);
  const ScoreResult missing = MustScore(JsonScorer::Create, rubric, Response(R"({"answer": 1})"));
  EXPECT_EQ(missing.value, 0);
  EXPECT_EQ(missing.reasoning, "$: missing required key 'sources'");
  const ScoreResult array = MustScore(JsonScorer::Create, rubric, Response("[]"));
  EXPECT_EQ(array.value, 0);
  EXPECT_EQ(array.reasoning, "$: expected an object with required keys, got array");
}

TEST(JsonScorer, SchemaViolationNamesThePath) {
  const v1::Rubric rubric = RubricFromText(R"(kind: RUBRIC_KIND_JSON json {
      schema: '{"type": "object", "properties": {"score": {"type": "integer"}}}' })");
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric, Response(R"({"score": 3})")).value, 1);
  const ScoreResult r = MustScore(JsonScorer::Create, rubric, Response(R"({"score": "3"})"));
  EXPECT_EQ(r.value, 0);
  EXPECT_EQ(r.reasoning, "$.score: expected type integer, got string");
}

TEST(JsonScorer, ExtractFindsJsonInFencesAndProse) {
  const v1::Rubric rubric =
      RubricFromText(R"(kind: RUBRIC_KIND_JSON json { required_keys: "a" extract: true })");
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric,
                      Response("Here you go:\n```json\n{\"a\": 1}\n```\nAnything else?"))
                .value,
            1);
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric, Response("```\n{\"a\": \"}\"}\n```")).value, 1);
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric,
                      Response("Sure! The result is {\"a\": {\"b\": [1, \"]\"]}}. Thanks"))
                .value,
            1);
  // An unbalanced brace in prose before the object does not hide it.
  EXPECT_EQ(
      MustScore(JsonScorer::Create, rubric, Response("Use { carefully. Result: {\"a\": true}"))
          .value,
      1);
  // A fence in another language is skipped.
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric,
                      Response("```python\nx = {'a': 1}\n```\n```json\n{\"a\": 2}\n```"))
                .value,
            1);
  const ScoreResult none = MustScore(JsonScorer::Create, rubric, Response("no json {here"));
  EXPECT_EQ(none.value, 0);
  EXPECT_EQ(none.reasoning, "no JSON value found in the response");
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric, Response("")).value, 0);
}

TEST(JsonScorer, HugeAndDeeplyNestedInputsAreSafe) {
  const v1::Rubric rubric = RubricFromText(R"(kind: RUBRIC_KIND_JSON json {
      schema: '{"type": "array", "items": {"type": "integer"}}' extract: true })");
  std::string big = "[";
  for (int i = 0; i < 200000; ++i) big += std::to_string(i) + ",";
  big += "0]";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric, Response(big)).value, 1);
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric, Response(deep)).value, 0);
  EXPECT_EQ(MustScore(JsonScorer::Create, rubric, Response(std::string(1 << 20, '{'))).value, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(JsonScorer, FactoryErrorsNameTheField) {
  auto schema = JsonScorer::Create(
      RubricFromText(R"(name: "j" kind: RUBRIC_KIND_JSON json { schema: '{"type": "obj"}' })"), {});
  ASSERT_FALSE(schema.ok());
  EXPECT_EQ(schema.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(schema.status().message(), "rubric 'j': json.schema: /type: unknown type 'obj'");
  auto not_json = JsonScorer::Create(
      RubricFromText(R"(kind: RUBRIC_KIND_JSON json { schema: '{type: object}' })"), {});
  ASSERT_FALSE(not_json.ok());
  EXPECT_NE(not_json.status().message().find("json.schema: invalid JSON"), std::string::npos);
  auto empty_key = JsonScorer::Create(
      RubricFromText(R"(kind: RUBRIC_KIND_JSON json { required_keys: "a" required_keys: "" })"),
      {});
  ASSERT_FALSE(empty_key.ok());
  EXPECT_NE(empty_key.status().message().find("json.required_keys[1]"), std::string::npos);
}

}  // namespace
}  // namespace llmtap::collector
