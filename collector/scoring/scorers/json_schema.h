// JsonSchema: a checked subset of JSON Schema (draft 2020-12 semantics) for the JSON scorer.
//
// Supported keywords: type (a name or an array of names among "null", "boolean", "object",
// "array", "number", "string", "integer"; "integer" accepts any number with no fractional
// part, e.g. 1.0), properties, required, enum (equality as JSON values, 1 == 1.0), items (one
// schema for every element). Boolean schemas (true / false) are allowed anywhere a schema is.
// Annotation keywords ($schema, $id, $comment, title, description, default, examples) are
// ignored. Any other keyword is rejected at Parse() time rather than silently ignored, so a
// rubric never looks stricter than it is.
//
//   absl::StatusOr<JsonSchema> schema = JsonSchema::Parse(R"({"type": "object",
//       "required": ["name"], "properties": {"name": {"type": "string"}}})");
//   std::string v = schema->FirstViolation(nlohmann::json::parse(R"({"name": 3})"));
//   // v == "$.name: expected type string, got number"
//
// Thread-safety: immutable after Parse(); FirstViolation() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_JSON_SCHEMA_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_JSON_SCHEMA_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector {

class JsonSchema {
 public:
  // Deepest nesting of schemas inside a schema.
  static constexpr int kMaxDepth = 64;

  // Parses a schema document. INVALID_ARGUMENT "<pointer>: <message>" naming the offending
  // place with a JSON pointer into the schema (e.g. "/properties/age/type: unknown type
  // 'int'"), or "invalid JSON: ..." when the text does not parse.
  static absl::StatusOr<JsonSchema> Parse(std::string_view text);

  // Empty when `value` meets the schema; otherwise the first violation in document order as
  // "<path>: <message>", where path is "$" for the root, then ".key" (or ["key"] for keys
  // that are not identifiers) and "[index]".
  std::string FirstViolation(const nlohmann::json& value) const;

 private:
  explicit JsonSchema(nlohmann::json schema) : schema_(std::move(schema)) {}

  nlohmann::json schema_;
};

// A path step for violation paths: ".key" when key is [A-Za-z_][A-Za-z0-9_]*, else ["key"].
std::string JsonPathKey(std::string_view key);

// The JSON name of a value's type: "null", "boolean", "object", "array", "number", "string".
std::string_view JsonTypeName(const nlohmann::json& value);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_JSON_SCHEMA_H_
