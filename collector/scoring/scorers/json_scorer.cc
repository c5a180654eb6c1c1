#include "collector/scoring/scorers/json_scorer.h"

#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"

namespace llmtap::collector {
namespace {

using nlohmann::json;

std::optional<json> TryParse(std::string_view text) {
  json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

// Bodies of ``` fences whose info string is empty or "json" (any case), in order.
std::vector<std::string_view> FenceBodies(std::string_view text) {
  std::vector<std::string_view> bodies;
  size_t pos = 0;
  while (true) {
    const size_t open = text.find("```", pos);
    if (open == std::string_view::npos) break;
    const size_t line_end = text.find('\n', open + 3);
    if (line_end == std::string_view::npos) break;
    const size_t close = text.find("```", line_end + 1);
    if (close == std::string_view::npos) break;
    std::string_view info = text.substr(open + 3, line_end - open - 3);
    while (!info.empty() && (info.back() == ' ' || info.back() == '\r' || info.back() == '\t')) {
      info.remove_suffix(1);
    }
    if (info.empty() || info == "json" || info == "JSON" || info == "Json") {
      bodies.push_back(text.substr(line_end + 1, close - line_end - 1));
    }
    pos = close + 3;
  }
  return bodies;
}

// One past the bracket that closes the one at text[begin], or npos when unbalanced.
size_t BalancedEnd(std::string_view text, size_t begin) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = begin; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Scorer>> JsonScorer::Create(const v1::Rubric& rubric,
                                                           const ScorerEnv&) {
  if (absl::Status s = CheckParamsCase(rubric, v1::Rubric::kJson, "json"); !s.ok()) return s;
  const v1::JsonParams& params = rubric.json();
  std::unique_ptr<JsonScorer> scorer(new JsonScorer());
  for (int i = 0; i < params.required_keys_size(); ++i) {
    if (params.required_keys(i).empty()) {
      return RubricFieldError(rubric, Cat("json.required_keys[", i, "]"), "empty key");
    }
    scorer->required_keys_.push_back(params.required_keys(i));
  }
  if (!params.schema().empty()) {
    absl::StatusOr<JsonSchema> schema = JsonSchema::Parse(params.schema());
    if (!schema.ok())
      return RubricFieldError(rubric, "json.schema", std::string(schema.status().message()));
    scorer->schema_ = *std::move(schema);
  }
  scorer->extract_ = params.extract();
  return std::unique_ptr<Scorer>(std::move(scorer));
}

std::optional<json> JsonScorer::FindJson(std::string_view text, bool extract, std::string* error) {
  if (!extract) {
    try {
      return json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
      *error = Cat("invalid JSON at byte ", e.byte, ": ", Excerpt(e.what(), 200));
      return std::nullopt;
    }
  }
  for (std::string_view body : FenceBodies(text)) {
    if (std::optional<json> value = TryParse(body)) return value;
  }
  if (std::optional<json> value = TryParse(text)) return value;
  size_t pos = 0;
  for (int tried = 0; tried < kMaxExtractCandidates; ++tried) {
    const size_t begin = text.find_first_of("{[", pos);
    if (begin == std::string_view::npos) break;
    pos = begin + 1;
    const size_t end = BalancedEnd(text, begin);
    if (end == std::string_view::npos) continue;
    if (std::optional<json> value = TryParse(text.substr(begin, end - begin))) return value;
  }
  *error = "no JSON value found in the response";
  return std::nullopt;
}

absl::StatusOr<ScoreResult> JsonScorer::Score(const v1::Sample& sample, const ScoreContext&) const {
  ScoreResult result;
  std::string error;
  std::optional<json> value = FindJson(sample.response(), extract_, &error);
  if (!value) {
    result.value = 0;
    result.reasoning = error;
    return result;
  }
  if (!required_keys_.empty()) {
    if (!value->is_object()) {
      result.reasoning =
          Cat("$: expected an object with required keys, got ", JsonTypeName(*value));
      return result;
    }
    for (const std::string& key : required_keys_) {
      if (!value->contains(key)) {
        result.reasoning = Cat("$: missing required key '", key, "'");
        return result;
      }
    }
  }
  if (schema_) {
    if (std::string violation = schema_->FirstViolation(*value); !violation.empty()) {
      result.reasoning = violation;
      return result;
    }
  }
  result.value = 1;
  result.reasoning = Cat("valid JSON ", JsonTypeName(*value),
                         required_keys_.empty() ? "" : " with all required keys",
                         schema_ ? " meeting the schema" : "");
  return result;
}

}  // namespace llmtap::collector
