// The semantic scorers against scripted endpoints: exact arithmetic, raw output, skips.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "collector/scoring/scorers/embedding_similarity_scorer.h"
#include "collector/scoring/scorers/faithfulness_claims_scorer.h"
#include "collector/scoring/scorers/pairwise_scorer.h"
#include "absl/strings/match.h"
#include "fake_openai_server.h"
#include "nlohmann/json.hpp"

namespace llmtap::collector {
namespace {

using nlohmann::json;
using testing::FakeOpenAiServer;
using testing::Reply;

absl::Time Soon() { return absl::Now() + absl::Seconds(20); }

ScoreContext Context() {
  ScoreContext c;
  c.deadline = Soon();
  return c;
}

class MemoryCache : public EmbeddingCache {
 public:
  std::optional<std::vector<float>> Get(std::string_view model,
                                        std::string_view text) const override {
    std::lock_guard lock(mu_);
    auto it = map_.find(std::string(model) + '\0' + std::string(text));
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  void Put(std::string_view model, std::string_view text,
           const std::vector<float>& v) override {
    std::lock_guard lock(mu_);
    map_[std::string(model) + '\0' + std::string(text)] = v;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return map_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<float>> map_;
};

// Vectors by text; counts texts embedded.
struct TableEmbedder {
  std::map<std::string, std::vector<float>> table;
  std::atomic<int> texts{0};
  Embedder Get() {
    Embedder e;
    e.model = "table";
    e.embed = [this](std::vector<std::string> in, absl::Time, EmbeddingClient::Done done) {
      EmbeddingReply r;
      for (const auto& t : in) {
        ++texts;
        r.vectors.push_back(table.at(t));
      }
      r.input_tokens = static_cast<int64_t>(in.size()) * 10;
      done(std::move(r));
    };
    return e;
  }
};

TEST(EmbeddingSimilarity, CosineAndTheCalibratedMapping) {
  EXPECT_NEAR(EmbeddingSimilarityScorer::Cosine({1, 0}, {1, 1}), std::sqrt(0.5), 1e-9);
  EXPECT_DOUBLE_EQ(EmbeddingSimilarityScorer::Cosine({0, 0}, {1, 1}), 0);
  EXPECT_DOUBLE_EQ(EmbeddingSimilarityScorer::Cosine({1, 0}, {1, 0, 0}), 0);
  EXPECT_DOUBLE_EQ(EmbeddingSimilarityScorer::Map(0.875, 0.80, 0.95), 0.5);
  EXPECT_DOUBLE_EQ(EmbeddingSimilarityScorer::Map(0.5, 0.80, 0.95), 0);
  EXPECT_DOUBLE_EQ(EmbeddingSimilarityScorer::Map(0.99, 0.80, 0.95), 1);
}

TEST(EmbeddingSimilarity, ScoresAgainstTheReferenceAndCachesItsVector) {
  TableEmbedder t;
  t.table = {{"resp", {1, 0}}, {"ref", {0.9f, std::sqrt(1 - 0.81f)}}, {"resp2", {0, 1}}};
  MemoryCache cache;
  v1::EmbeddingParams p;
  p.set_cosine_floor(0.5);
  p.set_cosine_ceiling(1.0);
  EmbeddingSimilarityScorer scorer(t.Get(), &cache, p);
  v1::Sample s;
  s.set_response("resp");
  s.set_reference("ref");
  auto r = scorer.Score(s, Context());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->value, (0.9 - 0.5) / 0.5, 1e-6);
  EXPECT_EQ(t.texts, 2);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(json::parse(r->raw_output)["cached"], 0);
  // Same reference again: only the response is embedded.
  s.set_response("resp2");
  r = scorer.Score(s, Context());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(t.texts, 3);
  EXPECT_EQ(json::parse(r->raw_output)["cached"], 1);
  EXPECT_NEAR(json::parse(r->raw_output)["cosine"].get<double>(), std::sqrt(0.19), 1e-6);
}

TEST(EmbeddingSimilarity, AgainstContextsTakesTheBestMatch) {
  TableEmbedder t;
  t.table = {{"resp", {1, 0}}, {"c1", {0, 1}}, {"c2", {1, 0}}};
  v1::EmbeddingParams p;
  p.set_against(v1::EmbeddingParams::TARGET_CONTEXTS);
  EmbeddingSimilarityScorer scorer(t.Get(), nullptr, p);
  v1::Sample s;
  s.set_response("resp");
  s.add_contexts("c1");
  s.add_contexts("c2");
  auto r = scorer.Score(s, Context());
  ASSERT_TRUE(r.ok());
  EXPECT_DOUBLE_EQ(r->value, 1);
  EXPECT_NE(r->reasoning.find("context 2 of 2"), std::string::npos) << r->reasoning;
}

TEST(EmbeddingSimilarity, NoTargetIsAnErrorAndAnEmptyResponseScoresZero) {
  TableEmbedder t;
  EmbeddingSimilarityScorer scorer(t.Get(), nullptr, v1::EmbeddingParams());
  v1::Sample s;
  s.set_response("resp");
  EXPECT_EQ(scorer.Score(s, Context()).status().code(), absl::StatusCode::kFailedPrecondition);
  s.set_response("  ");
  s.set_reference("ref");
  auto r = scorer.Score(s, Context());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value, 0);
  EXPECT_EQ(t.texts, 0);
}

TEST(EmbeddingSimilarity, BadParamsFailTheRubric) {
  v1::Rubric rubric;
  rubric.set_name("sim");
  rubric.set_kind(v1::RUBRIC_KIND_EMBEDDING_SIMILARITY);
  v1::CollectorConfig config;
  ScorerEnv env{&config};
  EXPECT_EQ(EmbeddingSimilarityScorer::Create(rubric, env).status().code(),
            absl::StatusCode::kInvalidArgument);
  rubric.mutable_embedding()->set_cosine_floor(0.9);
  rubric.mutable_embedding()->set_cosine_ceiling(0.8);
  auto bad = EmbeddingSimilarityScorer::Create(rubric, env);
  EXPECT_NE(bad.status().message().find("cosine_floor"), absl::string_view::npos);
  rubric.mutable_embedding()->clear_cosine_floor();
  rubric.mutable_embedding()->clear_cosine_ceiling();
  auto none = EmbeddingSimilarityScorer::Create(rubric, env);
  EXPECT_NE(none.status().message().find("embedding.endpoint"), absl::string_view::npos)
      << none.status();
}

v1::CollectorConfig JudgeConfig(const FakeOpenAiServer& server) {
  v1::CollectorConfig config;
  v1::JudgeEndpoint* j = config.add_judges();
  j->set_name("fake");
  j->set_base_url(server.base_url());
  j->set_model("m");
  return config;
}

bool IsExtract(const std::string& body) { return body.find("break an answer") != std::string::npos; }

TEST(FaithfulnessClaims, SupportedOverClaimsWithClaimsAndVerdictsInTheRawOutput) {
  FakeOpenAiServer server;
  server.SetResponder([](const std::string& body) {
    if (IsExtract(body)) {
      return Reply::Chat(R"({"claims": ["Paris is in France.", "Paris has 90 million people.",)"
                         R"( "The Seine flows through Paris."]})", 50, 30);
    }
    return Reply::Chat(R"({"verdicts": ["yes", "no", "yes"]})", 80, 10);
  });
  v1::CollectorConfig config = JudgeConfig(server);
  v1::Rubric rubric;
  rubric.set_name("faith");
  rubric.set_kind(v1::RUBRIC_KIND_FAITHFULNESS_CLAIMS);
  auto scorer = FaithfulnessClaimsScorer::Create(rubric, ScorerEnv{&config});
  ASSERT_TRUE(scorer.ok()) << scorer.status();
  v1::Sample s;
  s.set_prompt("Tell me about Paris.");
  s.set_response("Paris, in France, has 90 million people and the Seine.");
  s.add_contexts("Paris is the capital of France. The Seine flows through it.");
  auto r = (*scorer)->Score(s, Context());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->error.empty()) << r->error;
  EXPECT_DOUBLE_EQ(r->value, 2.0 / 3.0);
  EXPECT_EQ(r->input_tokens, 130);
  EXPECT_EQ(r->output_tokens, 40);
  json raw = json::parse(r->raw_output);
  ASSERT_EQ(raw["claims"].size(), 3u);
  EXPECT_EQ(raw["claims"][1]["claim"], "Paris has 90 million people.");
  EXPECT_EQ(raw["claims"][1]["verdict"], "no");
  EXPECT_EQ(raw["answers"].size(), 2u);
  // The verify call pins the verdict count in its schema and numbers the claims.
  const std::vector<std::string> bodies = server.requests();
  ASSERT_EQ(bodies.size(), 2u);
  json verify = json::parse(bodies[1]);
  json schema = verify["response_format"]["json_schema"]["schema"];
  EXPECT_EQ(schema["properties"]["verdicts"]["minItems"], 3);
  EXPECT_EQ(schema["properties"]["verdicts"]["maxItems"], 3);
  EXPECT_NE(verify["messages"][1]["content"].get<std::string>().find("2. Paris has 90"),
            std::string::npos);
}

TEST(FaithfulnessClaims, NoClaimsScoresOneAndABlankResponseCallsNothing) {
  FakeOpenAiServer server;
  server.Script({Reply::Chat(R"({"claims": []})")});
  v1::CollectorConfig config = JudgeConfig(server);
  v1::Rubric rubric;
  rubric.set_name("faith");
  rubric.set_kind(v1::RUBRIC_KIND_FAITHFULNESS_CLAIMS);
  auto scorer = FaithfulnessClaimsScorer::Create(rubric, ScorerEnv{&config});
  v1::Sample s;
  s.set_response("Hello! How can I help?");
  s.add_contexts("ctx");
  auto r = (*scorer)->Score(s, Context());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value, 1);
  EXPECT_EQ(server.requests().size(), 1u);
  s.set_response(" ");
  r = (*scorer)->Score(s, Context());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value, 1);
  EXPECT_EQ(server.requests().size(), 1u);
  s.clear_contexts();
  EXPECT_EQ((*scorer)->Score(s, Context()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(FaithfulnessClaims, AVerdictCountThatDoesNotMatchIsAnErrorThatKeepsTheAnswers) {
  FakeOpenAiServer server;
  server.Script({Reply::Chat(R"({"claims": ["a", "b"]})"),
                 Reply::Chat(R"({"verdicts": ["yes"]})")});
  v1::CollectorConfig config = JudgeConfig(server);
  v1::Rubric rubric;
  rubric.set_name("faith");
  rubric.set_kind(v1::RUBRIC_KIND_FAITHFULNESS_CLAIMS);
  auto scorer = FaithfulnessClaimsScorer::Create(rubric, ScorerEnv{&config});
  v1::Sample s;
  s.set_response("a and b");
  s.add_contexts("ctx");
  auto r = (*scorer)->Score(s, Context());
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->error.find("unparseable verdicts"), std::string::npos) << r->error;
  EXPECT_EQ(json::parse(r->raw_output)["answers"].size(), 2u);
}

TEST(FaithfulnessClaims, SkipsPassThrough) {
  FakeOpenAiServer server;
  v1::CollectorConfig config = JudgeConfig(server);
  config.mutable_judges(0)->set_circuit_failures(1);
  config.mutable_judges(0)->set_max_attempts(1);
  server.Script({Reply::Status(400)});
  v1::Rubric rubric;
  rubric.set_name("faith2");
  rubric.set_kind(v1::RUBRIC_KIND_FAITHFULNESS_CLAIMS);
  auto scorer = FaithfulnessClaimsScorer::Create(rubric, ScorerEnv{&config});
  v1::Sample s;
  s.set_response("x");
  s.add_contexts("ctx");
  EXPECT_EQ((*scorer)->Score(s, Context()).status().code(), absl::StatusCode::kInternal);
  auto skipped = (*scorer)->Score(s, Context());
  EXPECT_EQ(skipped.status().code(), absl::StatusCode::kUnavailable) << skipped.status();
}

class OnePair : public PairFinder {
 public:
  std::optional<v1::Sample> partner;
  absl::StatusOr<std::optional<v1::Sample>> FindPartner(const v1::Sample&,
                                                        std::string_view variant,
                                                        absl::Duration) const override {
    if (partner && partner->variant() == variant) return partner;
    return std::optional<v1::Sample>();
  }
};

TEST(Pairwise, BothOrdersCombine) {
  EXPECT_EQ(PairwiseScorer::Combine("B", "A"), 1);    // Candidate both times.
  EXPECT_EQ(PairwiseScorer::Combine("A", "B"), 0);    // Baseline both times.
  EXPECT_EQ(PairwiseScorer::Combine("A", "A"), 0.5);  // Position bias: first answer wins.
  EXPECT_EQ(PairwiseScorer::Combine("B", "B"), 0.5);
  EXPECT_EQ(PairwiseScorer::Combine("tie", "A"), 0.5);
  EXPECT_EQ(PairwiseScorer::Combine("tie", "tie"), 0.5);
}

TEST(Pairwise, AsksInBothOrdersAndScoresTheCandidate) {
  FakeOpenAiServer server;
  // The judge always prefers the answer that says "Paris", wherever it stands.
  server.SetResponder([](const std::string& body) {
    json req = json::parse(body);
    const std::string user = req["messages"][1]["content"];
    const size_t a = user.find("Answer A:");
    const size_t b = user.find("Answer B:");
    const size_t paris = user.find("Paris", a);
    return Reply::Chat(paris != std::string::npos && paris < b ? R"({"winner": "A"})"
                                                               : R"({"winner": "B"})");
  });
  v1::CollectorConfig config = JudgeConfig(server);
  OnePair pairs;
  v1::Rubric rubric;
  rubric.set_name("ab");
  rubric.set_kind(v1::RUBRIC_KIND_PAIRWISE);
  auto scorer = PairwiseScorer::Create(rubric, ScorerEnv{&config, nullptr, &pairs});
  ASSERT_TRUE(scorer.ok()) << scorer.status();

  v1::Sample cand;
  cand.set_id("c");
  cand.set_variant("shadow");
  cand.set_pair_id("p1");
  cand.set_prompt("Capital of France?");
  cand.set_response("Paris.");
  v1::Sample base = cand;
  base.set_id("b");
  base.set_variant("production");
  base.set_response("Lyon.");
  EXPECT_TRUE((*scorer)->AppliesTo(cand));
  EXPECT_FALSE((*scorer)->AppliesTo(base));

  // No baseline stored: a recorded skip.
  auto missing = (*scorer)->Score(cand, Context());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StartsWith(missing.status().message(), "pair_missing")) << missing.status();

  pairs.partner = base;
  auto r = (*scorer)->Score(cand, Context());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->value, 1);
  json raw = json::parse(r->raw_output);
  EXPECT_EQ(raw["baseline_id"], "b");
  EXPECT_EQ(raw["orders"][0]["winner"], "B");
  EXPECT_EQ(raw["orders"][1]["winner"], "A");
  // The two requests put the answers in both orders.
  const auto bodies = server.requests();
  ASSERT_EQ(bodies.size(), 2u);
  const std::string first = json::parse(bodies[0])["messages"][1]["content"];
  const std::string second = json::parse(bodies[1])["messages"][1]["content"];
  EXPECT_LT(first.find("Lyon"), first.find("Paris"));
  EXPECT_LT(second.find("Paris"), second.find("Lyon"));

  // Swap the answers: the baseline now wins both ways.
  pairs.partner->set_response("Paris!");
  cand.set_response("Lyon!");
  r = (*scorer)->Score(cand, Context());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value, 0);
}

