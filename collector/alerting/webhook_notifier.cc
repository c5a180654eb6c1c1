#include "collector/alerting/webhook_notifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "collector/alerting/alert_rule.h"
#include "collector/common/strings.h"

namespace llmtap::collector {
namespace {

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
  });
}

std::string Status(const v1::AlertEvent& e) {
  if (e.level() == v1::ALERT_LEVEL_OK) return "resolved";
  return e.previous_level() == v1::ALERT_LEVEL_OK ? "fired" : "changed";
}

// Worth another attempt: the server may answer differently later.
bool Retryable(int http_status) {
  return http_status == 408 || http_status == 429 || http_status >= 500;
}

}  // namespace

std::string WebhookPayload(const v1::AlertEvent& e, v1::AlertKind kind) {
  nlohmann::json j;
  j["text"] = e.message();
  j["id"] = e.id();
  j["rule"] = e.rule();
  j["group"] = e.group();
  j["kind"] = v1::AlertKind_Name(kind);
  j["level"] = LevelName(e.level());
  j["previous_level"] = LevelName(e.previous_level());
  j["status"] = Status(e);
  j["value"] = std::isfinite(e.value()) ? nlohmann::json(e.value()) : nlohmann::json(nullptr);
  j["count"] = e.count();
  j["time_unix_nano"] = e.time_unix_nano();
  j["time"] = absl::FormatTime(absl::RFC3339_full, absl::FromUnixNanos(e.time_unix_nano()),
                               absl::UTCTimeZone());
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

absl::Status ValidateWebhooks(const google::protobuf::RepeatedPtrField<v1::Webhook>& webhooks) {
  std::set<std::string> names;
  for (int i = 0; i < webhooks.size(); ++i) {
    const v1::Webhook& w = webhooks[i];
    const std::string field = Cat("alerting.webhooks[", i, "]");
    if (!ValidName(w.name())) {
      return absl::InvalidArgumentError(Cat(field, ".name: want [a-z0-9_.-]{1,64}"));
    }
    if (!names.insert(w.name()).second) {
      return absl::InvalidArgumentError(Cat(field, ".name: '", w.name(), "' twice"));
    }
    if (!(w.url().starts_with("http://") || w.url().starts_with("https://"))) {
      return absl::InvalidArgumentError(Cat(field, ".url: want http:// or https://"));
    }
    if (w.has_max_attempts() && (w.max_attempts() < 1 || w.max_attempts() > kMaxWebhookAttempts)) {
      return absl::InvalidArgumentError(
          Cat(field, ".max_attempts: must be in [1, ", kMaxWebhookAttempts, "]"));
    }
  }
  return absl::OkStatus();
}

WebhookNotifier::WebhookNotifier(const google::protobuf::RepeatedPtrField<v1::Webhook>& webhooks,
                                 internal::HttpClient* http, Metrics* metrics,
                                 OnDelivered on_delivered)
    : webhooks_(webhooks.begin(), webhooks.end()),
      http_(http),
      on_delivered_(std::move(on_delivered)) {
  static Counter unused[4];
  sent_ = &unused[0];
  retries_ = &unused[1];
  failed_ = &unused[2];
  dropped_ = &unused[3];
  if (metrics != nullptr) {
    sent_ = metrics->AddCounter("llmtap_alert_webhook_sent_total",
                                "Alert event deliveries a webhook accepted (2xx).");
    retries_ = metrics->AddCounter("llmtap_alert_webhook_retries_total",
                                   "Webhook delivery attempts scheduled again after a failure.");
    failed_ = metrics->AddCounter("llmtap_alert_webhook_failed_total",
                                  "Webhook deliveries given up after their last attempt.");
    dropped_ = metrics->AddCounter("llmtap_alert_webhook_dropped_total",
                                   "Webhook deliveries dropped: queue full or shutdown.");
    metrics->AddGauge("llmtap_alert_webhook_queue", "Webhook deliveries waiting.",
                      [this] { return static_cast<double>(queued()); });
  }
}

WebhookNotifier::~WebhookNotifier() { Stop(); }

void WebhookNotifier::Start() { thread_ = std::thread([this] { Run(); }); }

void WebhookNotifier::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
    dropped_->Add(ready_.size() + retry_.size());
    ready_.clear();
    retry_.clear();
    pending_.clear();
  }
  cancel_.store(true);
  if (thread_.joinable()) thread_.join();
}

size_t WebhookNotifier::queued() const {
  absl::MutexLock lock(&mu_);
  return ready_.size() + retry_.size();
}

void WebhookNotifier::DropOldestLocked() {
  Delivery oldest;
  if (!ready_.empty()) {
    oldest = std::move(ready_.front());
    ready_.pop_front();
  } else {
    oldest = std::move(retry_.begin()->second);
    retry_.erase(retry_.begin());
  }
  dropped_->Add();
  FinishLocked(oldest.event_id, /*ok=*/false);
}

