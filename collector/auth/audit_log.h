// AuditLog: every admin action (keys made or revoked, rubrics and alert rules changed), with
// who did it, kept in the meta column family ("audit/", keys.h) and listed newest first by
// AdminService.ListAudit. Kept as long as the database (admin actions are rare).
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_AUTH_AUDIT_LOG_H_
#define LLMTAP_COLLECTOR_AUTH_AUDIT_LOG_H_

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "collector/auth/principal.h"
#include "collector/store/store.h"
#include "llmtap/v1/security.pb.h"

namespace llmtap::collector {

class AuditLog {
 public:
  static constexpr uint32_t kDefaultLimit = 100;
  static constexpr uint32_t kMaxLimit = 1000;

  // `store` must outlive this.
  explicit AuditLog(Store* store) : store_(store) {}

  // Stores one event. A failure to store is returned (the action already happened: callers
  // log it; they do not undo the action).
  absl::Status Record(const Principal& actor, std::string_view action, std::string_view target,
                      std::string_view detail);
  // Newest first, at most `limit` (0 = kDefaultLimit; more than kMaxLimit is INVALID_ARGUMENT).
  absl::StatusOr<std::vector<v1::AuditEvent>> List(uint32_t limit) const;

 private:
  Store* const store_;
  std::atomic<uint64_t> seq_{0};
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_AUTH_AUDIT_LOG_H_
