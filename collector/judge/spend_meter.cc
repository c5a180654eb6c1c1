#include "collector/judge/spend_meter.h"

#include "collector/common/strings.h"

namespace llmtap::collector {

SpendMeter::SpendMeter(double max_usd_per_hour) : max_usd_per_hour_(max_usd_per_hour) {}

absl::Status SpendMeter::Admit(absl::Time now) {
  if (max_usd_per_hour_ <= 0) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  ExpireLocked(now);
  if (total_ < max_usd_per_hour_) return absl::OkStatus();
  return absl::ResourceExhaustedError(Cat("spend_cap: $", total_, " spent in the last hour, cap $",
                                          max_usd_per_hour_));
}

void SpendMeter::Add(absl::Time now, double usd) {
  if (usd <= 0) return;
  absl::MutexLock lock(&mu_);
  spends_.emplace_back(now, usd);
  total_ += usd;
  ExpireLocked(now);
}

double SpendMeter::SpentInWindow(absl::Time now) {
  absl::MutexLock lock(&mu_);
  ExpireLocked(now);
  return total_;
}

void SpendMeter::ExpireLocked(absl::Time now) {
  while (!spends_.empty() && spends_.front().first <= now - kWindow) {
    total_ -= spends_.front().second;
    spends_.pop_front();
  }
  if (spends_.empty()) total_ = 0;  // No rounding drift left behind.
}

}  // namespace llmtap::collector