TEST(Pairwise, AJudgeThatAlwaysPicksTheFirstAnswerTies) {
  FakeOpenAiServer server;
  server.SetResponder([](const std::string&) { return Reply::Chat(R"({"winner": "A"})"); });
  v1::CollectorConfig config = JudgeConfig(server);
  OnePair pairs;
  v1::Sample base;
  base.set_variant("production");
  base.set_response("x");
  pairs.partner = base;
  v1::Rubric rubric;
  rubric.set_name("ab");
  rubric.set_kind(v1::RUBRIC_KIND_PAIRWISE);
  auto scorer = PairwiseScorer::Create(rubric, ScorerEnv{&config, nullptr, &pairs});
  v1::Sample cand;
  cand.set_variant("shadow");
  cand.set_pair_id("p");
  cand.set_response("y");
  auto r = (*scorer)->Score(cand, Context());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->value, 0.5);
}

TEST(Pairwise, EqualVariantsFailTheRubric) {
  v1::CollectorConfig config;
  OnePair pairs;
  v1::Rubric rubric;
  rubric.set_name("ab");
  rubric.set_kind(v1::RUBRIC_KIND_PAIRWISE);
  rubric.mutable_pairwise()->set_baseline_variant("shadow");
  auto bad = PairwiseScorer::Create(rubric, ScorerEnv{&config, nullptr, &pairs});
  EXPECT_NE(bad.status().message().find("candidate_variant"), absl::string_view::npos);
}

}  // namespace
}  // namespace llmtap::collector
