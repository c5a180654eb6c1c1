#include "collector/alerting/alert_log.h"

#include <atomic>
#include <deque>
#include <random>

#include "absl/strings/str_format.h"
#include "collector/common/strings.h"
#include "collector/store/keys.h"

namespace llmtap::collector {

std::string AlertLog::NewId(absl::Time time) {
  static std::atomic<uint32_t> sequence{std::random_device{}()};
  const uint32_t seq = sequence.fetch_add(1, std::memory_order_relaxed);
  return absl::StrFormat("%016x%08x", static_cast<uint64_t>(absl::ToUnixNanos(time)), seq);
}

absl::Status AlertLog::Put(const v1::AlertEvent& event) {
  std::string key(keys::kAlertPrefix);
  keys::PutBE64(&key, static_cast<uint64_t>(event.time_unix_nano()));
  key += event.id();
  return store_->PutMeta(key, event.SerializeAsString());
}

absl::Status AlertLog::ForEach(const std::function<void(const v1::AlertEvent&)>& visit) const {
  return store_->ScanMeta(keys::kAlertPrefix, [&](std::string_view, std::string_view value) {
    v1::AlertEvent event;
    if (event.ParseFromArray(value.data(), static_cast<int>(value.size()))) visit(event);
  });
}

absl::StatusOr<std::vector<v1::AlertEvent>> AlertLog::List(
    const v1::ListAlertsRequest& request) const {
  if (request.limit() > kMaxListAlertsLimit) {
    return absl::InvalidArgumentError(Cat("limit: at most ", kMaxListAlertsLimit));
  }
  if (request.since_unix_nano() < 0) {
    return absl::InvalidArgumentError("since_unix_nano: must be >= 0");
  }
  const size_t limit = request.limit() ? request.limit() : kDefaultListAlertsLimit;
  std::deque<v1::AlertEvent> newest;
  absl::Status s = ForEach([&](const v1::AlertEvent& e) {
    if (e.time_unix_nano() < request.since_unix_nano()) return;
    if (!request.rule().empty() && e.rule() != request.rule()) return;
    newest.push_back(e);
    if (newest.size() > limit) newest.pop_front();
  });
  if (!s.ok()) return s;
  return std::vector<v1::AlertEvent>(newest.rbegin(), newest.rend());
}

}  // namespace llmtap::collector
