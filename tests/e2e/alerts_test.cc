// Alerts end to end: a real llmtapd with alert rules in its config file evaluates them every
// 200 ms over the rollups of samples ingested through the real IngestService, stores the
// events (ListAlerts), and posts them to a webhook receiver on loopback.
#include <google/protobuf/text_format.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "collector_process.h"
#include "llmtap/sample.h"
#include "llmtap/v1/ingest.grpc.pb.h"
#include "llmtap/v1/query.grpc.pb.h"

namespace llmtap {
namespace {

using testing::CollectorProcess;
using Clock = std::chrono::steady_clock;

// A Slack-style webhook receiver on 127.0.0.1 (free port). The first `fail_first` posts get a
// 500. Stops itself when destroyed.
class WebhookReceiver {
 public:
  explicit WebhookReceiver(int fail_first = 0) : fail_first_(fail_first) {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      ++posts_;
      if (posts_ <= fail_first_) {
        res.status = 500;
        failed_bodies_.push_back(req.body);
        return;
      }
      bodies_.push_back(nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false));
      res.set_content("ok", "text/plain");
    });
    // One request per connection: stop() then never waits out a keep-alive connection.
    server_.set_keep_alive_max_count(1);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // So that stop() in the destructor cannot come before the accept loop starts.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~WebhookReceiver() {
    server_.stop();
    thread_.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  int posts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return posts_;
  }
  std::vector<std::string> failed_bodies() const {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_bodies_;
  }
  // Accepted payloads matching `pred`.
  std::vector<nlohmann::json> Matching(const std::function<bool(const nlohmann::json&)>& pred) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<nlohmann::json> out;
    for (const auto& b : bodies_) {
      if (pred(b)) out.push_back(b);
    }
    return out;
  }

 private:
  const int fail_first_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  int posts_ = 0;
  std::vector<std::string> failed_bodies_;
  std::vector<nlohmann::json> bodies_;
};

// Waits up to `timeout` for `done`.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

std::function<bool(const nlohmann::json&)> Is(const std::string& rule, const std::string& status) {
  return [=](const nlohmann::json& j) {
    return j.is_object() && j.value("rule", "") == rule && j.value("status", "") == status;
  };
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class AlertsTest : public ::testing::Test {
 protected:
  // Starts llmtapd with `alerting_body` inside `alerting { interval_ms: 200 ... }` plus `extra`.
  void StartCollector(const std::string& alerting_body, const std::string& extra = "") {
    collector_ = std::make_unique<CollectorProcess>(
        "alerting {\n  interval_ms: 200\n" + alerting_body + "\n}\n" + extra);
    ASSERT_TRUE(collector_->Start()) << collector_->log();
    Connect();
  }
  void Connect() {
    auto channel =
        grpc::CreateChannel(collector_->grpc_address(), grpc::InsecureChannelCredentials());
    ingest_ = v1::IngestService::NewStub(channel);
    query_ = v1::QueryService::NewStub(channel);
  }

  // Ingests `n` samples of `app` starting now; the first `failed` are errors.
  void Ingest(const std::string& app, int n, int failed, double latency_ms,
              const std::string& response = "fine") {
    v1::IngestRequest request;
    request.set_batch_id(++batch_id_);
    const int64_t now = NowNanos();
    for (int i = 0; i < n; ++i) {
      v1::Sample* s = request.add_samples();
      s->set_id(NewSampleId());
      s->set_app(app);
      s->set_model("gpt-test");
      s->set_start_time_unix_nano(now + i);
      s->set_prompt("question " + std::to_string(i));
      s->set_response(response);
      s->set_latency_ms(latency_ms);
      s->set_status(i < failed ? v1::CALL_STATUS_ERROR : v1::CALL_STATUS_OK);
      if (i < failed) s->set_error("HTTP 500");
    }
    grpc::ClientContext context;
    v1::IngestResponse response_msg;
    grpc::Status status = ingest_->Ingest(&context, request, &response_msg);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response_msg.code(), 0) << response_msg.error();
    ASSERT_EQ(response_msg.accepted(), static_cast<uint32_t>(n));
  }

  std::vector<v1::AlertEvent> ListAlerts(const std::string& rule) {
    v1::ListAlertsRequest request;
    request.set_rule(rule);
    grpc::ClientContext context;
    v1::ListAlertsResponse response;
    grpc::Status status = query_->ListAlerts(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.events().begin(), response.events().end()};
  }

  // Events of `rule` that fired (left OK) / resolved (returned to OK).
  int Fired(const std::string& rule) {
    int n = 0;
    for (const auto& e : ListAlerts(rule)) {
      n += e.previous_level() == v1::ALERT_LEVEL_OK && e.level() != v1::ALERT_LEVEL_OK;
    }
    return n;
  }
  int Resolved(const std::string& rule) {
    int n = 0;
    for (const auto& e : ListAlerts(rule)) n += e.level() == v1::ALERT_LEVEL_OK;
    return n;
  }

  std::string Metrics() {
    httplib::Client http("127.0.0.1", collector_->http_port());
    auto res = http.Get("/metrics");
    return res && res->status == 200 ? res->body : "";
  }

  std::unique_ptr<CollectorProcess> collector_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::QueryService::Stub> query_;
  uint64_t batch_id_ = 0;
};

