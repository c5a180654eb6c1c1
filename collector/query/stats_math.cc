#include "collector/query/stats_math.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace llmtap::collector {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The continued fraction of I_x(a, b) (Numerical Recipes' betacf), evaluated with the
// modified Lentz method. Converges fast for x < (a + 1) / (a + b + 2); the caller uses the
// symmetry I_x(a, b) = 1 - I_{1-x}(b, a) otherwise. Needs O(√max(a, b)) terms.
double BetaContinuedFraction(double a, double b, double x) {
  constexpr int kMaxTerms = 200000;
  constexpr double kEpsilon = 1e-16;
  constexpr double kTiny = 1e-300;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1;
  double d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= kMaxTerms; ++m) {
    const double m2 = 2.0 * m;
    // Even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)).
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    // Odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1) < kEpsilon) break;
  }
  return h;
}

}  // namespace

double RegularizedIncompleteBeta(double a, double b, double x) {
  if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1)) return kNaN;
  if (x == 0) return 0;
  if (x == 1) return 1;
  // Front factor x^a (1-x)^b / B(a, b), in logs to survive large a and b.
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                           a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * BetaContinuedFraction(a, b, x) / a;
  return 1 - front * BetaContinuedFraction(b, a, 1 - x) / b;
}

double StudentTTwoSidedP(double t, double df) {
  if (std::isnan(t) || !(df > 0)) return kNaN;
  if (std::isinf(t)) return 0;
  if (t == 0) return 1;
  // x = df / (df + t²) written to keep precision when t² is tiny next to df.
  const double x = 1 / (1 + (t / df) * t);
  return std::clamp(RegularizedIncompleteBeta(df / 2, 0.5, x), 0.0, 1.0);
}

double StudentTCdf(double t, double df) {
  const double tail = StudentTTwoSidedP(t, df) / 2;  // P(T >= |t|)
  return t >= 0 ? 1 - tail : tail;
}

double StudentTQuantile(double p, double df) {
  if (!(p > 0) || !(p < 1) || !(df > 0)) return kNaN;
  if (p == 0.5) return 0;
  if (p < 0.5) return -StudentTQuantile(1 - p, df);
  // Bracket the root in [0, hi], then bisect; the CDF is monotone, so this cannot fail.
  double lo = 0, hi = 1;
  while (StudentTCdf(hi, df) < p && hi < 1e300) hi *= 2;
  for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; ++i) {
    const double mid = lo + (hi - lo) / 2;
    (StudentTCdf(mid, df) < p ? lo : hi) = mid;
  }
  return lo + (hi - lo) / 2;
}

double Moments::Variance() const {
  if (n < 2) return 0;
  const double dn = static_cast<double>(n);
  return std::max(0.0, (sum_squares - sum * sum / dn) / (dn - 1));
}

Interval MeanConfidenceInterval(const Moments& m, double level) {
  const double mean = m.Mean();
  if (m.n < 2) return {mean, mean};
  const double half = StudentTQuantile((1 + level) / 2, static_cast<double>(m.n - 1)) *
                      std::sqrt(m.Variance() / static_cast<double>(m.n));
  return {mean - half, mean + half};
}

WelchResult WelchTest(const Moments& baseline, const Moments& candidate, double level) {
  WelchResult r;
  const double n1 = static_cast<double>(baseline.n), n2 = static_cast<double>(candidate.n);
  const double v1 = baseline.Variance() / n1, v2 = candidate.Variance() / n2;
  r.delta = candidate.Mean() - baseline.Mean();
  r.se = std::sqrt(v1 + v2);
  if (r.se == 0) {
    r.df = n1 + n2 - 2;
    r.t = r.delta == 0 ? 0 : (r.delta > 0 ? kInf : -kInf);
    r.p_value = r.delta == 0 ? 1 : 0;
    r.ci = {r.delta, r.delta};
    return r;
  }
  r.t = r.delta / r.se;
  r.df = (v1 + v2) * (v1 + v2) / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1));
  r.p_value = StudentTTwoSidedP(r.t, r.df);
  const double half = StudentTQuantile((1 + level) / 2, r.df) * r.se;
  r.ci = {r.delta - half, r.delta + half};
  return r;
}

}  // namespace llmtap::collector
