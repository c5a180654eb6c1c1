// Statistics behind the Agreement query (a rubric against human labels) and the pairwise parts
// of Compare: Cohen's kappa, Spearman's rho, Wilson's score interval and the exact sign test.
//
//   KappaResult k = CohenKappa({.both_pass = 40, .a_pass_b_fail = 5, ...});
//   SpearmanResult s = Spearman(scores, labels);   // s.rho, s.p_value as scipy.stats.spearmanr
//   double p = SignTestP(wins, losses);            // scipy.stats.binomtest(wins, n).pvalue
//
// Formulas:
//   Kappa:     po = (both_pass + both_fail) / n;  pe = pa·pb + (1-pa)(1-pb) with pa, pb the two
//              pass rates;  kappa = (po - pe) / (1 - pe), 1 when pe = 1 (both sides all one
//              class), 0 with n = 0.
//   Spearman:  Pearson's r of the average ranks (ties share the mean of their ranks);
//              p = two-sided Student-t with n - 2 df of t = r √((n - 2) / (1 - r²)).
//   Wilson:    (p̂ + z²/2n ± z √(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n), z = 1.959964 (95%).
//   Sign test: p = min(1, 2 P(X <= min(w, l))), X ~ Binomial(w + l, 1/2), from the regularized
//              incomplete beta: P(X <= k) = I_{1/2}(n - k, k + 1).
//
// Pure functions; thread-safe.
#ifndef LLMTAP_COLLECTOR_QUERY_AGREEMENT_MATH_H_
#define LLMTAP_COLLECTOR_QUERY_AGREEMENT_MATH_H_

#include <cstdint>
#include <vector>

#include "collector/query/stats_math.h"

namespace llmtap::collector {

// A 2x2 table of two raters' pass/fail decisions (a: the rubric, b: the humans).
struct PassFailTable {
  uint64_t both_pass = 0;
  uint64_t a_pass_b_fail = 0;
  uint64_t a_fail_b_pass = 0;
  uint64_t both_fail = 0;

  uint64_t n() const { return both_pass + a_pass_b_fail + a_fail_b_pass + both_fail; }
};

struct KappaResult {
  double observed = 0;  // po
  double expected = 0;  // pe
  double kappa = 0;
};

KappaResult CohenKappa(const PassFailTable& table);

// Ranks 1..n of `values`, ties given the mean of the ranks they span.
std::vector<double> AverageRanks(const std::vector<double>& values);

struct SpearmanResult {
  double rho = 0;
  double p_value = 1;
  // False (rho 0, p 1) with fewer than 3 pairs or a constant side, where rho is undefined.
  bool defined = false;
};

// REQUIRES: x.size() == y.size().
SpearmanResult Spearman(const std::vector<double>& x, const std::vector<double>& y);

// The 95% Wilson score interval of successes / n; [0, 1] when n is 0.
Interval WilsonInterval(uint64_t successes, uint64_t n);

// The exact two-sided sign test of wins against losses (ties left out); 1 when both are 0.
double SignTestP(uint64_t wins, uint64_t losses);

// Wins, losses and ties recovered from the moments of scores that are each 1 (win), 0.5 (tie)
// or 0 (loss): sum - sum of squares = ties / 4, and sum = wins + ties / 2.
struct PairCounts {
  uint64_t wins = 0;
  uint64_t losses = 0;
  uint64_t ties = 0;
};
PairCounts PairCountsFromMoments(const Moments& m);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_QUERY_AGREEMENT_MATH_H_
