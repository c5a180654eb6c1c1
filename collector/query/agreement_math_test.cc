// Expected values come from SciPy 1.17 (scipy.stats.spearmanr, scipy.stats.binomtest(...).pvalue
// and .proportion_ci(method="wilson")); tests/python/test_agreement.py checks the RPC against
// SciPy live.
#include "collector/query/agreement_math.h"

#include <gtest/gtest.h>

namespace llmtap::collector {
namespace {

TEST(CohenKappa, MatchesTheTextbookFormula) {
  // n = 50, po = 35/50, pass rates 25/50 and 30/50, pe = 0.5: kappa = 0.4.
  KappaResult k = CohenKappa({.both_pass = 20, .a_pass_b_fail = 5, .a_fail_b_pass = 10,
                              .both_fail = 15});
  EXPECT_DOUBLE_EQ(k.observed, 0.7);
  EXPECT_DOUBLE_EQ(k.expected, 0.5);
  EXPECT_NEAR(k.kappa, 0.4, 1e-12);
}

TEST(CohenKappa, PerfectAndChanceAndDegenerate) {
  EXPECT_DOUBLE_EQ(CohenKappa({.both_pass = 3, .both_fail = 4}).kappa, 1);
  // Agreement exactly at chance.
  EXPECT_NEAR(CohenKappa({.both_pass = 1, .a_pass_b_fail = 1, .a_fail_b_pass = 1,
                          .both_fail = 1}).kappa, 0, 1e-12);
  // Everyone passes on both sides: pe = 1, agreement is perfect.
  EXPECT_DOUBLE_EQ(CohenKappa({.both_pass = 5}).kappa, 1);
  EXPECT_DOUBLE_EQ(CohenKappa({}).kappa, 0);
}

TEST(AverageRanks, TiesShareTheMeanRank) {
  EXPECT_EQ(AverageRanks({10, 20, 20, 5}), (std::vector<double>{2, 3.5, 3.5, 1}));
}

TEST(Spearman, MatchesScipyWithTies) {
  SpearmanResult s = Spearman({0.9, 0.1, 0.5, 0.5, 0.7, 0.2, 0.8, 0.3, 0.6, 0.4},
                              {5, 1, 3, 4, 4, 2, 5, 2, 3, 3});
  ASSERT_TRUE(s.defined);
  EXPECT_NEAR(s.rho, 0.9349449333537395, 1e-12);
  EXPECT_NEAR(s.p_value, 7.240837327031107e-05, 1e-12);
}

TEST(Spearman, MatchesScipyWithoutTies) {
  SpearmanResult s = Spearman({1, 2, 3, 4, 5, 6, 7, 8}, {2, 1, 4, 3, 6, 5, 8, 7});
  EXPECT_NEAR(s.rho, 0.9047619047619048, 1e-12);
  EXPECT_NEAR(s.p_value, 0.002008275505429469, 1e-10);
}

TEST(Spearman, UndefinedForConstantOrTooFew) {
  EXPECT_FALSE(Spearman({1, 2}, {1, 2}).defined);
  EXPECT_FALSE(Spearman({1, 1, 1, 1}, {1, 2, 3, 4}).defined);
  EXPECT_DOUBLE_EQ(Spearman({1, 1, 1, 1}, {1, 2, 3, 4}).p_value, 1);
}

TEST(SignTest, MatchesScipyBinomtest) {
  EXPECT_NEAR(SignTestP(7, 3), 0.34375, 1e-12);
  EXPECT_NEAR(SignTestP(60, 40), 0.05688793364098089, 1e-12);
  EXPECT_NEAR(SignTestP(0, 5), 0.0625, 1e-12);
  EXPECT_NEAR(SignTestP(12, 0), 0.00048828125, 1e-15);
  EXPECT_NEAR(SignTestP(500, 450), 0.11183864514157894, 1e-10);
  EXPECT_DOUBLE_EQ(SignTestP(4, 4), 1);
  EXPECT_DOUBLE_EQ(SignTestP(0, 0), 1);
}

TEST(WilsonInterval, MatchesScipyProportionCi) {
  Interval a = WilsonInterval(7, 10);
  EXPECT_NEAR(a.low, 0.39677814746114526, 1e-12);
  EXPECT_NEAR(a.high, 0.892208732593699, 1e-12);
  Interval b = WilsonInterval(60, 100);
  EXPECT_NEAR(b.low, 0.5020025867910618, 1e-12);
  EXPECT_NEAR(b.high, 0.6905987135675411, 1e-12);
  Interval c = WilsonInterval(0, 5);
  EXPECT_DOUBLE_EQ(c.low, 0);
  EXPECT_NEAR(c.high, 0.43448246478317476, 1e-12);
  Interval d = WilsonInterval(12, 12);
  EXPECT_NEAR(d.low, 0.7575059933447592, 1e-12);
  EXPECT_DOUBLE_EQ(d.high, 1);
}

TEST(PairCountsFromMoments, RecoversWinsLossesTies) {
  // 7 wins, 2 ties, 4 losses: sum 8, sum of squares 7.5.
  Moments m{13, 7 + 2 * 0.5, 7 + 2 * 0.25};
  PairCounts c = PairCountsFromMoments(m);
  EXPECT_EQ(c.wins, 7u);
  EXPECT_EQ(c.ties, 2u);
  EXPECT_EQ(c.losses, 4u);
  EXPECT_EQ(PairCountsFromMoments(Moments{}).wins, 0u);
}

}  // namespace
}  // namespace llmtap::collector