constexpr std::chrono::seconds kWait(15);

TEST_F(AlertsTest, ErrorRateFiresResolvesAndRespectsCooldownWithWebhooks) {
  WebhookReceiver receiver;
  StartCollector(R"(
  webhooks { name: "ops" url: ")" + receiver.url() + R"(" }
  rules { name: "errors" kind: ALERT_KIND_ERROR_RATE_ABOVE app: "shop" alert_above: 0.2
          min_count: 5 window_s: 300 cooldown_s: 3600 }
  rules { name: "errors-short" kind: ALERT_KIND_ERROR_RATE_ABOVE app: "shop" alert_above: 0.2
          min_count: 5 window_s: 300 cooldown_s: 2 webhooks: "ops" })");

  Ingest("shop", 10, 5, 100);  // 50% errors.
  ASSERT_TRUE(WaitFor([&] { return Fired("errors") == 1 && Fired("errors-short") == 1; }, kWait))
      << collector_->log();
  const auto fire_time = Clock::now();
  auto events = ListAlerts("errors");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].group(), "shop");
  EXPECT_EQ(events[0].level(), v1::ALERT_LEVEL_ALERT);
  EXPECT_EQ(events[0].previous_level(), v1::ALERT_LEVEL_OK);
  EXPECT_DOUBLE_EQ(events[0].value(), 0.5);
  EXPECT_EQ(events[0].count(), 10u);
  EXPECT_NE(events[0].message().find("[ALERT] errors (shop)"), std::string::npos)
      << events[0].message();

  // The webhook got Slack JSON for it: text plus structured fields.
  ASSERT_TRUE(WaitFor([&] { return receiver.Matching(Is("errors", "fired")).size() == 1; }, kWait));
  const nlohmann::json hook = receiver.Matching(Is("errors", "fired"))[0];
  EXPECT_EQ(hook["text"], events[0].message());
  EXPECT_EQ(hook["id"], events[0].id());
  EXPECT_EQ(hook["group"], "shop");
  EXPECT_EQ(hook["level"], "ALERT");
  EXPECT_EQ(hook["previous_level"], "OK");
  EXPECT_EQ(hook["kind"], "ALERT_KIND_ERROR_RATE_ABOVE");
  EXPECT_DOUBLE_EQ(hook["value"].get<double>(), 0.5);
  EXPECT_EQ(hook["count"], 10);
  // Once the webhook accepted it, the stored event says so.
  ASSERT_TRUE(WaitFor([&] { return ListAlerts("errors")[0].delivered(); }, kWait));

  // Healthy traffic dilutes the rate to 5/100: both rules resolve.
  Ingest("shop", 90, 0, 100);
  ASSERT_TRUE(
      WaitFor([&] { return Resolved("errors") == 1 && Resolved("errors-short") == 1; }, kWait))
      << collector_->log();
  events = ListAlerts("errors");  // Newest first.
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].level(), v1::ALERT_LEVEL_OK);
  EXPECT_EQ(events[0].previous_level(), v1::ALERT_LEVEL_ALERT);
  EXPECT_DOUBLE_EQ(events[0].value(), 0.05);
  EXPECT_EQ(events[0].count(), 100u);
  EXPECT_NE(events[0].message().find("[RESOLVED]"), std::string::npos) << events[0].message();
  ASSERT_TRUE(
      WaitFor([&] { return receiver.Matching(Is("errors", "resolved")).size() == 1; }, kWait));

  // Bad again (105/200) after errors-short's 2 s cooldown, but well inside errors' hour.
  std::this_thread::sleep_until(fire_time + std::chrono::milliseconds(2500));
  Ingest("shop", 100, 100, 100);
  ASSERT_TRUE(WaitFor([&] { return Fired("errors-short") == 2; }, kWait)) << collector_->log();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // ~7 more evaluations.
  EXPECT_EQ(Fired("errors"), 1);
  EXPECT_EQ(Fired("errors-short"), 2);
  EXPECT_EQ(receiver.Matching(Is("errors", "fired")).size(), 1u);
  ASSERT_TRUE(
      WaitFor([&] { return receiver.Matching(Is("errors-short", "fired")).size() == 2; }, kWait));
  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find("llmtap_alert_cooldown_suppressed_total "), std::string::npos);
  EXPECT_EQ(metrics.find("llmtap_alert_cooldown_suppressed_total 0\n"), std::string::npos)
      << metrics;
  // errors-short is firing; errors is held at OK by its cooldown.
  EXPECT_NE(metrics.find("llmtap_alert_firing 1\n"), std::string::npos) << metrics;
}

