// AlertLog: alert events stored in the meta column family under "alert/" be64(time) id (see
// store/keys.h), so that key order is time order.
//
//   AlertLog log(store);
//   log.Put(event);
//   auto events = log.List(request);   // newest first
//
// Thread-safe (the Store is). Events are few (a rule and group fires at most once per
// cooldown), so List() scans them all.
#ifndef LLMTAP_COLLECTOR_ALERTING_ALERT_LOG_H_
#define LLMTAP_COLLECTOR_ALERTING_ALERT_LOG_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/store/store.h"
#include "llmtap/v1/alert.pb.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

// ListAlertsRequest.limit: default and most.
inline constexpr uint32_t kDefaultListAlertsLimit = 100;
inline constexpr uint32_t kMaxListAlertsLimit = 1000;

class AlertLog {
 public:
  // `store` must outlive the log.
  explicit AlertLog(Store* store) : store_(store) {}

  // A new unique, time-ordered event id: 16 hex digits of the time in nanoseconds, then 8 of
  // a per-process sequence mixed with randomness.
  static std::string NewId(absl::Time time);

  // Stores `event` (keyed by its time and id); storing it again overwrites it.
  absl::Status Put(const v1::AlertEvent& event);

  // Events matching the request, newest first. INVALID_ARGUMENT on a limit over
  // kMaxListAlertsLimit or a negative since_unix_nano.
  absl::StatusOr<std::vector<v1::AlertEvent>> List(const v1::ListAlertsRequest& request) const;

  // Visits every stored event, oldest first.
  absl::Status ForEach(const std::function<void(const v1::AlertEvent&)>& visit) const;

 private:
  Store* const store_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_ALERTING_ALERT_LOG_H_
