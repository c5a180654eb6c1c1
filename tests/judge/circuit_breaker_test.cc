#include "collector/judge/circuit_breaker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace llmtap::collector {
namespace {

using ::testing::HasSubstr;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresOnly) {
  CircuitBreaker breaker(3, absl::Seconds(30));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(breaker.Admit(kT0).ok());
    breaker.RecordFailure(kT0);
  }
  ASSERT_TRUE(breaker.Admit(kT0).ok());
  breaker.RecordSuccess();  // Resets the count.
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(breaker.Admit(kT0).ok());
    breaker.RecordFailure(kT0);
  }
  ASSERT_TRUE(breaker.Admit(kT0).ok());
  breaker.RecordFailure(kT0);
  absl::Status s = breaker.Admit(kT0 + absl::Seconds(29));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(s.message(), HasSubstr("circuit_open: 3 failed calls in a row"));
}

TEST(CircuitBreaker, HalfOpenAdmitsOneProbeAndASuccessCloses) {
  CircuitBreaker breaker(1, absl::Seconds(10));
  ASSERT_TRUE(breaker.Admit(kT0).ok());
  breaker.RecordFailure(kT0);
  EXPECT_FALSE(breaker.Admit(kT0 + absl::Seconds(9)).ok());
  const absl::Time later = kT0 + absl::Seconds(10);
  ASSERT_TRUE(breaker.Admit(later).ok());  // The probe.
  absl::Status second = breaker.Admit(later);
  EXPECT_THAT(second.message(), HasSubstr("probe call is in flight"));
  breaker.RecordSuccess();
  EXPECT_TRUE(breaker.Admit(later).ok());
  EXPECT_TRUE(breaker.Admit(later).ok());
}

TEST(CircuitBreaker, FailedProbeOpensAgainForTheFullPeriod) {
  CircuitBreaker breaker(2, absl::Seconds(10));
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(breaker.Admit(kT0).ok());
    breaker.RecordFailure(kT0);
  }
  const absl::Time probe = kT0 + absl::Seconds(11);
  ASSERT_TRUE(breaker.Admit(probe).ok());
  breaker.RecordFailure(probe);
  EXPECT_FALSE(breaker.Admit(probe + absl::Seconds(9)).ok());
  EXPECT_TRUE(breaker.Admit(probe + absl::Seconds(10)).ok());
}

}  // namespace
}  // namespace llmtap::collector
