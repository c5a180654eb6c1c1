#include "collector/alerting/alert_state.h"

namespace llmtap::collector {

Step AlertState::Apply(v1::AlertLevel target, absl::Time now, absl::Duration cooldown) {
  Step step;
  step.from = level_;
  step.to = level_;
  if (target == level_) return step;
  if (level_ == v1::ALERT_LEVEL_OK) {
    if (now < last_fired_ + cooldown) {
      step.suppressed = true;
      return step;
    }
    last_fired_ = now;
  }
  level_ = target;
  step.to = target;
  step.emit = true;
  return step;
}

}  // namespace llmtap::collector
