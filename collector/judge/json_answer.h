// ParseJsonAnswer(): the JSON object in a model's answer, for judge calls that ask for a
// shape other than a verdict (claims, pairwise choices). Tolerates what models wrap around
// it: ``` fences and prose before or after (the first '{' to the last '}').
//
// Thread-safety: pure function.
#ifndef LLMTAP_COLLECTOR_JUDGE_JSON_ANSWER_H_
#define LLMTAP_COLLECTOR_JUDGE_JSON_ANSWER_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector {

// INVALID_ARGUMENT "no JSON object in the answer" when there is none.
absl::StatusOr<nlohmann::json> ParseJsonAnswer(std::string_view text);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_JSON_ANSWER_H_
