// The evaluator over a real Store (RocksDB in a temp folder) with samples and scores written
// at chosen times, evaluated at chosen times.
#include "collector/alerting/alert_evaluator.h"

#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_format.h"
#include "collector/alerting/alert_log.h"

namespace llmtap::collector {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'020);  // 40 s into a minute (B0 + 40).

class AlertEvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           absl::StrFormat("alert_evaluator_test_%d_%d", getpid(), counter_++);
    auto store = Store::Open(dir_.string(), v1::StorageConfig());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    rules_ = std::make_unique<AlertRuleStore>(store_.get(), std::set<std::string>{});
    log_ = std::make_unique<AlertLog>(store_.get());
    NewEvaluator();
  }
  void TearDown() override {
    evaluator_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void NewEvaluator() {
    evaluator_ = std::make_unique<AlertEvaluator>(store_.get(), rules_.get(), log_.get(), nullptr,
                                                  &metrics_, absl::Seconds(1));
  }

  void AddRule(const std::string& text) {
    v1::AlertRule r;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &r)) << text;
    ASSERT_TRUE(rules_->Upsert(r).ok()) << text;
  }

  // Stores `n` samples of `app`/`model` starting at `t`, failed ones first.
  void Ingest(absl::Time t, int n, int failed, double latency_ms, const std::string& app = "shop",
              const std::string& model = "m1", const std::vector<double>& scores = {}) {
    std::vector<v1::Sample> samples(n);
    IngestWrite write;
    for (int i = 0; i < n; ++i) {
      v1::Sample& s = samples[i];
      s.set_id(absl::StrFormat("%012x%020x", absl::ToUnixMillis(t), next_id_++));
      s.set_app(app);
      s.set_model(model);
      s.set_variant("production");
      s.set_start_time_unix_nano(absl::ToUnixNanos(t) + i);
      s.set_latency_ms(latency_ms);
      s.set_status(i < failed ? v1::CALL_STATUS_ERROR : v1::CALL_STATUS_OK);
      write.samples.push_back(&s);
    }
    std::vector<char> is_new;
    ASSERT_TRUE(store_->Ingest(write, &is_new).ok());
    for (size_t i = 0; i < scores.size() && i < samples.size(); ++i) {
      ScoreWrite sw;
      sw.sample = &samples[i];
      sw.rollup_values = {{"r:quality", scores[i]}};
      ASSERT_TRUE(store_->CommitScores(sw).ok());
    }
  }

  std::vector<v1::AlertEvent> Stored() {
    auto events = log_->List(v1::ListAlertsRequest());
    EXPECT_TRUE(events.ok());
    return events.ok() ? *events : std::vector<v1::AlertEvent>{};
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  Metrics metrics_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AlertRuleStore> rules_;
  std::unique_ptr<AlertLog> log_;
  std::unique_ptr<AlertEvaluator> evaluator_;
  int next_id_ = 1;
};

