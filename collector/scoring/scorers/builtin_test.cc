#include <atomic>
#include <thread>
#include <vector>

#include "collector/scoring/scorer.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

TEST(BuiltinScorers, EveryKindButTheModelCallingOnesHasAFactory) {
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
    // Kinds that call a model register elsewhere: RegisterJudgeScorer, RegisterSemanticScorers.
    if (kind == v1::RUBRIC_KIND_UNSPECIFIED || kind == v1::RUBRIC_KIND_LLM_JUDGE ||
        kind == v1::RUBRIC_KIND_EMBEDDING_SIMILARITY ||
        kind == v1::RUBRIC_KIND_FAITHFULNESS_CLAIMS || kind == v1::RUBRIC_KIND_PAIRWISE) {
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

TEST(BuiltinScorers, ScoreIsDeterministicAndSafeFromManyThreads) {
  RegisterBuiltinScorers();
  std::vector<std::unique_ptr<Scorer>> scorers;
  for (const char* text :
       {"kind: RUBRIC_KIND_ROUGE_L", "kind: RUBRIC_KIND_BLEU", "kind: RUBRIC_KIND_TOKEN_F1",
        "kind: RUBRIC_KIND_GROUNDEDNESS text { ngram: 2 }", "kind: RUBRIC_KIND_ANSWER_RELEVANCE",
        "kind: RUBRIC_KIND_REGEX regex { must: '(?i)paris' must_not: 'sorry' }",
        "kind: RUBRIC_KIND_JSON json { extract: true }", "kind: RUBRIC_KIND_REFUSAL",
        "kind: RUBRIC_KIND_PII_LEAK", "kind: RUBRIC_KIND_TOXICITY"}) {
    v1::Rubric rubric;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &rubric));
    rubric.set_name("r");
    absl::StatusOr<std::unique_ptr<Scorer>> scorer = CreateScorer(rubric, ScorerEnv{});
    ASSERT_TRUE(scorer.ok()) << scorer.status();
    scorers.push_back(*std::move(scorer));
  }
  v1::Sample sample;
  sample.set_prompt("What is the capital of France?");
  sample.set_response("Paris is the capital of France. {\"city\": \"Paris\"} mail me@x.org");
  sample.set_reference("The capital of France is Paris.");
  sample.add_contexts("Paris is the capital and largest city of France.");
  std::vector<double> expected;
  for (const auto& scorer : scorers) expected.push_back((*scorer->Score(sample, {})).value);
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 50; ++round) {
        for (size_t i = 0; i < scorers.size(); ++i) {
          absl::StatusOr<ScoreResult> r = scorers[i]->Score(sample, {});
          if (!r.ok() || r->value != expected[i]) ++mismatches;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace llmtap::collector
