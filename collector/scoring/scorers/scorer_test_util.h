// Test helpers: build rubrics from textproto and run one scorer on one sample.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_SCORER_TEST_UTIL_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_SCORER_TEST_UTIL_H_

#include <memory>
#include <string>

#include "collector/scoring/scorer.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace llmtap::collector::testing {

inline v1::Rubric RubricFromText(const std::string& text) {
  v1::Rubric rubric;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &rubric)) << text;
  if (rubric.name().empty()) rubric.set_name("r");
  return rubric;
}

inline v1::Sample Response(const std::string& response) {
  v1::Sample sample;
  sample.set_response(response);
  return sample;
}

// Creates a scorer with `create` and scores `sample`; fails the test on any error.
template <typename Create>
ScoreResult MustScore(Create create, const v1::Rubric& rubric, const v1::Sample& sample,
                      const ScoreContext& context = {}) {
  ScorerEnv env;
  absl::StatusOr<std::unique_ptr<Scorer>> scorer = create(rubric, env);
  EXPECT_TRUE(scorer.ok()) << scorer.status();
  if (!scorer.ok()) return {};
  absl::StatusOr<ScoreResult> result = (*scorer)->Score(sample, context);
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return {};
  EXPECT_GE(result->value, 0);
  EXPECT_LE(result->value, 1);
  return *result;
}

}  // namespace llmtap::collector::testing

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_SCORER_TEST_UTIL_H_