TEST_F(AlertEvaluatorTest, ErrorRateFiresResolvesAndRespectsCooldown) {
  AddRule(R"(name: "errors" kind: ALERT_KIND_ERROR_RATE_ABOVE warn_above: 0.1 alert_above: 0.3
             window_s: 900 cooldown_s: 600)");
  Ingest(kT0, 10, 4, 100);  // 40% errors.
  auto events = evaluator_->EvaluateOnce(kT0 + absl::Seconds(1));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].rule(), "errors");
  EXPECT_EQ(events[0].group(), "shop");
  EXPECT_EQ(events[0].level(), v1::ALERT_LEVEL_ALERT);
  EXPECT_EQ(events[0].previous_level(), v1::ALERT_LEVEL_OK);
  EXPECT_DOUBLE_EQ(events[0].value(), 0.4);
  EXPECT_EQ(events[0].count(), 10u);
  EXPECT_TRUE(evaluator_->EvaluateOnce(kT0 + absl::Seconds(2)).empty());  // Still ALERT.

  Ingest(kT0 + absl::Seconds(30), 30, 0, 100);  // 4/40 = 10%: not above warn_above.
  events = evaluator_->EvaluateOnce(kT0 + absl::Seconds(31));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].level(), v1::ALERT_LEVEL_OK);
  EXPECT_EQ(events[0].previous_level(), v1::ALERT_LEVEL_ALERT);
  EXPECT_DOUBLE_EQ(events[0].value(), 0.1);

  Ingest(kT0 + absl::Seconds(60), 40, 40, 100);  // 44/80: bad again, inside the cooldown.
  EXPECT_TRUE(evaluator_->EvaluateOnce(kT0 + absl::Seconds(61)).empty());
  EXPECT_TRUE(evaluator_->EvaluateOnce(kT0 + absl::Seconds(599)).empty());
  EXPECT_NE(metrics_.Render().find("llmtap_alert_cooldown_suppressed_total 2\n"),
            std::string::npos);
  // 600 s after the first firing (the cooldown is over) the window (15 whole minutes and the
  // current one) still holds everything, and the rule fires again.
  events = evaluator_->EvaluateOnce(kT0 + absl::Seconds(601));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].level(), v1::ALERT_LEVEL_ALERT);
  EXPECT_DOUBLE_EQ(events[0].value(), 44.0 / 80);

  const auto stored = Stored();  // Newest first.
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0].id(), events[0].id());
  EXPECT_EQ(stored[1].level(), v1::ALERT_LEVEL_OK);
  EXPECT_EQ(stored[2].level(), v1::ALERT_LEVEL_ALERT);

  // ListAlerts filters: limit keeps the newest, since is inclusive, rule must match.
  v1::ListAlertsRequest request;
  request.set_limit(2);
  auto listed = log_->List(request);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].id(), stored[1].id());
  request.set_limit(0);
  request.set_since_unix_nano(absl::ToUnixNanos(kT0 + absl::Seconds(31)));
  listed = log_->List(request);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
  request.set_rule("other");
  EXPECT_TRUE(log_->List(request)->empty());
  request.set_limit(kMaxListAlertsLimit + 1);
  EXPECT_EQ(log_->List(request).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AlertEvaluatorTest, DataLeavesTheWindowAndNoDataPolicyApplies) {
  AddRule(R"(name: "keep" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 500 window_s: 120)");
  AddRule(R"(name: "ok" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 500 window_s: 120
             no_data: NO_DATA_OK)");
  AddRule(R"(name: "nodata" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 500 window_s: 120
             no_data: NO_DATA_ALERT)");
  Ingest(kT0, 20, 0, 800);
  auto events = evaluator_->EvaluateOnce(kT0);
  ASSERT_EQ(events.size(), 3u);
  for (const auto& e : events) {
    EXPECT_EQ(e.level(), v1::ALERT_LEVEL_ALERT) << e.rule();
    EXPECT_NEAR(e.value(), 800, 8) << e.rule();
  }
  // The window is the 2 whole minutes before the current one and the current one: bucket B0
  // is in it until B0 + 180 s, i.e. kT0 + 140 s.
  EXPECT_TRUE(evaluator_->EvaluateOnce(kT0 + absl::Seconds(139)).empty());
  events = evaluator_->EvaluateOnce(kT0 + absl::Seconds(140));
  ASSERT_EQ(events.size(), 2u);
  std::map<std::string, v1::AlertEvent> by_rule;
  for (const auto& e : events) by_rule[e.rule()] = e;
  EXPECT_EQ(by_rule["ok"].level(), v1::ALERT_LEVEL_OK);
  EXPECT_EQ(by_rule["nodata"].level(), v1::ALERT_LEVEL_NO_DATA);
  EXPECT_EQ(by_rule["nodata"].previous_level(), v1::ALERT_LEVEL_ALERT);
  EXPECT_EQ(by_rule.count("keep"), 0u);
  EXPECT_TRUE(evaluator_->EvaluateOnce(kT0 + absl::Seconds(260)).empty());
  EXPECT_EQ(evaluator_->firing(), 2u);  // keep (ALERT) and nodata (NO_DATA).
}

TEST_F(AlertEvaluatorTest, ScopedRuleWithNoTrafficFiresNoData) {
  AddRule(R"(name: "silent" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 0.5 app: "ghost"
             no_data: NO_DATA_ALERT)");
  auto events = evaluator_->EvaluateOnce(kT0);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].group(), "ghost");
  EXPECT_EQ(events[0].level(), v1::ALERT_LEVEL_NO_DATA);
}

TEST_F(AlertEvaluatorTest, GroupsByAppAndModelWithScopeFilters) {
  AddRule(R"(name: "per-model" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 0.5
             group_by: "app" group_by: "model")");
  AddRule(R"(name: "shop-only" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 0.5 app: "shop"
             model: "m2")");
  Ingest(kT0, 10, 10, 100, "shop", "m1");
  Ingest(kT0, 10, 0, 100, "shop", "m2");
  Ingest(kT0, 10, 8, 100, "blog", "m2");
  auto events = evaluator_->EvaluateOnce(kT0);
  std::set<std::string> fired;
  for (const auto& e : events) fired.insert(e.rule() + " " + e.group());
  EXPECT_EQ(fired, (std::set<std::string>{"per-model app=blog,model=m2",
                                          "per-model app=shop,model=m1"}));
}

