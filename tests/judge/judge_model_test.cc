// The LLM judge against a real small model served offline: SmolLM2-135M-Instruct behind
// llama.cpp's OpenAI-compatible server (tests/judge/serve_model.py; install it with
// scripts/setup_model.sh). A real llmtapd judges 20 samples with the shipped "relevance"
// rubric and an identical copy of it; every answer must parse, and both rubrics must give
// each sample the same score (temperature 0, fixed seed). Prints the judge's throughput.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "collector_client.h"
#include "collector_process.h"
#include "llmtap/v1/config.pb.h"

namespace llmtap {
namespace {

using testing::CollectorClient;
using testing::CollectorProcess;
using namespace std::chrono_literals;

constexpr char kApp[] = "model-test";
constexpr int kSamples = 20;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// tests/judge/serve_model.py as a child process, stopped (SIGTERM, then SIGKILL) on
// destruction; it also exits by itself when this process dies.
class ModelServer {
 public:
  ModelServer() {
    char tmpl[] = "/tmp/llmtap-model-XXXXXX";
    dir_ = mkdtemp(tmpl);
    const std::string ready = dir_ + "/ready";
    const std::string log = dir_ + "/server.log";
    const std::string script = std::string(LLMTAP_SOURCE_DIR) + "/tests/judge/serve_model.py";
    std::fflush(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      freopen(log.c_str(), "w", stdout);
      freopen(log.c_str(), "a", stderr);
      execlp("python3", "python3", script.c_str(), "--ready-file", ready.c_str(), nullptr);
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
    error_ = "model server did not start:\n" + ReadFile(log);
  }

  ~ModelServer() {
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

// (prompt, response) pairs: good, partial and off-topic answers.
const std::pair<const char*, const char*> kPairs[] = {
    {"What is the capital of France?", "Paris is the capital of France."},
    {"How many legs does a spider have?", "I like turtles."},
    {"Translate 'hello' to Spanish.", "Hola."},
    {"What is 12 times 12?", "144."},
    {"Name a primary colour.", "Blue is a primary colour."},
    {"Who wrote Romeo and Juliet?", "The weather is nice today."},
    {"What does a thermometer measure?", "Temperature."},
    {"Give me a synonym for 'happy'.", "Joyful."},
    {"What is the boiling point of water at sea level in Celsius?", "100 degrees Celsius."},
    {"Which planet is known as the Red Planet?", "Jupiter is the largest planet."},
};

// The config: one endpoint on the model server, the shipped "relevance" rubric and an
// identical copy named "relevance_again".
std::string Config(const std::string& base_url) {
  v1::CollectorConfig defaults;
  const std::string path =
      std::string(LLMTAP_SOURCE_DIR) + "/collector/judge/default_rubrics.textproto";
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(ReadFile(path), &defaults)) << path;
  v1::CollectorConfig config;
  v1::JudgeEndpoint* judge = config.add_judges();
  judge->set_name("smollm2");
  judge->set_base_url(base_url);
  judge->set_model("smollm2");
  judge->set_max_concurrency(1);
  judge->set_timeout_ms(120000);
  for (const v1::Rubric& r : defaults.rubrics()) {
    if (r.name() != "relevance") continue;
    for (const char* name : {"relevance", "relevance_again"}) {
      v1::Rubric* copy = config.add_rubrics();
      *copy = r;
      copy->set_name(name);
      copy->mutable_judge()->set_max_tokens(48);
      copy->set_timeout_ms(600000);  // Covers waiting for the one slot behind other calls.
    }
  }
  std::string text;
  google::protobuf::TextFormat::PrintToString(config, &text);
  return text;
}

TEST(JudgeRealModel, EveryAnswerParsesAndTheSameSampleScoresTheSameTwice) {
  ModelServer model;
  ASSERT_FALSE(model.base_url().empty()) << model.error();
  CollectorProcess collector(Config(model.base_url()));
  ASSERT_TRUE(collector.Start()) << collector.log();
  CollectorClient client(collector.grpc_address());

  std::vector<v1::Sample> samples;
  for (int i = 0; i < kSamples; ++i) {
    v1::Sample s;
    s.set_id(CollectorClient::Id(i));
    s.set_app(kApp);
    s.set_model("m1");
    s.set_start_time_unix_nano(1'700'000'000'000'000'000LL + i);
    // Each pair twice, the copy with a distinct prompt so both are judged afresh.
    const auto& [prompt, response] = kPairs[i % std::size(kPairs)];
    s.set_prompt(i < static_cast<int>(std::size(kPairs)) ? std::string(prompt)
                                                         : std::string(prompt) + " Be brief.");
    s.set_response(response);
    samples.push_back(s);
  }
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Ingest(samples));
  auto counts = client.WaitAccounted(kApp, {"relevance", "relevance_again"}, kSamples, 840s);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  int parsed = 0, same = 0;
  int64_t output_tokens = 0;
  for (int i = 0; i < kSamples; ++i) {
    auto scores = client.Scores(CollectorClient::Id(i));
    const v1::Score& a = scores["relevance"];
    const v1::Score& b = scores["relevance_again"];
    for (const v1::Score* s : {&a, &b}) {
      EXPECT_EQ(s->state(), v1::SCORE_STATE_SCORED)
          << "sample " << i << " " << s->rubric() << ": " << s->error()
          << "\nraw: " << s->raw_output();
      if (s->state() == v1::SCORE_STATE_SCORED) ++parsed;
      EXPECT_GE(s->value(), 0);
      EXPECT_LE(s->value(), 1);
      EXPECT_GT(s->input_tokens(), 0);
      output_tokens += s->output_tokens();
    }
    EXPECT_EQ(a.value(), b.value())
        << "sample " << i << "\n" << a.raw_output() << "\n" << b.raw_output();
    if (a.state() == v1::SCORE_STATE_SCORED && a.value() == b.value()) ++same;
  }
  const int calls = 2 * kSamples;
  std::printf("judge parse rate: %d/%d; same score twice: %d/%d\n", parsed, calls, same, kSamples);
  std::printf("judge throughput: %.2f verdicts/s (%d judge calls for %d samples in %.1f s, "
              "%.1f output tokens per call, one call at a time)\n",
              calls / seconds, calls, kSamples, seconds,
              static_cast<double>(output_tokens) / calls);
  EXPECT_EQ(parsed, calls);
  EXPECT_EQ(same, kSamples);
}

}  // namespace
}  // namespace llmtap
