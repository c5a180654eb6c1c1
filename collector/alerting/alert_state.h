// The level of one rule for one group, and how a verdict moves it.
//
//   AlertState state;                                  // starts OK
//   Step step = state.Apply(target, now, cooldown);
//   if (step.emit) ... store and send an event from step.from to step.to ...
//
// Transitions:
//   OK -> WARN / ALERT / NO_DATA   a firing; refused (step.suppressed) while now is within the
//                                  cooldown of the previous firing of this rule and group;
//                                  the level stays OK and fires on a later evaluation once the
//                                  cooldown is over, if the condition still holds.
//   WARN <-> ALERT <-> NO_DATA     a change of level while firing: always emitted.
//   any non-OK -> OK               a resolution: always emitted.
// A target equal to the current level changes nothing.
//
// A value type; not thread-safe.
#ifndef LLMTAP_COLLECTOR_ALERTING_ALERT_STATE_H_
#define LLMTAP_COLLECTOR_ALERTING_ALERT_STATE_H_

#include "absl/time/time.h"
#include "llmtap/v1/alert.pb.h"

namespace llmtap::collector {

struct Step {
  bool emit = false;
  // A firing refused by the cooldown.
  bool suppressed = false;
  v1::AlertLevel from = v1::ALERT_LEVEL_OK;
  v1::AlertLevel to = v1::ALERT_LEVEL_OK;
};

class AlertState {
 public:
  // Moves toward `target` (OK, WARN, ALERT or NO_DATA) at time `now`.
  Step Apply(v1::AlertLevel target, absl::Time now, absl::Duration cooldown);

  // Restores a state (e.g. from stored events after a restart).
  void Restore(v1::AlertLevel level, absl::Time last_fired) {
    level_ = level;
    last_fired_ = last_fired;
  }

  v1::AlertLevel level() const { return level_; }
  absl::Time last_fired() const { return last_fired_; }

 private:
  v1::AlertLevel level_ = v1::ALERT_LEVEL_OK;
  absl::Time last_fired_ = absl::InfinitePast();
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_ALERTING_ALERT_STATE_H_
