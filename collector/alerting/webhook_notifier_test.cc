#include "collector/alerting/webhook_notifier.h"

#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "absl/synchronization/notification.h"
#include "sdk/src/http/testing/fake_http_client.h"

namespace llmtap::collector {
namespace {

using internal::FakeHttpClient;
using internal::HttpRequest;
using internal::HttpResponse;

google::protobuf::RepeatedPtrField<v1::Webhook> Hooks(const std::string& text) {
  v1::AlertingConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config));
  return config.webhooks();
}

v1::AlertEvent Event(const std::string& id) {
  v1::AlertEvent e;
  e.set_id(id);
  e.set_rule("errors");
  e.set_group("checkout");
  e.set_level(v1::ALERT_LEVEL_ALERT);
  e.set_previous_level(v1::ALERT_LEVEL_OK);
  e.set_value(0.5);
  e.set_count(20);
  e.set_time_unix_nano(1'700'000'000'000'000'000LL);
  e.set_message("[ALERT] errors (checkout): error rate 0.5 > 0.2");
  return e;
}

TEST(WebhookPayload, IsSlackTextPlusEventFields) {
  auto j = nlohmann::json::parse(WebhookPayload(Event("e1"), v1::ALERT_KIND_ERROR_RATE_ABOVE));
  EXPECT_EQ(j["text"], "[ALERT] errors (checkout): error rate 0.5 > 0.2");
  EXPECT_EQ(j["rule"], "errors");
  EXPECT_EQ(j["group"], "checkout");
  EXPECT_EQ(j["level"], "ALERT");
  EXPECT_EQ(j["previous_level"], "OK");
  EXPECT_EQ(j["status"], "fired");
  EXPECT_EQ(j["kind"], "ALERT_KIND_ERROR_RATE_ABOVE");
  EXPECT_EQ(j["value"], 0.5);
  EXPECT_EQ(j["count"], 20);
  EXPECT_EQ(j["time"], "2023-11-14T22:13:20+00:00");
}

TEST(WebhookNotifier, RetriesServerErrorsThenReportsDelivery) {
  std::atomic<int> calls{0};
  FakeHttpClient http([&](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    HttpResponse r;
    r.status = ++calls <= 2 ? 503 : 200;
    return r;
  });
  Metrics metrics;
  absl::Notification delivered;
  std::string delivered_id;
  WebhookNotifier notifier(Hooks(R"(webhooks { name: "ops" url: "http://hook/a" })"), &http,
                           &metrics, [&](const v1::AlertEvent& e) {
                             delivered_id = e.id();
                             delivered.Notify();
                           });
  notifier.Start();
  const absl::Time start = absl::Now();
  notifier.Notify(Event("e1"), v1::ALERT_KIND_ERROR_RATE_ABOVE, {});
  ASSERT_TRUE(delivered.WaitForNotificationWithTimeout(absl::Seconds(10)));
  // Two backoffs: 250 ms then 500 ms.
  EXPECT_GE(absl::Now() - start, kFirstBackoff * 3);
  EXPECT_EQ(delivered_id, "e1");
  EXPECT_EQ(calls.load(), 3);
  auto requests = http.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].url, "http://hook/a");
  EXPECT_EQ(requests[0].body, requests[2].body);
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("llmtap_alert_webhook_retries_total 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("llmtap_alert_webhook_sent_total 1\n"), std::string::npos) << text;
}

TEST(WebhookNotifier, GivesUpAfterMaxAttemptsAndOnClientErrors) {
  FakeHttpClient http([&](const HttpRequest& req) -> absl::StatusOr<HttpResponse> {
    if (req.url.ends_with("/down")) return absl::UnavailableError("connection refused");
    HttpResponse r;
    r.status = 400;
    return r;
  });
  Metrics metrics;
  std::atomic<int> delivered{0};
  WebhookNotifier notifier(Hooks(R"(webhooks { name: "down" url: "http://h/down" max_attempts: 2 }
                                    webhooks { name: "bad" url: "http://h/bad" })"),
                           &http, &metrics, [&](const v1::AlertEvent&) { ++delivered; });
  notifier.Start();
  notifier.Notify(Event("e1"), v1::ALERT_KIND_ERROR_RATE_ABOVE, {});
  for (int i = 0; i < 100 && metrics.Render().find("failed_total 2\n") == std::string::npos; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_NE(metrics.Render().find("llmtap_alert_webhook_failed_total 2\n"), std::string::npos);
  EXPECT_EQ(http.requests().size(), 3u);  // down: 2 attempts; bad: 1 (400 is final).
  EXPECT_EQ(delivered.load(), 0);
}

TEST(WebhookNotifier, SendsOnlyToTheNamedWebhooks) {
  FakeHttpClient http([&](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    HttpResponse r;
    r.status = 204;
    return r;
  });
  absl::Notification done;
  WebhookNotifier notifier(
      Hooks(R"(webhooks { name: "a" url: "http://h/a" } webhooks { name: "b" url: "http://h/b" })"),
      &http, nullptr, [&](const v1::AlertEvent&) { done.Notify(); });
  notifier.Start();
  google::protobuf::RepeatedPtrField<std::string> names;
  names.Add("b");
  notifier.Notify(Event("e1"), v1::ALERT_KIND_ERROR_RATE_ABOVE, names);
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  ASSERT_EQ(http.requests().size(), 1u);
  EXPECT_EQ(http.requests()[0].url, "http://h/b");
}

TEST(WebhookNotifier, FullQueueDropsOldestAndCountsIt) {
  absl::Notification release;
  FakeHttpClient http([&](const HttpRequest&) -> absl::StatusOr<HttpResponse> {
    release.WaitForNotification();  // The worker holds the first delivery.
    HttpResponse r;
    r.status = 200;
    return r;
  });
  Metrics metrics;
  WebhookNotifier notifier(Hooks(R"(webhooks { name: "a" url: "http://h/a" })"), &http, &metrics,
                           nullptr);
  notifier.Start();
  notifier.Notify(Event("first"), v1::ALERT_KIND_ERROR_RATE_ABOVE, {});
  for (int i = 0; i < 200 && http.requests().empty(); ++i) absl::SleepFor(absl::Milliseconds(5));
  ASSERT_EQ(http.requests().size(), 1u);
  for (size_t i = 0; i < kMaxQueuedDeliveries + 5; ++i) {
    notifier.Notify(Event("e" + std::to_string(i)), v1::ALERT_KIND_ERROR_RATE_ABOVE, {});
  }
  EXPECT_EQ(notifier.queued(), kMaxQueuedDeliveries);
  EXPECT_NE(metrics.Render().find("llmtap_alert_webhook_dropped_total 5\n"), std::string::npos);
  release.Notify();
  notifier.Stop();  // Drops (and counts) what is still queued; never hangs.
}

}  // namespace
}  // namespace llmtap::collector
