#include "collector/scoring/scorers/json_schema.h"

#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

using nlohmann::json;

std::string Check(const std::string& schema, const std::string& value) {
  absl::StatusOr<JsonSchema> s = JsonSchema::Parse(schema);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return "bad schema";
  return s->FirstViolation(json::parse(value));
}

std::string SchemaError(const std::string& schema) {
  absl::StatusOr<JsonSchema> s = JsonSchema::Parse(schema);
  EXPECT_FALSE(s.ok()) << schema;
  return s.ok() ? "" : std::string(s.status().message());
}

TEST(JsonSchema, Types) {
  EXPECT_EQ(Check(R"({"type": "integer"})", "3"), "");
  EXPECT_EQ(Check(R"({"type": "integer"})", "3.0"), "");
  EXPECT_EQ(Check(R"({"type": "integer"})", "-3"), "");
  EXPECT_EQ(Check(R"({"type": "integer"})", "3.5"), "$: expected type integer, got number");
  EXPECT_EQ(Check(R"({"type": "number"})", "3.5"), "");
  EXPECT_EQ(Check(R"({"type": "number"})", "\"3\""), "$: expected type number, got string");
  EXPECT_EQ(Check(R"({"type": "string"})", "\"\""), "");
  EXPECT_EQ(Check(R"({"type": "boolean"})", "false"), "");
  EXPECT_EQ(Check(R"({"type": "boolean"})", "0"), "$: expected type boolean, got number");
  EXPECT_EQ(Check(R"({"type": "null"})", "null"), "");
  EXPECT_EQ(Check(R"({"type": "object"})", "[]"), "$: expected type object, got array");
  EXPECT_EQ(Check(R"({"type": "array"})", "[]"), "");
  EXPECT_EQ(Check(R"({"type": ["string", "null"]})", "null"), "");
  EXPECT_EQ(Check(R"({"type": ["string", "null"]})", "1"),
            "$: expected type string or null, got number");
}

TEST(JsonSchema, NestedPropertiesRequiredItemsAndEnum) {
  const std::string schema = R"({
    "type": "object",
    "required": ["name", "items"],
    "properties": {
      "name": {"type": "string"},
      "status": {"enum": ["ok", "failed", 1]},
      "items": {"type": "array", "items": {
        "type": "object", "required": ["price"],
        "properties": {"price": {"type": "number"}, "my key": {"type": "string"}}}}
    }
  })";
  EXPECT_EQ(Check(schema, R"({"name": "a", "items": [{"price": 1}, {"price": 2.5}]})"), "");
  EXPECT_EQ(Check(schema, R"({"name": "a"})"), "$: missing required key 'items'");
  EXPECT_EQ(Check(schema, R"({"name": 1, "items": []})"),
            "$.name: expected type string, got number");
  EXPECT_EQ(Check(schema, R"({"name": "a", "items": [{"price": 1}, {"price": "2"}]})"),
            "$.items[1].price: expected type number, got string");
  EXPECT_EQ(Check(schema, R"({"name": "a", "items": [{}]})"),
            "$.items[0]: missing required key 'price'");
  EXPECT_EQ(Check(schema, R"({"name": "a", "items": [{"price": 1, "my key": 2}]})"),
            R"($.items[0]["my key"]: expected type string, got number)");
  EXPECT_EQ(Check(schema, R"({"name": "a", "items": [], "status": 1.0})"), "");
  EXPECT_EQ(Check(schema, R"({"name": "a", "items": [], "status": "OK"})"),
            R"($.status: "OK" is not one of ["ok","failed",1])");
}

TEST(JsonSchema, BooleanSchemasAndAnnotations) {
  EXPECT_EQ(Check("true", "123"), "");
  EXPECT_EQ(Check(R"({"properties": {"x": false}})", R"({"x": 1})"),
            "$.x: the schema allows nothing here (false)");
  EXPECT_EQ(Check(R"({"$schema": "https://json-schema.org/draft/2020-12/schema",
                      "title": "t", "description": "d", "type": "object"})",
                  "{}"),
            "");
}

TEST(JsonSchema, BadSchemasNameTheSchemaPointer) {
  EXPECT_EQ(SchemaError(R"({"type": "int"})"), "/type: unknown type 'int'");
  EXPECT_EQ(SchemaError(R"({"properties": {"a": {"type": ["string", 3]}}})"),
            "/properties/a/type/1: unknown type 3");
  EXPECT_EQ(SchemaError(R"({"required": "a"})"), "/required: must be an array of strings");
  EXPECT_EQ(SchemaError(R"({"enum": 3})"), "/enum: must be an array");
  EXPECT_EQ(SchemaError(R"({"items": [{"type": "string"}]})"),
            "/items: tuple form (an array of schemas) is not supported");
  EXPECT_NE(SchemaError(R"({"properties": {"a/b": {"minimum": 3}}})")
                .find("/properties/a~1b/minimum: unsupported keyword"),
            std::string::npos);
  EXPECT_EQ(SchemaError("3"), "/: a schema must be an object or a boolean");
  EXPECT_EQ(SchemaError("{"), "invalid JSON");
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += R"({"items": )";
  deep += "{}";
  for (int i = 0; i < 100; ++i) deep += "}";
  EXPECT_NE(SchemaError(deep).find("nested deeper than"), std::string::npos);
}

}  // namespace
}  // namespace llmtap::collector