TEST_F(AlertsTest, LatencyP95AboveBoundFiresWithSketchAccuracy) {
  StartCollector(R"(
  rules { name: "slow" kind: ALERT_KIND_LATENCY_P95_ABOVE app: "search" warn_above: 400
          alert_above: 1500 min_count: 20 })");
  Ingest("search", 10, 0, 300);
  Ingest("search", 10, 0, 800);  // p95 of {300 x10, 800 x10} is 800: WARN, not ALERT.
  ASSERT_TRUE(WaitFor([&] { return Fired("slow") == 1; }, kWait)) << collector_->log();
  const auto events = ListAlerts("slow");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].level(), v1::ALERT_LEVEL_WARN);
  EXPECT_NEAR(events[0].value(), 800, 800 * 0.01);
  EXPECT_EQ(events[0].count(), 20u);
  // Escalates to ALERT when the tail grows past 1500 ms (p95 of 30 values: the 29th).
  Ingest("search", 10, 0, 2000);
  ASSERT_TRUE(WaitFor([&] { return ListAlerts("slow").size() == 2; }, kWait));
  const auto latest = ListAlerts("slow")[0];
  EXPECT_EQ(latest.level(), v1::ALERT_LEVEL_ALERT);
  EXPECT_EQ(latest.previous_level(), v1::ALERT_LEVEL_WARN);
  EXPECT_NEAR(latest.value(), 2000, 2000 * 0.01);
}

