// WebhookNotifier: posts alert events to webhooks as Slack-compatible JSON, off the caller's
// thread, with retries.
//
//   WebhookNotifier notifier(config.webhooks(), http.get(), &metrics, on_delivered);
//   notifier.Start();
//   notifier.Notify(event, rule.webhooks());   // never blocks on I/O
//   notifier.Stop();
//
// Each (event, webhook) pair is one delivery in a bounded queue (kMaxQueuedDeliveries); when
// it is full the oldest delivery is dropped and counted. One worker thread sends them in order.
// A delivery that fails (transport error, 408, 429 or 5xx) is retried after a backoff of
// kFirstBackoff doubling per attempt up to kMaxBackoff (a Retry-After header wins, capped at
// kMaxBackoff), up to the webhook's max_attempts (default 5); other 4xx answers are final.
// Retries wait in the queue, so a failing webhook does not hold back others' deliveries.
// When every delivery of an event succeeded, `on_delivered` runs (on the worker thread).
//
// Thread-safe. Counters (when `metrics` is given): llmtap_alert_webhook_{sent,retries,failed,
// dropped}_total, gauge llmtap_alert_webhook_queue.
#ifndef LLMTAP_COLLECTOR_ALERTING_WEBHOOK_NOTIFIER_H_
#define LLMTAP_COLLECTOR_ALERTING_WEBHOOK_NOTIFIER_H_

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/common/metrics.h"
#include "llmtap/v1/alert.pb.h"
#include "llmtap/v1/config.pb.h"
#include "sdk/src/http/http_client.h"

namespace llmtap::collector {

inline constexpr size_t kMaxQueuedDeliveries = 1000;
inline constexpr uint32_t kDefaultWebhookAttempts = 5;
inline constexpr uint32_t kMaxWebhookAttempts = 20;
inline constexpr absl::Duration kFirstBackoff = absl::Milliseconds(250);
inline constexpr absl::Duration kMaxBackoff = absl::Seconds(30);
inline constexpr absl::Duration kWebhookTimeout = absl::Seconds(10);

// The JSON body posted for `event`: {"text": <event.message>} for Slack, plus the event's
// fields ("id", "rule", "group", "kind", "level", "previous_level", "status" ("fired",
// "changed" or "resolved"), "value", "count", "time_unix_nano", "time").
std::string WebhookPayload(const v1::AlertEvent& event, v1::AlertKind kind);

// INVALID_ARGUMENT naming the field: names unique and [a-z0-9_.-]{1,64}, url http(s)://,
// max_attempts at most kMaxWebhookAttempts.
absl::Status ValidateWebhooks(const google::protobuf::RepeatedPtrField<v1::Webhook>& webhooks);

class WebhookNotifier {
 public:
  using OnDelivered = std::function<void(const v1::AlertEvent&)>;

  // `http` and `metrics` (may be null) must outlive the notifier.
  WebhookNotifier(const google::protobuf::RepeatedPtrField<v1::Webhook>& webhooks,
                  internal::HttpClient* http, Metrics* metrics, OnDelivered on_delivered);
  // Stops (see Stop()).
  ~WebhookNotifier();

  // Starts the worker thread. Call once.
  void Start();
  // Stops the worker: an HTTP call in flight is cancelled, queued deliveries are dropped
  // (counted). Returns after the thread has exited. Idempotent.
  void Stop();

  // Queues `event` for the webhooks named in `webhooks` (empty: every webhook). Returns at
  // once. Names not configured are ignored (rules are validated against the config).
  void Notify(const v1::AlertEvent& event, v1::AlertKind kind,
              const google::protobuf::RepeatedPtrField<std::string>& webhooks);

  // Deliveries waiting (including those waiting for a retry).
  size_t queued() const;

 private:
  struct Delivery {
    std::string event_id;
    size_t webhook = 0;  // Index in webhooks_.
    uint32_t attempt = 0;
    std::string body;
  };
  struct Pending {
    v1::AlertEvent event;
    int deliveries_left = 0;
    bool all_ok = true;
  };

  void Run();
  // Sends one attempt; returns the delay before a retry, or nullopt when done (ok or final).
  std::optional<absl::Duration> Send(const Delivery& d, bool* ok);
  // Records the end of one delivery of an event; returns the event when all succeeded.
  std::optional<v1::AlertEvent> FinishLocked(const std::string& event_id, bool ok)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DropOldestLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Immutable after construction.
  const std::vector<v1::Webhook> webhooks_;
  internal::HttpClient* const http_;
  const OnDelivered on_delivered_;
  Counter* sent_ = nullptr;
  Counter* retries_ = nullptr;
  Counter* failed_ = nullptr;
  Counter* dropped_ = nullptr;

  std::atomic<bool> cancel_{false};
  std::thread thread_;

  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<Delivery> ready_ ABSL_GUARDED_BY(mu_);
  std::multimap<absl::Time, Delivery> retry_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Pending> pending_ ABSL_GUARDED_BY(mu_);
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_ALERTING_WEBHOOK_NOTIFIER_H_
