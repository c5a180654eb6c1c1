// ParseVerdict(): turns a judge's free-form answer into a score in [0, 1].
//
//   absl::StatusOr<Verdict> v = ParseVerdict(R"(Sure! {"score": 4, "reasoning": "ok"})",
//                                            v1::JudgeParams::SCALE_1_5);
//   // v->value == 0.75, v->raw_score == 4, v->reasoning == "ok"
//
// Tolerated forms, tried in order: the whole text is a JSON object; a JSON object inside a
// ``` or ```json fence; the first JSON object embedded in prose that has a "score" key; and, for
// an answer cut off by max_tokens, a `"score": <number>` pair with no closing brace. The score
// may be a JSON number or a numeric string ("4", "0.8"); key names are matched
// case-insensitively; the reasoning is read from "reasoning", "reason" or "explanation".
//
// Normalisation per scale: SCALE_0_1 as is; SCALE_1_5 (s - 1) / 4; SCALE_0_10 s / 10;
// SCALE_UNSPECIFIED guesses from the value: <= 1 as 0-1, <= 5 as 1-5, else 0-10. A score
// outside its scale is an error, not clamped.
//
// Thread-safety: pure function.
#ifndef LLMTAP_COLLECTOR_JUDGE_VERDICT_PARSER_H_
#define LLMTAP_COLLECTOR_JUDGE_VERDICT_PARSER_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "llmtap/v1/rubric.pb.h"

namespace llmtap::collector {

struct Verdict {
  double value = 0;      // Normalised to [0, 1].
  double raw_score = 0;  // As the judge wrote it.
  std::string reasoning;
};

// INVALID_ARGUMENT "unparseable verdict: <why>" when no score is found or it is out of its
// scale. The message does not quote the answer: callers keep it whole (Score.raw_output).
absl::StatusOr<Verdict> ParseVerdict(std::string_view text, v1::JudgeParams::Scale scale);

// The score normalised to [0, 1] per `scale`; INVALID_ARGUMENT when it is outside the scale.
absl::StatusOr<double> NormaliseScore(double score, v1::JudgeParams::Scale scale);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_JUDGE_VERDICT_PARSER_H_