TEST_F(AlertsTest, WebhookAnswering500IsRetried) {
  WebhookReceiver receiver(/*fail_first=*/1);
  StartCollector(R"(
  webhooks { name: "ops" url: ")" + receiver.url() + R"(" max_attempts: 3 }
  rules { name: "errors" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 0.5 })");
  Ingest("shop", 4, 4, 100);
  ASSERT_TRUE(WaitFor([&] { return receiver.Matching(Is("errors", "fired")).size() == 1; }, kWait))
      << collector_->log();
  EXPECT_EQ(receiver.posts(), 2);
  ASSERT_EQ(receiver.failed_bodies().size(), 1u);
  const auto first = nlohmann::json::parse(receiver.failed_bodies()[0]);
  EXPECT_EQ(first["id"], receiver.Matching(Is("errors", "fired"))[0]["id"]);
  ASSERT_TRUE(WaitFor([&] { return ListAlerts("errors")[0].delivered(); }, kWait));
  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find("llmtap_alert_webhook_retries_total 1\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("llmtap_alert_webhook_sent_total 1\n"), std::string::npos) << metrics;
}

TEST_F(AlertsTest, RulesManagedThroughRpcsAreValidatedEvaluatedAndPersisted) {
  StartCollector(R"(
  webhooks { name: "ops" url: "http://127.0.0.1:9/unused" }
  rules { name: "from-config" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 0.9 })");
  auto upsert = [&](const std::string& text, v1::AlertRule* out) {
    v1::UpsertAlertRuleRequest request;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, request.mutable_rule()))
        << text;
    grpc::ClientContext context;
    return query_->UpsertAlertRule(&context, request, out);
  };
  auto list = [&] {
    grpc::ClientContext context;
    v1::ListAlertRulesResponse response;
    EXPECT_TRUE(query_->ListAlertRules(&context, v1::ListAlertRulesRequest(), &response).ok());
    std::vector<std::string> names;
    for (const auto& r : response.rules()) names.push_back(r.name());
    return names;
  };

  // Invalid rules: INVALID_ARGUMENT naming the field.
  const std::pair<std::string, std::string> bad[] = {
      {R"(name: "q" kind: ALERT_KIND_SCORE_BELOW alert_below: 0.5)", "rubric: required"},
      {R"(name: "q" kind: ALERT_KIND_ERROR_RATE_ABOVE warn_above: 0.5 alert_above: 0.1)",
       "warn_above: must be <= alert_above"},
      {R"(name: "q" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 2)", "alert_above: must be in"},
      {R"(name: "q" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 5 webhooks: "pager")",
       "webhooks: no webhook named 'pager'"},
      {R"(name: "Q!" kind: ALERT_KIND_LATENCY_P95_ABOVE alert_above: 5)", "name:"},
      {R"(name: "q" alert_above: 5)", "kind:"},
      {"", "name:"},
  };
  for (const auto& [text, field] : bad) {
    v1::AlertRule out;
    grpc::Status s = upsert(text, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << text;
    EXPECT_NE(s.error_message().find(field), std::string::npos) << s.error_message();
  }
  {
    grpc::ClientContext context;
    v1::AlertRule out;
    grpc::Status s = query_->UpsertAlertRule(&context, v1::UpsertAlertRuleRequest(), &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(s.error_message(), "rule: required");
  }
  EXPECT_EQ(list(), std::vector<std::string>{"from-config"});

  // A valid rule comes back with defaults, is listed and evaluated.
  v1::AlertRule stored;
  ASSERT_TRUE(upsert(R"(name: "rpc-errors" kind: ALERT_KIND_ERROR_RATE_ABOVE app: "api"
                        alert_above: 0.25 webhooks: "ops")",
                     &stored)
                  .ok());
  EXPECT_EQ(stored.window_s(), 300u);
  EXPECT_EQ(stored.cooldown_s(), 600u);
  EXPECT_EQ(stored.min_count(), 1u);
  EXPECT_TRUE(stored.enabled());
  ASSERT_EQ(stored.group_by_size(), 1);
  EXPECT_EQ(stored.group_by(0), "app");
  EXPECT_EQ(list(), (std::vector<std::string>{"from-config", "rpc-errors"}));
  Ingest("api", 4, 2, 100);
  ASSERT_TRUE(WaitFor([&] { return Fired("rpc-errors") == 1; }, kWait)) << collector_->log();
  EXPECT_EQ(Fired("from-config"), 0);  // 50% is not above 0.9.

  // ListAlerts validates its limit.
  {
    v1::ListAlertsRequest request;
    request.set_limit(5000);
    grpc::ClientContext context;
    v1::ListAlertsResponse response;
    EXPECT_EQ(query_->ListAlerts(&context, request, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }

  // Delete: unknown -> NOT_FOUND; known -> gone, and stays gone after a restart, while an
  // upserted rule survives it.
  ASSERT_TRUE(upsert(R"(name: "keep-me" kind: ALERT_KIND_DRIFT rubric: "q" alert_above: 3)",
                     &stored)
                  .ok());
  {
    v1::DeleteAlertRuleRequest request;
    request.set_name("nope");
    grpc::ClientContext context;
    v1::DeleteAlertRuleResponse response;
    EXPECT_EQ(query_->DeleteAlertRule(&context, request, &response).error_code(),
              grpc::StatusCode::NOT_FOUND);
  }
  {
    v1::DeleteAlertRuleRequest request;
    request.set_name("rpc-errors");
    grpc::ClientContext context;
    v1::DeleteAlertRuleResponse response;
    EXPECT_TRUE(query_->DeleteAlertRule(&context, request, &response).ok());
  }
  EXPECT_EQ(list(), (std::vector<std::string>{"from-config", "keep-me"}));
  collector_->Stop();
  ASSERT_TRUE(collector_->Start()) << collector_->log();
  Connect();
  EXPECT_EQ(list(), (std::vector<std::string>{"from-config", "keep-me"}));
  EXPECT_EQ(Fired("rpc-errors"), 1);  // Events outlive their rule.
}

TEST(AlertsConfig, InvalidRuleOrWebhookInTheConfigStopsTheDaemonNamingIt) {
  const std::pair<std::string, std::string> bad[] = {
      {R"(alerting { rules { name: "drift" kind: ALERT_KIND_DRIFT alert_above: 3 } })",
       "config alerting.rules: alert rule 'drift': rubric: required"},
      {R"(alerting { webhooks { name: "ops" url: "ftp://x" } })",
       "alerting.webhooks[0].url: want http:// or https://"},
      {R"(alerting { rules { name: "e" kind: ALERT_KIND_ERROR_RATE_ABOVE alert_above: 0.5
                             webhooks: "nope" } })",
       "webhooks: no webhook named 'nope'"},
  };
  for (const auto& [config, message] : bad) {
    CollectorProcess collector(config);
    EXPECT_FALSE(collector.Start()) << config;
    EXPECT_NE(collector.log().find(message), std::string::npos) << collector.log();
  }
}

