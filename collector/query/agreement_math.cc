#include "collector/query/agreement_math.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace llmtap::collector {

KappaResult CohenKappa(const PassFailTable& t) {
  KappaResult r;
  const double n = static_cast<double>(t.n());
  if (n == 0) return r;
  const double pa = static_cast<double>(t.both_pass + t.a_pass_b_fail) / n;
  const double pb = static_cast<double>(t.both_pass + t.a_fail_b_pass) / n;
  r.observed = static_cast<double>(t.both_pass + t.both_fail) / n;
  r.expected = pa * pb + (1 - pa) * (1 - pb);
  r.kappa = r.expected >= 1 ? 1 : (r.observed - r.expected) / (1 - r.expected);
  return r;
}

std::vector<double> AverageRanks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

SpearmanResult Spearman(const std::vector<double>& x, const std::vector<double>& y) {
  SpearmanResult r;
  const size_t n = x.size();
  if (n < 3 || y.size() != n) return r;
  const std::vector<double> rx = AverageRanks(x);
  const std::vector<double> ry = AverageRanks(y);
  const double mean = (static_cast<double>(n) + 1) / 2;  // Of ranks, ties or not.
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  if (sxx == 0 || syy == 0) return r;
  r.defined = true;
  r.rho = std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
  const double df = static_cast<double>(n) - 2;
  if (std::fabs(r.rho) >= 1) {
    r.p_value = 0;
  } else {
    const double t = r.rho * std::sqrt(df / ((1 - r.rho) * (1 + r.rho)));
    r.p_value = StudentTTwoSidedP(t, df);
  }
  return r;
}

Interval WilsonInterval(uint64_t successes, uint64_t n) {
  if (n == 0) return {0, 1};
  constexpr double z = 1.959963984540054;  // The 0.975 quantile of the standard normal.
  const double nn = static_cast<double>(n);
  const double p = static_cast<double>(successes) / nn;
  const double denom = 1 + z * z / nn;
  const double center = (p + z * z / (2 * nn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / denom;
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

double SignTestP(uint64_t wins, uint64_t losses) {
  const uint64_t n = wins + losses;
  if (n == 0 || wins == losses) return 1;
  const uint64_t k = std::min(wins, losses);
  // P(X <= k) = I_{1/2}(n - k, k + 1).
  const double tail = RegularizedIncompleteBeta(static_cast<double>(n - k),
                                                static_cast<double>(k) + 1, 0.5);
  return std::min(1.0, 2 * tail);
}

PairCounts PairCountsFromMoments(const Moments& m) {
  PairCounts c;
  const double ties = std::max(0.0, std::round(4 * (m.sum - m.sum_squares)));
  const double wins = std::max(0.0, std::round(m.sum - ties / 2));
  c.ties = static_cast<uint64_t>(std::min(ties, static_cast<double>(m.n)));
  c.wins = static_cast<uint64_t>(std::min(wins, static_cast<double>(m.n - c.ties)));
  c.losses = m.n - c.ties - c.wins;
  return c;
}

}  // namespace llmtap::collector
