#include "collector/alerting/alert_state.h"

#include <gtest/gtest.h>

namespace llmtap::collector {
namespace {

constexpr auto kOk = v1::ALERT_LEVEL_OK;
constexpr auto kWarn = v1::ALERT_LEVEL_WARN;
constexpr auto kAlert = v1::ALERT_LEVEL_ALERT;
constexpr auto kNoData = v1::ALERT_LEVEL_NO_DATA;

TEST(AlertState, FiresEscalatesAndResolves) {
  AlertState s;
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  const absl::Duration cooldown = absl::Minutes(10);
  EXPECT_FALSE(s.Apply(kOk, t0, cooldown).emit);
  Step step = s.Apply(kWarn, t0, cooldown);
  EXPECT_TRUE(step.emit);
  EXPECT_EQ(step.from, kOk);
  EXPECT_EQ(step.to, kWarn);
  EXPECT_FALSE(s.Apply(kWarn, t0 + absl::Seconds(1), cooldown).emit);  // Same level: nothing.
  step = s.Apply(kAlert, t0 + absl::Seconds(2), cooldown);  // Escalation ignores the cooldown.
  EXPECT_TRUE(step.emit);
  EXPECT_EQ(step.from, kWarn);
  step = s.Apply(kOk, t0 + absl::Seconds(3), cooldown);  // So does a resolution.
  EXPECT_TRUE(step.emit);
  EXPECT_EQ(step.to, kOk);
  EXPECT_EQ(s.last_fired(), t0);
}

TEST(AlertState, NoNewFiringWithinCooldownOfThePreviousOne) {
  AlertState s;
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  const absl::Duration cooldown = absl::Minutes(10);
  ASSERT_TRUE(s.Apply(kAlert, t0, cooldown).emit);
  ASSERT_TRUE(s.Apply(kOk, t0 + absl::Minutes(1), cooldown).emit);
  Step step = s.Apply(kAlert, t0 + absl::Minutes(9), cooldown);
  EXPECT_FALSE(step.emit);
  EXPECT_TRUE(step.suppressed);
  EXPECT_EQ(s.level(), kOk);
  step = s.Apply(kNoData, t0 + absl::Minutes(10), cooldown);  // Cooldown over (inclusive end).
  EXPECT_TRUE(step.emit);
  EXPECT_EQ(step.to, kNoData);
  EXPECT_EQ(s.last_fired(), t0 + absl::Minutes(10));
}

TEST(AlertState, RestoredStateKeepsItsCooldown) {
  AlertState s;
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  s.Restore(kOk, t0);
  EXPECT_TRUE(s.Apply(kAlert, t0 + absl::Seconds(30), absl::Minutes(1)).suppressed);
  s.Restore(kAlert, t0);
  EXPECT_FALSE(s.Apply(kAlert, t0 + absl::Seconds(30), absl::Minutes(1)).emit);
}

}  // namespace
}  // namespace llmtap::collector
