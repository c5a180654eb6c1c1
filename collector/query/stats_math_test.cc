// Reference values computed once with SciPy 1.17.1 (scipy.special.betainc,
// scipy.stats.t.cdf / t.ppf, scipy.stats.ttest_ind(..., equal_var=False) and its
// confidence_interval(0.95)), printed with repr() and pasted here.
#include "collector/query/stats_math.h"

#include <cmath>
#include <vector>

#include "gtest/gtest.h"

namespace llmtap::collector {
namespace {

void ExpectRel(double got, double want, double rel) {
  EXPECT_NEAR(got, want, std::fabs(want) * rel) << "want " << want;
}

TEST(StatsMath, RegularizedIncompleteBetaMatchesScipy) {
  ExpectRel(RegularizedIncompleteBeta(2, 3, 0.4), 0.5247999999999999, 1e-13);
  ExpectRel(RegularizedIncompleteBeta(0.5, 0.5, 0.3), 0.36901011956554536, 1e-13);
  ExpectRel(RegularizedIncompleteBeta(50, 0.5, 0.99), 0.3173043978741973, 1e-12);
  ExpectRel(RegularizedIncompleteBeta(5e5, 0.5, 0.999996), 0.04550010192315519, 1e-9);
  ExpectRel(RegularizedIncompleteBeta(10, 20, 0.9), 0.9999999999999593, 1e-14);
  EXPECT_EQ(RegularizedIncompleteBeta(2, 3, 0), 0);
  EXPECT_EQ(RegularizedIncompleteBeta(2, 3, 1), 1);
  EXPECT_TRUE(std::isnan(RegularizedIncompleteBeta(-1, 3, 0.5)));
  EXPECT_TRUE(std::isnan(RegularizedIncompleteBeta(2, 3, 1.5)));
}

TEST(StatsMath, StudentTCdfMatchesScipy) {
  ExpectRel(StudentTCdf(2.0, 5), 0.9490302605850708, 1e-13);
  ExpectRel(StudentTCdf(-1.5, 3.7), 0.10679908460100675, 1e-12);
  ExpectRel(StudentTCdf(-8, 10), 5.887471394833083e-06, 1e-11);
  ExpectRel(StudentTCdf(0.3, 1e6), 0.617911391010503, 1e-10);
  ExpectRel(StudentTCdf(1.0, 1), 0.75, 1e-14);
  EXPECT_EQ(StudentTCdf(0, 7), 0.5);
  EXPECT_EQ(StudentTTwoSidedP(0, 7), 1);
  ExpectRel(StudentTTwoSidedP(-2.0, 5), 2 * (1 - 0.9490302605850708), 1e-12);
}

TEST(StatsMath, StudentTQuantileMatchesScipy) {
  ExpectRel(StudentTQuantile(0.975, 1), 12.706204736174694, 1e-11);
  ExpectRel(StudentTQuantile(0.975, 10), 2.228138851986274, 1e-11);
  ExpectRel(StudentTQuantile(0.975, 2.5), 3.5746548420036817, 1e-11);
  ExpectRel(StudentTQuantile(0.975, 1e6), 1.959966356814107, 1e-9);
  ExpectRel(StudentTQuantile(0.995, 30), 2.7499956535672254, 1e-11);
  ExpectRel(StudentTQuantile(0.025, 10), -2.228138851986274, 1e-11);
  EXPECT_EQ(StudentTQuantile(0.5, 3), 0);
  EXPECT_TRUE(std::isnan(StudentTQuantile(1, 3)));
}

Moments Of(const std::vector<double>& values) {
  Moments m;
  for (double v : values) {
    ++m.n;
    m.sum += v;
    m.sum_squares += v * v;
  }
  return m;
}

const std::vector<double> kBaseline = {0.61, 0.72, 0.55, 0.80, 0.66, 0.70, 0.58, 0.74};
const std::vector<double> kCandidate = {0.52, 0.60, 0.49, 0.71, 0.58, 0.45,
                                        0.63, 0.55, 0.50, 0.57, 0.61, 0.48};

TEST(StatsMath, MeanConfidenceIntervalMatchesScipy) {
  Interval ci = MeanConfidenceInterval(Of(kBaseline), 0.95);
  ExpectRel(ci.low, 0.5983609718857369, 1e-12);
  ExpectRel(ci.high, 0.741639028114263, 1e-12);
  ci = MeanConfidenceInterval(Of({0.25}), 0.95);
  EXPECT_EQ(ci.low, 0.25);
  EXPECT_EQ(ci.high, 0.25);
}

TEST(StatsMath, WelchTestMatchesScipy) {
  WelchResult w = WelchTest(Of(kBaseline), Of(kCandidate));
  ExpectRel(w.t, -3.0315440192501026, 1e-11);
  ExpectRel(w.df, 13.592318258434624, 1e-11);
  ExpectRel(w.p_value, 0.009228712788028533, 1e-10);
  ExpectRel(w.ci.low, -0.19231715887672649, 1e-11);
  ExpectRel(w.ci.high, -0.03268284112327316, 1e-10);
  ExpectRel(w.delta, 0.5575 - 0.6700, 1e-12);
}

TEST(StatsMath, WelchTestWithoutVarianceIsExact) {
  WelchResult same = WelchTest(Of({1, 1, 1}), Of({1, 1}));
  EXPECT_EQ(same.t, 0);
  EXPECT_EQ(same.p_value, 1);
  EXPECT_EQ(same.df, 3);
  WelchResult lower = WelchTest(Of({1, 1, 1}), Of({0, 0}));
  EXPECT_EQ(lower.delta, -1);
  EXPECT_TRUE(std::isinf(lower.t) && lower.t < 0);
  EXPECT_EQ(lower.p_value, 0);
  EXPECT_EQ(lower.ci.low, -1);
  EXPECT_EQ(lower.ci.high, -1);
}

TEST(StatsMath, VarianceNeverNegative) {
  Moments m{3, 3 * 0.1, 3 * 0.1 * 0.1 - 1e-18};
  EXPECT_GE(m.Variance(), 0);
  EXPECT_EQ(Moments{}.Variance(), 0);
}

}  // namespace
}  // namespace llmtap::collector