void WebhookNotifier::Notify(const v1::AlertEvent& event, v1::AlertKind kind,
                             const google::protobuf::RepeatedPtrField<std::string>& names) {
  std::vector<size_t> targets;
  for (size_t i = 0; i < webhooks_.size(); ++i) {
    if (names.empty() || std::find(names.begin(), names.end(), webhooks_[i].name()) != names.end()) {
      targets.push_back(i);
    }
  }
  if (targets.empty()) return;
  const std::string body = WebhookPayload(event, kind);
  absl::MutexLock lock(&mu_);
  if (stop_) {
    dropped_->Add(targets.size());
    return;
  }
  Pending& p = pending_[event.id()];
  p.event = event;
  p.deliveries_left += static_cast<int>(targets.size());
  for (size_t t : targets) {
    while (ready_.size() + retry_.size() >= kMaxQueuedDeliveries) DropOldestLocked();
    ready_.push_back(Delivery{event.id(), t, 0, body});
  }
}

std::optional<v1::AlertEvent> WebhookNotifier::FinishLocked(const std::string& event_id, bool ok) {
  auto it = pending_.find(event_id);
  if (it == pending_.end()) return std::nullopt;
  it->second.all_ok = it->second.all_ok && ok;
  if (--it->second.deliveries_left > 0) return std::nullopt;
  std::optional<v1::AlertEvent> delivered;
  if (it->second.all_ok) delivered = std::move(it->second.event);
  pending_.erase(it);
  return delivered;
}

std::optional<absl::Duration> WebhookNotifier::Send(const Delivery& d, bool* ok) {
  const v1::Webhook& w = webhooks_[d.webhook];
  internal::HttpRequest request;
  request.method = "POST";
  request.url = w.url();
  request.headers = {{"Content-Type", "application/json"}};
  request.body = d.body;
  request.timeout = std::chrono::milliseconds(absl::ToInt64Milliseconds(kWebhookTimeout));
  request.connect_timeout = request.timeout;
  request.cancel = &cancel_;
  absl::StatusOr<internal::HttpResponse> response = http_->Send(request);
  *ok = response.ok() && response->status / 100 == 2;
  if (*ok) return std::nullopt;
  const std::string what = response.ok() ? Cat("HTTP ", response->status)
                                         : std::string(response.status().message());
  const uint32_t attempts = w.has_max_attempts() ? w.max_attempts() : kDefaultWebhookAttempts;
  if ((response.ok() && !Retryable(response->status)) || d.attempt + 1 >= attempts ||
      cancel_.load()) {
    spdlog::warn("webhook {}: alert event {} not delivered after {} attempt(s): {}", w.name(),
                 d.event_id, d.attempt + 1, what);
    return std::nullopt;
  }
  absl::Duration delay = std::min(kMaxBackoff, kFirstBackoff * (1 << std::min(d.attempt, 16u)));
  if (response.ok()) {
    if (auto after = response->RetryAfter()) {
      delay = std::min(kMaxBackoff, absl::FromChrono(*after));
    }
  }
  spdlog::info("webhook {}: attempt {} for alert event {} failed ({}); retry in {}", w.name(),
               d.attempt + 1, d.event_id, what, absl::FormatDuration(delay));
  return delay;
}

void WebhookNotifier::Run() {
  while (true) {
    Delivery d;
    {
      absl::MutexLock lock(&mu_);
      while (!stop_) {
        const absl::Time now = absl::Now();
        while (!retry_.empty() && retry_.begin()->first <= now) {
          ready_.push_back(std::move(retry_.begin()->second));
          retry_.erase(retry_.begin());
        }
        if (!ready_.empty()) break;
        auto work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stop_ || !ready_.empty();
        };
        if (retry_.empty()) {
          mu_.Await(absl::Condition(&work));
        } else {
          mu_.AwaitWithDeadline(absl::Condition(&work), retry_.begin()->first);
        }
      }
      if (stop_) return;
      d = std::move(ready_.front());
      ready_.pop_front();
    }
    bool ok = false;
    std::optional<absl::Duration> retry_in = Send(d, &ok);
    std::optional<v1::AlertEvent> delivered;
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return;
      if (retry_in) {
        retries_->Add();
        ++d.attempt;
        retry_.emplace(absl::Now() + *retry_in, std::move(d));
      } else {
        (ok ? sent_ : failed_)->Add();
        delivered = FinishLocked(d.event_id, ok);
      }
    }
    if (delivered && on_delivered_) on_delivered_(*delivered);
  }
}

}  // namespace llmtap::collector
