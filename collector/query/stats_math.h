// Statistics behind Trend and Compare: Student's t distribution, confidence intervals of a
// mean, and Welch's two-sample t-test, all from moments (count, sum, sum of squares), so they
// work on rollups as well as on raw values.
//
//   Moments a{n1, sum1, sumsq1}, b{n2, sum2, sumsq2};
//   WelchResult w = WelchTest(a, b);   // w.delta = mean(b) - mean(a), w.p_value two-sided
//
// Formulas (s² is the unbiased sample variance (sumsq - sum²/n) / (n - 1)):
//   Student-t CDF:  x = df / (df + t²);  P(T <= t) = 1 - I_x(df/2, 1/2) / 2 for t >= 0,
//                   I_x(df/2, 1/2) / 2 for t < 0, where I_x(a, b) is the regularized
//                   incomplete beta function (continued fraction, modified Lentz).
//   Mean CI:        mean ± t_{(1+level)/2, n-1} · s / √n.
//   Welch:          se = √(s1²/n1 + s2²/n2),  t = (m2 - m1) / se,
//                   df = (s1²/n1 + s2²/n2)² / ((s1²/n1)²/(n1-1) + (s2²/n2)²/(n2-1))
//                   (Welch–Satterthwaite), p = I_{df/(df+t²)}(df/2, 1/2) (two-sided),
//                   CI of the delta = (m2 - m1) ± t_{(1+level)/2, df} · se.
//
// Pure functions; thread-safe.
#ifndef LLMTAP_COLLECTOR_QUERY_STATS_MATH_H_
#define LLMTAP_COLLECTOR_QUERY_STATS_MATH_H_

#include <cstdint>

namespace llmtap::collector {

// The regularized incomplete beta function I_x(a, b), for a, b > 0 and x in [0, 1].
// Accurate to about 1e-14 relative; NaN for arguments out of range.
double RegularizedIncompleteBeta(double a, double b, double x);

// P(T <= t) for Student's t with `df` > 0 degrees of freedom (df may be fractional).
double StudentTCdf(double t, double df);

// P(|T| >= |t|): the two-sided p-value of t.
double StudentTTwoSidedP(double t, double df);

// The p-quantile of Student's t, p in (0, 1): the t with StudentTCdf(t, df) == p, to about
// 1e-12 relative.
double StudentTQuantile(double p, double df);

// Count, sum and sum of squares of a set of values.
struct Moments {
  uint64_t n = 0;
  double sum = 0;
  double sum_squares = 0;

  double Mean() const { return n ? sum / static_cast<double>(n) : 0; }
  // Unbiased sample variance; 0 with fewer than two values (and never negative, which
  // rounding could otherwise give for near-constant values).
  double Variance() const;
};

struct Interval {
  double low = 0;
  double high = 0;
};

// The `level` (e.g. 0.95) confidence interval of the mean, from Student's t with n - 1
// degrees of freedom. With fewer than two values: [mean, mean].
Interval MeanConfidenceInterval(const Moments& m, double level);

struct WelchResult {
  // mean(candidate) - mean(baseline).
  double delta = 0;
  // Standard error of delta.
  double se = 0;
  double t = 0;
  double df = 0;
  // Two-sided.
  double p_value = 1;
  // Confidence interval of delta at the level asked for.
  Interval ci;
};

// Welch's unequal-variance t-test of candidate against baseline, and the `level` confidence
// interval of the difference in means.
// REQUIRES: baseline.n >= 2 and candidate.n >= 2.
// When both variances are zero, df is n1 + n2 - 2 and the test is exact: p = 1 with equal
// means (t = 0), else p = 0 (t = ±inf), and the interval is [delta, delta].
WelchResult WelchTest(const Moments& baseline, const Moments& candidate, double level = 0.95);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_STATS_MATH_H_
