// The scoring engine end to end: rubrics from the config and the RPCs, versioned scores,
// deterministic shared sampling, full scoring of a new model's first samples, the overload
// backstop, shedding, fairness across apps, and exactly-once results across a SIGKILL in
// mid-scoring, judge calls in flight included.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "collector_process.h"
#include "fake_openai_server.h"
#include "llmtap/v1/ingest.grpc.pb.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap {
namespace {

using testing::CollectorProcess;
using namespace std::chrono_literals;

// An hour ago, well inside the default retention, which compactions apply during the test.
const int64_t kStart =
    std::chrono::duration_cast<std::chrono::nanoseconds>(
        (std::chrono::system_clock::now() - std::chrono::hours(1)).time_since_epoch())
        .count();

std::string Id(int i) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "0192a0b0c0d0e0f0%016x", i);
  return buf;
}

// Sample i: prompt "question i", response "the answer is world" on even i, "nothing" on odd.
v1::Sample MakeSample(int i, const std::string& app = "scoring",
                      const std::string& model = "m1") {
  v1::Sample s;
  s.set_id(Id(i));
  s.set_app(app);
  s.set_model(model);
  s.set_start_time_unix_nano(kStart + int64_t{i} * 1'000'000);
  s.set_prompt("question " + std::to_string(i));
  s.set_response(i % 2 == 0 ? "the answer is world" : "nothing");
  return s;
}

class Scoring : public ::testing::Test {
 protected:
  void Connect(const CollectorProcess& collector) {
    channel_ = grpc::CreateChannel(collector.grpc_address(), grpc::InsecureChannelCredentials());
    ingest_ = v1::IngestService::NewStub(channel_);
    query_ = v1::QueryService::NewStub(channel_);
  }

