#include "collector/scoring/score_builder.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "collector/common/strings.h"

namespace llmtap::collector {

std::string SkipSeries(std::string_view rubric, std::string_view reason) {
  return Cat("s:", rubric, ":", reason);
}

v1::Score SkippedScore(const v1::Rubric& rubric, const v1::Sample& sample,
                       std::string_view reason) {
  v1::Score score;
  score.set_sample_id(sample.id());
  score.set_rubric(rubric.name());
  score.set_rubric_version(rubric.version());
  score.set_state(v1::SCORE_STATE_SKIPPED);
  score.set_error(std::string(reason));
  score.set_scored_unix_nano(absl::GetCurrentTimeNanos());
  return score;
}

v1::Score BuildScore(const v1::Rubric& r, const v1::Sample& sample,
                     absl::StatusOr<ScoreResult> result, absl::Time started,
                     absl::Time deadline) {
  v1::Score score;
  score.set_sample_id(sample.id());
  score.set_rubric(r.name());
  score.set_rubric_version(r.version());
  const absl::Time now = absl::Now();
  if (result.ok() && now > deadline) {
    result = absl::DeadlineExceededError(Cat("timeout after ", r.timeout_ms(), " ms"));
  }
  auto keep_spend = [&](ScoreResult& res) {
    score.set_raw_output(std::move(res.raw_output));
    score.set_input_tokens(res.input_tokens);
    score.set_output_tokens(res.output_tokens);
    score.set_cost_usd(res.cost_usd);
  };
  if (result.ok() && !result->error.empty()) {
    score.set_state(v1::SCORE_STATE_ERROR);
    score.set_error(std::move(result->error));
    keep_spend(*result);
  } else if (result.ok()) {
    const double value = std::clamp(result->value, 0.0, 1.0);
    score.set_state(v1::SCORE_STATE_SCORED);
    score.set_value(value);
    score.set_passed(value >= r.threshold());
    score.set_reasoning(std::move(result->reasoning));
    keep_spend(*result);
  } else if (result.status().code() == absl::StatusCode::kUnavailable ||
             result.status().code() == absl::StatusCode::kResourceExhausted) {
    score.set_state(v1::SCORE_STATE_SKIPPED);
    score.set_error(std::string(result.status().message()));
  } else {
    score.set_state(v1::SCORE_STATE_ERROR);
    score.set_error(std::string(result.status().message()));
  }
  score.set_duration_ms(absl::ToDoubleMilliseconds(now - started));
  score.set_scored_unix_nano(absl::ToUnixNanos(now));
  return score;
}

std::string AccountScore(const v1::Score& score, ScoreWrite* write) {
  switch (score.state()) {
    case v1::SCORE_STATE_SCORED:
      write->rollup_values.emplace_back(RubricSeries(score.rubric()), score.value());
      return "";
    case v1::SCORE_STATE_SKIPPED: {
      // The reason before any detail, e.g. "spend_cap: ..." -> "spend_cap".
      std::string reason = score.error().substr(0, score.error().find(':'));
      write->rollup_values.emplace_back(SkipSeries(score.rubric(), reason), 1);
      return reason;
    }
    default:
      write->rollup_values.emplace_back(SkipSeries(score.rubric(), "error"), 1);
      return "error";
  }
}

}  // namespace llmtap::collector
