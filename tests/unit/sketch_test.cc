// Rollup (collector/store/sketch.h): moments are exact, quantiles are within the sketch's 1%
// relative error of the exact order statistic, and merging or serializing loses nothing.
#include "collector/store/sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace llmtap::collector {
namespace {

// The exact lower q-quantile, as Rollup::Quantile defines the rank.
double Exact(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1))];
}

void ExpectWithinSketchError(const Rollup& r, const std::vector<double>& values) {
  for (double q : {0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0}) {
    const double want = Exact(values, q);
    EXPECT_NEAR(r.Quantile(q), want, want * Rollup::kRelativeAccuracy + 1e-12) << "q=" << q;
  }
}

std::vector<double> LogNormal(size_t n, double mu, double sigma, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(mu, sigma);
  std::vector<double> v(n);
  for (double& x : v) x = dist(rng);
  return v;
}

TEST(RollupTest, MomentsAreExactAndQuantilesWithinOnePercent) {
  const std::vector<double> values = LogNormal(20000, 5, 1.2, 1);
  Rollup r;
  double sum = 0, sum_squares = 0;
  for (double v : values) {
    r.Add(v);
    sum += v;
    sum_squares += v * v;
  }
  EXPECT_EQ(r.count(), values.size());
  EXPECT_DOUBLE_EQ(r.sum(), sum);
  EXPECT_DOUBLE_EQ(r.sum_squares(), sum_squares);
  EXPECT_EQ(r.min(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(r.max(), *std::max_element(values.begin(), values.end()));
  ExpectWithinSketchError(r, values);
}

TEST(RollupTest, ZerosAndNegativesCountAsZero) {
  Rollup r;
  r.Add(0, 3);
  r.Add(-2);
  r.Add(10);
  EXPECT_EQ(r.count(), 5u);
  EXPECT_EQ(r.Quantile(0.5), 0);
  EXPECT_EQ(r.min(), -2);
  EXPECT_NEAR(r.Quantile(1), 10, 0.1);
}

TEST(RollupTest, MergingDisjointRangesEqualsAddingEverything) {
  // The second sketch's bins lie entirely below the first's, then above: both ends grow.
  const std::vector<double> high = LogNormal(5000, 8, 0.3, 2);
  const std::vector<double> low = LogNormal(5000, -3, 0.3, 3);
  const std::vector<double> mid = LogNormal(5000, 2, 2, 4);
  Rollup a, b, c, all;
  for (double v : high) a.Add(v);
  for (double v : low) b.Add(v);
  for (double v : mid) c.Add(v);
  a.Merge(b);
  a.Merge(c);
  std::vector<double> values = high;
  values.insert(values.end(), low.begin(), low.end());
  values.insert(values.end(), mid.begin(), mid.end());
  for (double v : values) all.Add(v);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  store::RollupValue pa, pall;
  a.ToProto(&pa);
  all.ToProto(&pall);
  EXPECT_EQ(std::vector<int32_t>(pa.bin_index().begin(), pa.bin_index().end()),
            std::vector<int32_t>(pall.bin_index().begin(), pall.bin_index().end()));
  EXPECT_EQ(std::vector<uint64_t>(pa.bin_count().begin(), pa.bin_count().end()),
            std::vector<uint64_t>(pall.bin_count().begin(), pall.bin_count().end()));
  ExpectWithinSketchError(a, values);
}

TEST(RollupTest, SerializeParseRoundTrips) {
  Rollup r;
  for (double v : LogNormal(3000, 1, 3, 5)) r.Add(v);
  r.Add(0, 7);
  Rollup back;
  back.Add(42);  // Replaced by Parse.
  ASSERT_TRUE(back.Parse(r.Serialize()));
  EXPECT_EQ(back.Serialize(), r.Serialize());
  EXPECT_EQ(back.count(), r.count());
  EXPECT_EQ(back.Quantile(0.37), r.Quantile(0.37));
}

TEST(RollupTest, ParseRefusesGarbageAndLeavesItEmpty) {
  Rollup r;
  r.Add(1);
  EXPECT_FALSE(r.Parse(std::string_view("\xff\xff\xff", 3)));
  EXPECT_EQ(r.count(), 0u);
}

TEST(RollupTest, AWideRangeFoldsItsLowestBinsAndKeepsTheHighQuantilesExact) {
  // 1e-8 .. 1e40 spans more than kMaxBins bins: the lowest are folded together.
  Rollup r;
  std::vector<double> values;
  for (int e = -8; e <= 40; ++e) {
    for (int k = 1; k <= 9; ++k) values.push_back(k * std::pow(10.0, e));
  }
  for (double v : values) r.Add(v);
  store::RollupValue p;
  r.ToProto(&p);
  EXPECT_LE(p.bin_index_size(), Rollup::kMaxBins);
  EXPECT_LE(p.bin_index(p.bin_index_size() - 1) - p.bin_index(0), Rollup::kMaxBins - 1);
  EXPECT_EQ(r.count(), values.size());
  for (double q : {0.5, 0.9, 0.99, 1.0}) {
    const double want = Exact(values, q);
    EXPECT_NEAR(r.Quantile(q), want, want * Rollup::kRelativeAccuracy) << q;
  }
  // Merging such a sketch into a narrow one keeps the bound too.
  Rollup narrow;
  narrow.Add(5);
  narrow.Merge(r);
  narrow.ToProto(&p);
  EXPECT_LE(p.bin_index(p.bin_index_size() - 1) - p.bin_index(0), Rollup::kMaxBins - 1);
  EXPECT_EQ(narrow.count(), values.size() + 1);
}

}  // namespace
}  // namespace llmtap::collector