  // Ingests samples [from, to) in batches of `batch`.
  void Ingest(int from, int to, const std::string& app = "scoring",
              const std::string& model = "m1", int batch = 100) {
    for (int i = from; i < to;) {
      v1::IngestRequest request;
      for (int k = 0; k < batch && i < to; ++k, ++i) {
        *request.add_samples() = MakeSample(i, app, model);
      }
      grpc::ClientContext context;
      v1::IngestResponse response;
      grpc::Status status = ingest_->Ingest(&context, request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
  }

  v1::CompletenessResponse Completeness(const std::string& app = "scoring") {
    v1::CompletenessRequest request;
    request.mutable_filter()->set_app(app);
    v1::CompletenessResponse response;
    grpc::ClientContext context;
    grpc::Status status = query_->Completeness(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Per rubric, how many samples it has accounted for (scored, sampled out, skipped, errors).
  static std::map<std::string, uint64_t> Accounted(const v1::CompletenessResponse& c) {
    std::map<std::string, uint64_t> out;
    for (const auto& r : c.rubrics()) {
      uint64_t n = r.scored() + r.sampled_out() + r.errors();
      for (const auto& [reason, count] : r.skipped()) n += count;
      out[r.rubric()] = n;
    }
    return out;
  }

  // Waits until every rubric in `rubrics` has accounted for `n` samples of `app`.
  v1::CompletenessResponse WaitAccounted(const std::vector<std::string>& rubrics, uint64_t n,
                                         const std::string& app = "scoring") {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    v1::CompletenessResponse c;
    while (std::chrono::steady_clock::now() < deadline) {
      c = Completeness(app);
      auto accounted = Accounted(c);
      bool done = true;
      for (const auto& r : rubrics) done = done && accounted[r] >= n;
      if (done) return c;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "scoring did not finish: " << c.ShortDebugString();
    return c;
  }

  const v1::RubricSkips* Find(const v1::CompletenessResponse& c, const std::string& rubric) {
    for (const auto& r : c.rubrics()) {
      if (r.rubric() == rubric) return &r;
    }
    return nullptr;
  }

  // Scores of sample i by rubric name.
  std::map<std::string, v1::Score> Scores(int i) {
    v1::GetSampleRequest request;
    request.set_id(Id(i));
    v1::GetSampleResponse response;
    grpc::ClientContext context;
    grpc::Status status = query_->GetSample(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::map<std::string, v1::Score> out;
    for (const auto& s : response.scores()) out[s.rubric()] = s;
    return out;
  }

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::QueryService::Stub> query_;
};

constexpr char kRubrics[] = R"pb(
  rubrics { name: "says_world" kind: RUBRIC_KIND_REGEX regex { must: "\\bworld\\b" } }
  rubrics { name: "short" kind: RUBRIC_KIND_LENGTH length { max_words: 3 } }
  rubrics {
    name: "overall"
    kind: RUBRIC_KIND_COMPOSITE
    composite { rubrics: "says_world" rubrics: "short" }
  }
)pb";

TEST_F(Scoring, ConfigRubricsScoreEverySampleWithTheirVersion) {
  CollectorProcess collector(kRubrics);
  ASSERT_TRUE(collector.Start()) << collector.log();
  Connect(collector);
  Ingest(0, 200);
  v1::CompletenessResponse c = WaitAccounted({"says_world", "short", "overall"}, 200);
  for (const auto& name : {"says_world", "short", "overall"}) {
    const v1::RubricSkips* r = Find(c, name);
    ASSERT_NE(r, nullptr) << name;
    EXPECT_EQ(r->scored(), 200u) << name;
    EXPECT_EQ(r->sampled_out(), 0u) << name;
    EXPECT_EQ(r->errors(), 0u) << name;
  }
  EXPECT_EQ(c.stored(), 200u);

  for (int i : {0, 1, 2, 199}) {
    auto scores = Scores(i);
    ASSERT_EQ(scores.size(), 3u) << i;
    const bool even = i % 2 == 0;
    EXPECT_EQ(scores["says_world"].value(), even ? 1.0 : 0.0) << i;
    EXPECT_EQ(scores["says_world"].passed(), even) << i;
    // "the answer is world" has 4 words (over the bound of 3); "nothing" has 1.
    EXPECT_EQ(scores["short"].value(), even ? 0.0 : 1.0) << scores["short"].ShortDebugString();
    EXPECT_DOUBLE_EQ(scores["overall"].value(),
                     (scores["says_world"].value() + scores["short"].value()) / 2) << i;
    for (const auto& [name, score] : scores) {
      EXPECT_EQ(score.state(), v1::SCORE_STATE_SCORED) << name;
      EXPECT_EQ(score.rubric_version(), 1u) << name;
      EXPECT_EQ(score.sample_id(), Id(i));
    }
  }
}

TEST_F(Scoring, RubricsAtTheSameRateScoreTheSameSamplesAndTheRestIsCounted) {
  CollectorProcess collector(R"pb(
    rubrics { name: "a" kind: RUBRIC_KIND_LENGTH length { max_words: 3 } sample_rate: 0.3 }
    rubrics { name: "b" kind: RUBRIC_KIND_REGEX regex { must: "world" } sample_rate: 0.3 }
    rubrics { name: "c" kind: RUBRIC_KIND_REFUSAL sample_rate: 0.6 }
  )pb");
  ASSERT_TRUE(collector.Start()) << collector.log();
  Connect(collector);
  constexpr int kN = 1000;
  Ingest(0, kN);
  v1::CompletenessResponse c = WaitAccounted({"a", "b", "c"}, kN);
  const v1::RubricSkips* a = Find(c, "a");
  const v1::RubricSkips* cc = Find(c, "c");
  ASSERT_TRUE(a && cc);
  EXPECT_EQ(a->scored() + a->sampled_out(), uint64_t{kN});
  EXPECT_NEAR(a->scored(), 0.3 * kN, 60);
  EXPECT_NEAR(cc->scored(), 0.6 * kN, 60);

  int both = 0, only_one = 0, c_missing = 0;
  for (int i = 0; i < kN; i += 5) {
    auto scores = Scores(i);
    const bool has_a = scores.count("a"), has_b = scores.count("b"), has_c = scores.count("c");
    if (has_a && has_b) ++both;
    if (has_a != has_b) ++only_one;
    if (has_a && !has_c) ++c_missing;  // 60% must be a superset of 30%.
  }
  EXPECT_GT(both, 0);
  EXPECT_EQ(only_one, 0);
  EXPECT_EQ(c_missing, 0);
}

TEST_F(Scoring, ANewModelIsScoredInFullForItsFirstSamples) {
  CollectorProcess collector(R"pb(
    rubrics {
      name: "rare"
      kind: RUBRIC_KIND_LENGTH
      length { max_words: 3 }
      sample_rate: 0
      full_first_n: 25
    }
  )pb");
  ASSERT_TRUE(collector.Start()) << collector.log();
  Connect(collector);
  Ingest(0, 100, "scoring", "m1");
  Ingest(100, 200, "scoring", "m2");
  v1::CompletenessResponse c = WaitAccounted({"rare"}, 200);
  const v1::RubricSkips* r = Find(c, "rare");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->scored(), 50u);  // 25 for each model.
  EXPECT_EQ(r->sampled_out(), 150u);
}

TEST_F(Scoring, UpsertAndDisableApplyToNewSamplesWithoutRestart) {
  CollectorProcess collector(R"pb(
    rubrics { name: "says_world" kind: RUBRIC_KIND_REGEX regex { must: "world" } }
  )pb");
  ASSERT_TRUE(collector.Start()) << collector.log();
  Connect(collector);
  Ingest(0, 10);
  WaitAccounted({"says_world"}, 10);

  // Now "world" must not appear: version 2, and the verdict flips for new samples only.
  v1::UpsertRubricRequest upsert;
  v1::Rubric* rubric = upsert.mutable_rubric();
  rubric->set_name("says_world");
  rubric->set_kind(v1::RUBRIC_KIND_REGEX);
  rubric->mutable_regex()->add_must_not("world");
  v1::Rubric stored;
  {
    grpc::ClientContext context;
    grpc::Status status = query_->UpsertRubric(&context, upsert, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(stored.version(), 2u);
  Ingest(10, 20);
  WaitAccounted({"says_world"}, 20);
  EXPECT_EQ(Scores(0)["says_world"].rubric_version(), 1u);
  EXPECT_EQ(Scores(0)["says_world"].value(), 1.0);
  EXPECT_EQ(Scores(10)["says_world"].rubric_version(), 2u);
  EXPECT_EQ(Scores(10)["says_world"].value(), 0.0);

  // A bad regex is refused, naming the rubric, and the stored rubric stays as it was.
  rubric->mutable_regex()->set_must_not(0, "(unclosed");
  {
    grpc::ClientContext context;
    v1::Rubric unused;
    grpc::Status status = query_->UpsertRubric(&context, upsert, &unused);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("says_world"), std::string::npos)
        << status.error_message();
  }

  // Disabled: new samples get no score from it; ListRubrics shows it only on request.
  v1::SetRubricEnabledRequest disable;
  disable.set_name("says_world");
  disable.set_enabled(false);
  {
    grpc::ClientContext context;
    grpc::Status status = query_->SetRubricEnabled(&context, disable, &stored);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  EXPECT_EQ(stored.version(), 3u);
  EXPECT_FALSE(stored.enabled());
  Ingest(20, 30);
  std::this_thread::sleep_for(1s);
  EXPECT_TRUE(Scores(25).empty());
  {
    grpc::ClientContext context;
    v1::ListRubricsRequest request;
    v1::ListRubricsResponse response;
    ASSERT_TRUE(query_->ListRubrics(&context, request, &response).ok());
    EXPECT_EQ(response.rubrics_size(), 0);
  }
  {
    grpc::ClientContext context;
    v1::ListRubricsRequest request;
    request.set_include_disabled(true);
    v1::ListRubricsResponse response;
    ASSERT_TRUE(query_->ListRubrics(&context, request, &response).ok());
    ASSERT_EQ(response.rubrics_size(), 1);
    EXPECT_EQ(response.rubrics(0).version(), 3u);
  }

  // Unknown rubric: NOT_FOUND.
  disable.set_name("nope");
  grpc::ClientContext context;
  EXPECT_EQ(query_->SetRubricEnabled(&context, disable, &stored).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // API changes survive a restart: the config's rubric has not changed since it was applied,
  // so it does not overwrite them.
  collector.Stop();
  ASSERT_TRUE(collector.Start()) << collector.log();
  Connect(collector);
  grpc::ClientContext list_context;
  v1::ListRubricsRequest request;
  request.set_include_disabled(true);
  v1::ListRubricsResponse response;
  ASSERT_TRUE(query_->ListRubrics(&list_context, request, &response).ok());
  ASSERT_EQ(response.rubrics_size(), 1);
  EXPECT_EQ(response.rubrics(0).version(), 3u);
  EXPECT_EQ(response.rubrics(0).regex().must_not(0), "world");
}

TEST_F(Scoring, ABadRubricInTheConfigStopsTheDaemonWithAClearMessage) {
  struct Case {
    const char* config;
    const char* expected;
  };
  const Case cases[] = {
      {R"pb(rubrics { name: "r" kind: RUBRIC_KIND_REGEX regex { must: "(unclosed" } })pb",
       "(unclosed"},
      {R"pb(rubrics { name: "r" })pb", "kind"},
      {R"pb(rubrics { name: "r" kind: RUBRIC_KIND_LENGTH sample_rate: 1.5 })pb", "sample_rate"},
      {R"pb(rubrics {
              name: "r"
              kind: RUBRIC_KIND_COMPOSITE
              composite { rubrics: "missing" }
            })pb",
       "missing"},
  };
  for (const Case& c : cases) {
    CollectorProcess collector(c.config);
    EXPECT_FALSE(collector.Start()) << c.config;
    EXPECT_NE(collector.log().find(c.expected), std::string::npos)
        << c.config << "\nlog:\n" << collector.log();
    EXPECT_NE(collector.log().find("rubric 'r'"), std::string::npos) << collector.log();
  }
}

TEST_F(Scoring, OverloadSkipsLowPriorityRubricsAndCountsEachSkip) {
  CollectorProcess collector(R"pb(
    scoring { workers: 1 overload_queue_depth: 50 }
    rubrics { name: "cheap" kind: RUBRIC_KIND_LENGTH length { max_words: 3 } }
    rubrics {
      name: "optional"
      kind: RUBRIC_KIND_REGEX
      regex { must: "world" }
      priority: PRIORITY_LOW
    }
  )pb");
  ASSERT_TRUE(collector.Start()) << collector.log();
  Connect(collector);
  constexpr int kN = 3000;
  Ingest(0, kN);
  v1::CompletenessResponse c = WaitAccounted({"cheap", "optional"}, kN);
  const v1::RubricSkips* cheap = Find(c, "cheap");
  const v1::RubricSkips* optional = Find(c, "optional");
  ASSERT_TRUE(cheap && optional);
  EXPECT_EQ(cheap->scored(), uint64_t{kN});  // Normal priority is never skipped.
  const uint64_t overload = optional->skipped().count("overload")
                                ? optional->skipped().at("overload") : 0;
  EXPECT_GT(overload, 0u) << c.ShortDebugString();
  EXPECT_EQ(optional->scored() + overload, uint64_t{kN});

  // Each skip is stored too, as a SKIPPED score with its reason.
  int skipped_scores = 0;
  for (int i = 0; i < kN; ++i) {
    auto scores = Scores(i);
    if (scores["optional"].state() == v1::SCORE_STATE_SKIPPED) {
      EXPECT_EQ(scores["optional"].error(), "overload");
      ++skipped_scores;
    }
  }
  EXPECT_EQ(static_cast<uint64_t>(skipped_scores), overload);
}

TEST_F(Scoring, AKillInMidScoringRescoresAndCountsEachSampleOnce) {
  CollectorProcess collector(R"pb(
    scoring { workers: 2 }
    rubrics { name: "says_world" kind: RUBRIC_KIND_REGEX regex { must: "world" } }
    rubrics { name: "refusal" kind: RUBRIC_KIND_REFUSAL }
  )pb");
  ASSERT_TRUE(collector.Start()) << collector.log();
  Connect(collector);
  constexpr int kN = 20000;
  int killed_mid_scoring = 0;
  for (int round = 0; round < 3; ++round) {
    Ingest(round * kN / 3, (round + 1) * kN / 3);
    if (Accounted(Completeness())["says_world"] < uint64_t((round + 1) * kN / 3)) {
      ++killed_mid_scoring;
    }
    collector.Kill();
    ASSERT_TRUE(collector.Start()) << collector.log();
    Connect(collector);
  }
  ASSERT_GT(killed_mid_scoring, 0) << "scoring always finished before the kill";
  v1::CompletenessResponse c = WaitAccounted({"says_world", "refusal"}, kN);
  // Accounted for exactly once: not more (a re-scored sample counted twice) and not fewer.
  auto accounted = Accounted(c);
  EXPECT_EQ(accounted["says_world"], uint64_t{kN});
  EXPECT_EQ(accounted["refusal"], uint64_t{kN});
  EXPECT_EQ(Find(c, "says_world")->scored(), uint64_t{kN});
  EXPECT_EQ(c.stored(), uint64_t{kN});
}

TEST_F(Scoring, AKillWithJudgeCallsInFlightJudgesThemAgainAndCountsEachSampleOnce) {
  testing::FakeOpenAiServer server;
  server.SetResponder([](const std::string&) {
    testing::Reply r = testing::Reply::Chat(R"({"score": 4, "reasoning": "ok"})");
    r.delay = std::chrono::milliseconds(200);
    return r;
  });
  CollectorProcess collector(
      "judges { name: \"fake\" base_url: \"" + server.base_url() +
      "\" model: \"m\" max_concurrency: 8 }\n"
      "rubrics { name: \"judge\" kind: RUBRIC_KIND_LLM_JUDGE timeout_ms: 20000\n"
      "  judge { scale: SCALE_1_5 template: \"Q: {prompt}\\nA: {response}\" } }\n"
      "rubrics { name: \"short\" kind: RUBRIC_KIND_LENGTH length { max_words: 3 } }\n");
  ASSERT_TRUE(collector.Start()) << collector.log();
  Connect(collector);
  constexpr int kN = 120;
  Ingest(0, kN);
  // The cheap rubric does not wait for the judge: all its scores are in while verdicts are
  // still coming (8 at a time, 200 ms each: 3 s for all).
  WaitAccounted({"short"}, kN);
  EXPECT_LT(Accounted(Completeness())["judge"], uint64_t{kN});
  // Kill with calls in flight and some verdicts stored.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline &&
         (Accounted(Completeness())["judge"] < 16 || server.in_flight() == 0)) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_GT(server.in_flight(), 0) << "no judge call in flight to kill";
  collector.Kill();
  ASSERT_TRUE(collector.Start()) << collector.log();
  Connect(collector);
  v1::CompletenessResponse c = WaitAccounted({"judge", "short"}, kN);
  auto accounted = Accounted(c);
  EXPECT_EQ(accounted["judge"], uint64_t{kN});
  EXPECT_EQ(accounted["short"], uint64_t{kN});
  EXPECT_EQ(Find(c, "judge")->scored(), uint64_t{kN});
  // The calls cut off by the kill were made again.
  EXPECT_GT(server.requests().size(), size_t{kN});
  for (int i = 0; i < kN; i += 17) {
    EXPECT_EQ(Scores(i)["judge"].state(), v1::SCORE_STATE_SCORED) << i;
  }
  EXPECT_EQ(c.judge_backlog(), 0u);
  EXPECT_EQ(c.scoring_backlog(), 0u);
}

TEST_F(Scoring, AQuietAppIsServedWhileAnotherFloodsTheQueue) {
  CollectorProcess collector(R"pb(
    scoring { workers: 1 }
    rubrics { name: "says_world" kind: RUBRIC_KIND_REGEX regex { must: "world" } }
  )pb");
  ASSERT_TRUE(collector.Start()) << collector.log();
  Connect(collector);
  constexpr int kFlood = 30000;
  Ingest(0, kFlood, "flood");
  Ingest(kFlood, kFlood + 20, "quiet");
  // The quiet app's samples, queued after the whole flood, are scored long before the flood's.
  WaitAccounted({"says_world"}, 20, "quiet");
  const uint64_t flood_done = Accounted(Completeness("flood"))["says_world"];
  EXPECT_LT(flood_done, uint64_t{kFlood} * 3 / 4) << "served in arrival order";
  WaitAccounted({"says_world"}, kFlood, "flood");
}

TEST_F(Scoring, AFloodingAppIsShedOnTheSharedHashCountedAndRecovers) {
  CollectorProcess collector(R"pb(
    scoring { workers: 1 max_app_backlog: 2000 }
    rubrics { name: "says_world" kind: RUBRIC_KIND_REGEX regex { must: "world" } }
    rubrics { name: "short" kind: RUBRIC_KIND_LENGTH length { max_words: 3 } }
  )pb");
  ASSERT_TRUE(collector.Start()) << collector.log();
  Connect(collector);
  // Ingest outruns one worker, so the backlog passes 2000 for well over the second that
  // shedding takes to react.
  constexpr int kN = 100000;
  double lowest_rate = 1;
  std::thread watcher([&] {
    while (Accounted(Completeness())["short"] < uint64_t{kN}) {
      lowest_rate = std::min(lowest_rate, Completeness().effective_sample_rate());
      std::this_thread::sleep_for(50ms);
    }
  });
  Ingest(0, kN, "scoring", "m1", 2000);
  v1::CompletenessResponse c = WaitAccounted({"says_world", "short"}, kN);
  watcher.join();
  EXPECT_LT(lowest_rate, 1.0);
  const v1::RubricSkips* world = Find(c, "says_world");
  const v1::RubricSkips* brief = Find(c, "short");
  ASSERT_TRUE(world && brief);
  const auto shed = [](const v1::RubricSkips* r) {
    return r->skipped().count("shed") ? r->skipped().at("shed") : 0;
  };
  EXPECT_GT(shed(world), 0u) << c.ShortDebugString();
  // One factor on one hash: both rubrics (both at rate 1) shed the same samples.
  EXPECT_EQ(shed(world), shed(brief));
  EXPECT_EQ(world->scored() + shed(world), uint64_t{kN});
  for (int i = 0; i < kN; i += 97) {
    auto scores = Scores(i);
    EXPECT_EQ(scores.count("says_world"), scores.count("short")) << i;
  }
  // Once the flood is over the rate comes back.
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline &&
         Completeness().effective_sample_rate() < 1) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(Completeness().effective_sample_rate(), 1.0);
}

}  // namespace
}  // namespace llmtap
