// A real llmtapd with semantic rubrics against a scripted OpenAI-compatible judge: pairwise
// judging of shadow/production pairs and what Compare reports of it; Agreement between a
// rubric and human labels (metadata key and label list).
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "collector_client.h"
#include "collector_process.h"
#include "fake_openai_server.h"
#include "llmtap/v1/config.pb.h"
#include "nlohmann/json.hpp"

namespace llmtap {
namespace {

using nlohmann::json;
using testing::CollectorClient;
using testing::CollectorProcess;
using testing::FakeOpenAiServer;
using testing::Reply;
using namespace std::chrono_literals;

constexpr int64_t kT0 = 1'700'000'000'000'000'000LL;

v1::Sample Make(int id, const std::string& app, const std::string& variant,
                const std::string& pair, const std::string& response) {
  v1::Sample s;
  s.set_id(CollectorClient::Id(id));
  s.set_app(app);
  s.set_model("m");
  s.set_variant(variant);
  s.set_pair_id(pair);
  s.set_start_time_unix_nano(kT0 + id * 1000);
  s.set_prompt("Question " + pair);
  s.set_response(response);
  s.set_reference("GOOD answer");
  return s;
}

std::unique_ptr<v1::QueryService::Stub> Query(const CollectorProcess& c) {
  return v1::QueryService::NewStub(
      grpc::CreateChannel(c.grpc_address(), grpc::InsecureChannelCredentials()));
}

TEST(SemanticE2e, PairwiseJudgeScoresShadowsAndCompareReportsWinRateAndSignTest) {
  FakeOpenAiServer judge;
  // Prefers the answer with "GOOD" in it, wherever it stands; a tie when both or neither.
  judge.SetResponder([](const std::string& body) {
    const std::string user = json::parse(body)["messages"][1]["content"];
    const size_t b = user.find("Answer B:");
    const bool a_good = user.substr(0, b).find("GOOD") != std::string::npos;
    const bool b_good = user.substr(b).find("GOOD") != std::string::npos;
    return Reply::Chat(a_good == b_good ? R"({"winner": "tie"})"
                       : a_good         ? R"({"winner": "A"})"
                                        : R"({"winner": "B"})");
  });
  const std::string config =
      "judges { name: 'fake' base_url: '" + judge.base_url() + "' model: 'm' }\n"
      "rubrics { name: 'ab' kind: RUBRIC_KIND_PAIRWISE pairwise {} }\n"
      "rubrics { name: 'exact' kind: RUBRIC_KIND_EXACT_MATCH }\n";
  CollectorProcess collector(config);
  ASSERT_TRUE(collector.Start()) << collector.log();
  CollectorClient client(collector.grpc_address());

  // 12 pairs: the shadow is better in 8, production in 2, both alike in 2. A 13th shadow has
  // no production sample.
  std::vector<v1::Sample> production, shadow;
  for (int i = 0; i < 12; ++i) {
    const std::string pair = "pair-" + std::to_string(i);
    const bool shadow_good = i < 8 || i >= 10;
    const bool production_good = i >= 8;
    production.push_back(Make(2 * i, "ab-app", "production", pair,
                              production_good ? "GOOD answer" : "meh"));
    shadow.push_back(Make(2 * i + 1, "ab-app", "shadow", pair,
                          shadow_good ? "GOOD answer" : "meh"));
  }
  shadow.push_back(Make(99, "ab-app", "shadow", "lonely", "GOOD answer"));
  ASSERT_TRUE(client.Ingest(production));
  ASSERT_TRUE(client.Ingest(shadow));
  auto counts = client.WaitAccounted("ab-app", {"ab"}, 13, 60s);
  EXPECT_EQ(counts["ab"].scored(), 12u);
  EXPECT_EQ(counts["ab"].skipped().at("pair_missing"), 1u);
  client.WaitAccounted("ab-app", {"exact"}, 25, 30s);

  // Scores live on the shadow samples only, with both orders in the raw output.
  EXPECT_EQ(client.Scores(CollectorClient::Id(0)).count("ab"), 0u);
  v1::Score first = client.Scores(CollectorClient::Id(1))["ab"];
  EXPECT_EQ(first.value(), 1);
  json raw = json::parse(first.raw_output());
  EXPECT_EQ(raw["baseline_id"], CollectorClient::Id(0));
  EXPECT_EQ(raw["orders"][0]["winner"], "B");
  EXPECT_EQ(raw["orders"][1]["winner"], "A");
  EXPECT_EQ(client.Scores(CollectorClient::Id(17))["ab"].value(), 0);    // Pair 8.
  EXPECT_EQ(client.Scores(CollectorClient::Id(21))["ab"].value(), 0.5);  // Pair 10.

  v1::CompareRequest request;
  request.mutable_baseline()->set_app("ab-app");
  request.mutable_baseline()->set_variant("production");
  request.mutable_candidate()->set_app("ab-app");
  request.mutable_candidate()->set_variant("shadow");
  request.set_paired(true);
  v1::CompareResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(Query(collector)->Compare(&context, request, &response).ok());
  std::map<std::string, v1::RubricComparison> by_rubric;
  for (const auto& r : response.rubrics()) by_rubric[r.rubric()] = r;
  ASSERT_TRUE(by_rubric.count("ab")) << response.DebugString();
  const v1::PairOutcome& ab = by_rubric["ab"].pairwise();
  EXPECT_EQ(ab.wins(), 8u);
  EXPECT_EQ(ab.losses(), 2u);
  EXPECT_EQ(ab.ties(), 2u);
  EXPECT_DOUBLE_EQ(ab.win_rate(), 0.8);
  EXPECT_NEAR(ab.sign_test_p(), 0.109375, 1e-12);  // scipy.stats.binomtest(8, 10).pvalue
  EXPECT_NEAR(ab.win_rate_ci_low(), 0.4901624715366418, 1e-9);  // Wilson, SciPy.
  EXPECT_NEAR(ab.win_rate_ci_high(), 0.9433178485456248, 1e-9);
  EXPECT_NEAR(by_rubric["ab"].delta(), (8 + 0.5 * 2) / 12.0 - 0.5, 1e-12);
  EXPECT_EQ(by_rubric["ab"].verdict(), v1::RubricComparison::VERDICT_PASS);
  // Exact match against "GOOD answer", pair by pair: only the shadow matches in 8 pairs, only
  // production in 2, both in 2.
  const v1::PairOutcome& exact = by_rubric["exact"].paired();
  EXPECT_EQ(exact.wins(), 8u);
  EXPECT_EQ(exact.losses(), 2u);
  EXPECT_EQ(exact.ties(), 2u);
  EXPECT_NEAR(exact.mean_difference(), 6.0 / 12.0, 1e-12);
}

TEST(SemanticE2e, AgreementOfARubricWithHumanLabels) {
  CollectorProcess collector("rubrics { name: 'exact' kind: RUBRIC_KIND_EXACT_MATCH }\n");
  ASSERT_TRUE(collector.Start()) << collector.log();
  CollectorClient client(collector.grpc_address());
  // Rubric passes 6 (response == reference), fails 4. Humans: pass 5 of those 6, pass 1 of
  // the 4; sample 10 has no label.
  const char* human[] = {"pass", "pass", "PASS", "yes", "1", "fail", "true", "no", "0", "false"};
  std::vector<v1::Sample> samples;
  for (int i = 0; i < 11; ++i) {
    v1::Sample s = Make(i, "agree-app", "", "", i < 6 ? "GOOD answer" : "bad");
    if (i < 10) (*s.mutable_metadata())["human"] = human[i];
    samples.push_back(s);
  }
  ASSERT_TRUE(client.Ingest(samples));
  client.WaitAccounted("agree-app", {"exact"}, 11, 30s);

  v1::AgreementRequest request;
  request.mutable_filter()->set_app("agree-app");
  request.set_rubric("exact");
  request.set_label_key("human");
  v1::AgreementResponse a;
  {
    grpc::ClientContext context;
    grpc::Status s = Query(collector)->Agreement(&context, request, &a);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(a.samples(), 10u);
  EXPECT_EQ(a.unlabelled(), 1u);
  EXPECT_EQ(a.confusion().both_pass(), 5u);
  EXPECT_EQ(a.confusion().rubric_pass_human_fail(), 1u);
  EXPECT_EQ(a.confusion().rubric_fail_human_pass(), 1u);
  EXPECT_EQ(a.confusion().both_fail(), 3u);
  EXPECT_DOUBLE_EQ(a.observed_agreement(), 0.8);
  EXPECT_NEAR(a.expected_agreement(), 0.52, 1e-12);
  EXPECT_NEAR(a.kappa(), 0.28 / 0.48, 1e-12);

  // The same labels imported as a list, with an unknown sample and an unreadable label.
  v1::AgreementRequest list;
  list.mutable_filter()->set_app("agree-app");
  list.set_rubric("exact");
  for (int i = 0; i < 10; ++i) {
    v1::HumanLabel* l = list.add_labels();
    l->set_sample_id(CollectorClient::Id(i));
    l->set_value(human[i]);
  }
  list.add_labels()->set_sample_id(CollectorClient::Id(500));
  v1::HumanLabel* maybe = list.add_labels();
  maybe->set_sample_id(CollectorClient::Id(10));
  maybe->set_value("maybe");
  v1::AgreementResponse b;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(Query(collector)->Agreement(&context, list, &b).ok());
  }
  EXPECT_EQ(b.samples(), 10u);
  EXPECT_EQ(b.unscored_labels(), 1u);
  EXPECT_EQ(b.unreadable_labels(), 1u);
  EXPECT_DOUBLE_EQ(b.kappa(), a.kappa());

  // Bad requests name the field.
  list.set_label_key("human");
  grpc::ClientContext context;
  grpc::Status bad = Query(collector)->Agreement(&context, list, &b);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("label_key"), std::string::npos) << bad.error_message();
}

}  // namespace
}  // namespace llmtap
