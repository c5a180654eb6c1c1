#include "collector/judge/spend_meter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace llmtap::collector {
namespace {

using ::testing::DoubleNear;
using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

TEST(SpendMeter, RefusesOnceTheHourlyCapIsReached) {
  SpendMeter meter(1.0);
  ASSERT_TRUE(meter.Admit(kT0).ok());
  meter.Add(kT0, 0.6);
  ASSERT_TRUE(meter.Admit(kT0).ok());
  meter.Add(kT0 + absl::Minutes(1), 0.4);
  absl::Status s = meter.Admit(kT0 + absl::Minutes(2));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(s.message(), HasSubstr("spend_cap: $1 spent in the last hour, cap $1"));
}

TEST(SpendMeter, SpendRollsOffAfterAnHour) {
  SpendMeter meter(1.0);
  meter.Add(kT0, 0.7);
  meter.Add(kT0 + absl::Minutes(30), 0.5);
  EXPECT_FALSE(meter.Admit(kT0 + absl::Minutes(59)).ok());
  EXPECT_THAT(meter.SpentInWindow(kT0 + absl::Minutes(60)), DoubleNear(0.5, 1e-12));
  EXPECT_TRUE(meter.Admit(kT0 + absl::Minutes(60)).ok());
  EXPECT_THAT(meter.SpentInWindow(kT0 + absl::Minutes(90)), DoubleNear(0, 1e-12));
}

TEST(SpendMeter, NoCapNeverRefuses) {
  SpendMeter meter(0);
  meter.Add(kT0, 1e9);
  EXPECT_TRUE(meter.Admit(kT0).ok());
}

}  // namespace
}  // namespace llmtap::collector
