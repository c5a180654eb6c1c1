#include "collector/scoring/scorer.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

TEST(BuiltinScorers, EveryKindButTheJudgeHasAFactory) {
  RegisterBuiltinScorers();
  RegisterBuiltinScorers();  // Idempotent.
  v1::CollectorConfig config;
  ScorerEnv env{&config};
  for (int k = v1::RubricKind_MIN; k <= v1::RubricKind_MAX; ++k) {
    if (!v1::RubricKind_IsValid(k)) continue;
    const auto kind = static_cast<v1::RubricKind>(k);
    v1::Rubric rubric;
    rubric.set_name("r");
    rubric.set_kind(kind);
    absl::StatusOr<std::unique_ptr<Scorer>> scorer = CreateScorer(rubric, env);
    if (kind == v1::RUBRIC_KIND_UNSPECIFIED || kind == v1::RUBRIC_KIND_LLM_JUDGE) {
      ASSERT_FALSE(scorer.ok());
      EXPECT_NE(scorer.status().message().find("unknown kind"), std::string::npos)
          << scorer.status();
      continue;
    }
    // Empty params: either a scorer or a validation error, never "unknown kind".
    if (!scorer.ok()) {
      EXPECT_EQ(scorer.status().code(), absl::StatusCode::kInvalidArgument)
          << v1::RubricKind_Name(kind);
      EXPECT_EQ(scorer.status().message().find("unknown kind"), std::string::npos)
          << v1::RubricKind_Name(kind) << ": " << scorer.status();
      EXPECT_EQ(scorer.status().message().rfind("rubric 'r': ", 0), 0u) << scorer.status();
    }
  }
}

TEST(BuiltinScorers, ParamsOfAnotherKindAreRejectedNamingTheField) {
  RegisterBuiltinScorers();
  v1::Rubric rubric;
  rubric.set_name("r");
  rubric.set_kind(v1::RUBRIC_KIND_REGEX);
  rubric.mutable_json()->set_extract(true);
  absl::StatusOr<std::unique_ptr<Scorer>> scorer = CreateScorer(rubric, ScorerEnv{});
  ASSERT_FALSE(scorer.ok());
  EXPECT_EQ(scorer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(scorer.status().message().find("regex"), std::string::npos) << scorer.status();
  EXPECT_NE(scorer.status().message().find("'json'"), std::string::npos) << scorer.status();
}

}  // namespace
}  // namespace llmtap::collector
