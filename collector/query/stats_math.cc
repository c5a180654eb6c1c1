#include "collector/query/stats_math.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "absl/hash/hash.h"

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

double ComputeStudentTQuantile(double p, double df);

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
  // A Trend computes one interval per point, mostly at the same level with degrees of freedom
  // that repeat: remember recent answers (a small direct-mapped table per thread).
  struct Entry {
    double p = 0, df = 0, t = 0;
  };
  thread_local std::array<Entry, 512> recent;
  Entry& slot = recent[absl::HashOf(p, df) % recent.size()];
  if (slot.p == p && slot.df == df) return slot.t;
  slot = {p, df, ComputeStudentTQuantile(p, df)};
  return slot.t;
}

namespace {

// StudentTQuantile without the cache, for p in (0.5, 1).
double ComputeStudentTQuantile(double p, double df) {
  // Newton's method on the upper tail, q(t) = P(T >= t) = 1 - p, whose derivative is -pdf(t),
  // from the Cornish-Fisher expansion around the normal quantile: a handful of CDF
  // evaluations where bisection needs about fifty. Every step keeps [lo, hi] bracketing the
  // root and falls back to bisection when Newton would leave it, so it cannot diverge.
  const double q = 1 - p;
  const double log_norm = std::lgamma((df + 1) / 2) - std::lgamma(df / 2) -
                          0.5 * std::log(df * 3.14159265358979323846);
  auto pdf = [&](double t) { return std::exp(log_norm - (df + 1) / 2 * std::log1p(t * t / df)); };
  // Normal quantile, Abramowitz & Stegun 26.2.23 (|error| < 4.5e-4), good enough to start.
  const double w = std::sqrt(-2 * std::log(q));
  const double z = w - (2.515517 + 0.802853 * w + 0.010328 * w * w) /
                           (1 + 1.432788 * w + 0.189269 * w * w + 0.001308 * w * w * w);
  const double z2 = z * z;
  double t = z + z * (z2 + 1) / (4 * df) + z * ((5 * z2 + 16) * z2 + 3) / (96 * df * df);
  if (!(t > 0) || !std::isfinite(t)) t = 1;
  double lo = 0, hi = kInf;
  for (int i = 0; i < 300; ++i) {
    const double excess = StudentTTwoSidedP(t, df) / 2 - q;  // > 0: t is below the root.
    if (excess == 0) return t;
    (excess > 0 ? lo : hi) = t;
    double next = t + excess / pdf(t);
    if (!(next > lo && next < hi)) next = std::isinf(hi) ? 2 * t : lo + (hi - lo) / 2;
    // Newton converges quadratically: once a step is this small, the error left is far smaller.
    if (std::fabs(next - t) <= 1e-13 * next) return next;
    t = next;
  }
  return t;
}

}  // namespace

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