TEST_F(AlertEvaluatorTest, RubricMeanAndDriftOverScores) {
  AddRule(R"(name: "quality" kind: ALERT_KIND_SCORE_BELOW rubric: "quality" warn_below: 0.7
             alert_below: 0.4 min_count: 5 window_s: 120)");
  AddRule(R"(name: "quality-drift" kind: ALERT_KIND_DRIFT rubric: "quality" warn_above: 2
             alert_above: 3 window_s: 120 baseline_window_s: 600 min_count: 5)");
  // Baseline: 10 and 15 minutes back, scores around 0.9.
  Ingest(kT0 - absl::Minutes(10), 6, 0, 100, "shop", "m1", {0.9, 0.95, 0.85, 0.9, 0.92, 0.88});
  Ingest(kT0 - absl::Minutes(5), 6, 0, 100, "shop", "m1", {0.91, 0.89, 0.9, 0.87, 0.93, 0.9});
  // Window: 4 scores only (below min_count).
  Ingest(kT0, 4, 0, 100, "shop", "m1", {0.6, 0.65, 0.55, 0.6});
  EXPECT_TRUE(evaluator_->EvaluateOnce(kT0).empty());
  Ingest(kT0 + absl::Seconds(5), 2, 0, 100, "shop", "m1", {0.62, 0.58});
  auto events = evaluator_->EvaluateOnce(kT0 + absl::Seconds(6));
  ASSERT_EQ(events.size(), 2u);
  std::map<std::string, v1::AlertEvent> by_rule;
  for (const auto& e : events) by_rule[e.rule()] = e;
  EXPECT_EQ(by_rule["quality"].level(), v1::ALERT_LEVEL_WARN);
  EXPECT_NEAR(by_rule["quality"].value(), 3.6 / 6, 1e-12);
  EXPECT_EQ(by_rule["quality"].count(), 6u);
  EXPECT_EQ(by_rule["quality-drift"].level(), v1::ALERT_LEVEL_ALERT);
  EXPECT_LT(by_rule["quality-drift"].value(), -3);
}

TEST_F(AlertEvaluatorTest, RulesOnDifferentSeriesOfOneAppShareAScan) {
  AddRule(R"(name: "errors" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 0.3)");
  AddRule(R"(name: "slow" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 100)");
  AddRule(R"(name: "quality" kind: ALERT_KIND_SCORE_BELOW rubric: "quality" alert_below: 0.5)");
  Ingest(kT0, 4, 2, 400, "shop", "m1", {0.2, 0.3, 0.1, 0.4});
  std::map<std::string, v1::AlertEvent> by_rule;
  for (const auto& e : evaluator_->EvaluateOnce(kT0)) by_rule[e.rule()] = e;
  ASSERT_EQ(by_rule.size(), 3u);
  EXPECT_DOUBLE_EQ(by_rule["errors"].value(), 0.5);
  EXPECT_NEAR(by_rule["slow"].value(), 400, 4);
  EXPECT_DOUBLE_EQ(by_rule["quality"].value(), 0.25);
}

TEST_F(AlertEvaluatorTest, RestartKeepsLevelsAndCooldowns) {
  AddRule(R"(name: "errors" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 0.3 cooldown_s: 600)");
  Ingest(kT0, 10, 10, 100);
  ASSERT_EQ(evaluator_->EvaluateOnce(kT0).size(), 1u);
  NewEvaluator();  // As after a restart.
  ASSERT_TRUE(evaluator_->RestoreState().ok());
  EXPECT_TRUE(evaluator_->EvaluateOnce(kT0 + absl::Seconds(1)).empty());  // Still firing.
  EXPECT_EQ(evaluator_->firing(), 1u);
}

TEST_F(AlertEvaluatorTest, DeletedRuleForgetsItsState) {
  AddRule(R"(name: "errors" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 0.3 cooldown_s: 600)");
  Ingest(kT0, 10, 10, 100);
  ASSERT_EQ(evaluator_->EvaluateOnce(kT0).size(), 1u);
  ASSERT_TRUE(rules_->Delete("errors").ok());
  EXPECT_TRUE(evaluator_->EvaluateOnce(kT0 + absl::Seconds(1)).empty());
  EXPECT_EQ(evaluator_->firing(), 0u);
}

}  // namespace
}  // namespace llmtap::collector
