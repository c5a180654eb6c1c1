#include "collector/auth/audit_log.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "collector/store/keys.h"

namespace llmtap::collector {

absl::Status AuditLog::Record(const Principal& actor, std::string_view action,
                              std::string_view target, std::string_view detail) {
  v1::AuditEvent event;
  event.set_unix_nano(absl::GetCurrentTimeNanos());
  event.set_actor(actor.key_id());
  event.set_action(std::string(action));
  event.set_target(std::string(target));
  event.set_detail(std::string(detail));
  std::string key(keys::kAuditPrefix);
  keys::PutBE64(&key, static_cast<uint64_t>(event.unix_nano()));
  keys::PutBE64(&key, seq_.fetch_add(1));
  return store_->PutMeta(key, event.SerializeAsString());
}

absl::StatusOr<std::vector<v1::AuditEvent>> AuditLog::List(uint32_t limit) const {
  if (limit > kMaxLimit) return absl::InvalidArgumentError(Cat("limit: at most ", kMaxLimit));
  if (limit == 0) limit = kDefaultLimit;
  std::vector<v1::AuditEvent> events;
  absl::Status s = store_->ScanMeta(keys::kAuditPrefix, [&](std::string_view, std::string_view v) {
    v1::AuditEvent e;
    if (e.ParseFromArray(v.data(), static_cast<int>(v.size()))) events.push_back(std::move(e));
  });
  if (!s.ok()) return s;
  std::reverse(events.begin(), events.end());
  if (events.size() > limit) events.resize(limit);
  return events;
}

}  // namespace llmtap::collector