TEST_F(AlertsTest, RubricMeanBelowThresholdFiresFromScores) {
  StartCollector(R"(
  rules { name: "polite" kind: ALERT_KIND_SCORE_BELOW rubric: "starts-polite" app: "chat"
          warn_below: 0.8 alert_below: 0.5 min_count: 12 })",
                 R"(rubrics { name: "starts-polite" kind: RUBRIC_KIND_REGEX
                              regex { must: "^Thanks" } })");
  Ingest("chat", 6, 0, 100, "Thanks for asking.");
  Ingest("chat", 6, 0, 100, "No.");  // Mean of the 12 scores: 0.5, not below alert_below.
  // min_count 12: the rule judges only once every score is in.
  ASSERT_TRUE(WaitFor([&] { return Fired("polite") == 1; }, kWait)) << collector_->log();
  auto events = ListAlerts("polite");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].level(), v1::ALERT_LEVEL_WARN);
  EXPECT_DOUBLE_EQ(events[0].value(), 0.5);
  EXPECT_EQ(events[0].count(), 12u);
  // More failing answers: the mean drops below 0.5 as soon as one of them is scored (scoring
  // runs beside the evaluator, so the event may see 13 to 16 scores).
  Ingest("chat", 4, 0, 100, "No.");
  ASSERT_TRUE(WaitFor([&] { return ListAlerts("polite").size() == 2; }, kWait));
  events = ListAlerts("polite");
  EXPECT_EQ(events[0].level(), v1::ALERT_LEVEL_ALERT);
  EXPECT_EQ(events[0].previous_level(), v1::ALERT_LEVEL_WARN);
  EXPECT_GE(events[0].count(), 13u);
  EXPECT_LE(events[0].count(), 16u);
  EXPECT_DOUBLE_EQ(events[0].value(), 6.0 / events[0].count());
}

}  // namespace
}  // namespace llmtap
