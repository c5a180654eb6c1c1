// JsonScorer: value 1 when the response is JSON that has every json.required_keys entry (as
// top-level object keys) and meets json.schema (json_schema.h), else 0. The reasoning names
// the first failure: "invalid JSON at byte 12: ...", "$: missing required key 'id'",
// "$.items[2].price: expected type number, got string".
//
// The JSON looked at is the whole response (surrounding whitespace allowed), or with
// json.extract the first of, in order:
//   1. the body of a ``` fence (```json, ```JSON or a bare ```) that parses, fences in order;
//   2. the whole response;
//   3. a balanced {...} or [...] span (brackets inside strings ignored) that parses, trying
//      the first kMaxExtractCandidates opening brackets in order.
//
// Factory: INVALID_ARGUMENT naming "json" (params of another kind), "json.schema" (bad
// schema, with a JSON pointer into it) or "json.required_keys[i]" (an empty key).
//
// Thread-safety: immutable after construction; Score() may run concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_JSON_SCORER_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_JSON_SCORER_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/scoring/scorer.h"
#include "collector/scoring/scorers/json_schema.h"

namespace llmtap::collector {

class JsonScorer final : public Scorer {
 public:
  static constexpr int kMaxExtractCandidates = 32;

  // For RUBRIC_KIND_JSON.
  static absl::StatusOr<std::unique_ptr<Scorer>> Create(const v1::Rubric& rubric,
                                                        const ScorerEnv& env);

  absl::StatusOr<ScoreResult> Score(const v1::Sample& sample,
                                    const ScoreContext& context) const override;

  // The JSON value found in `text` as described above (extract or not), or nullopt with
  // *error saying why.
  static std::optional<nlohmann::json> FindJson(std::string_view text, bool extract,
                                                std::string* error);

 private:
  JsonScorer() = default;

  std::vector<std::string> required_keys_;
  std::optional<JsonSchema> schema_;
  bool extract_ = false;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_JSON_SCORER_H_
