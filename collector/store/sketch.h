// Rollup arithmetic: a mergeable summary of a series (count, sum, sum of squares, min, max and
// a DDSketch quantile sketch with 1% relative error), stored as llmtap.store.RollupValue.
//
//   Rollup r;
//   r.Add(12.5);
//   r.Merge(other);
//   double p95 = r.Quantile(0.95);
//
// The sketch's bins are kept dense (one counter per bin between the lowest and highest used),
// so merging two rollups is adding two arrays. At most kMaxBins are kept: a sketch that would
// span more folds its lowest bins into the lowest one kept (as DDSketch's "collapsing lowest"
// store does), so only quantiles among values below max / 10^35 lose accuracy.
//
// Not thread-safe; a value type.
#ifndef LLMTAP_COLLECTOR_STORE_SKETCH_H_
#define LLMTAP_COLLECTOR_STORE_SKETCH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/store/store.pb.h"

namespace llmtap::collector {

class Rollup {
 public:
  // Relative accuracy of Quantile(): the answer v' for a true value v has |v' - v| <= 1% * v.
  static constexpr double kRelativeAccuracy = 0.01;
  // Values at or below this (including negatives) count as zero in the sketch.
  static constexpr double kMinIndexable = 1e-9;
  // Most bins kept: a value range of gamma^4096, about 10^35.
  static constexpr int32_t kMaxBins = 4096;

  Rollup() = default;
  explicit Rollup(const store::RollupValue& v);

  void Add(double value, uint64_t times = 1);
  void Merge(const Rollup& other);

  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double sum_squares() const { return sum_squares_; }
  double min() const { return min_; }
  double max() const { return max_; }
  double Mean() const { return count_ ? sum_ / count_ : 0; }
  // Sample standard deviation (n - 1); 0 with fewer than two values.
  double StdDev() const;
  // The q-quantile, q in [0, 1], within kRelativeAccuracy; clamped to [min, max]. 0 when empty.
  double Quantile(double q) const;

  void ToProto(store::RollupValue* out) const;
  std::string Serialize() const;
  // Replaces this rollup with the serialized one; false (and empty) when `bytes` is not a
  // RollupValue.
  bool Parse(std::string_view bytes);

 private:
  uint64_t count_ = 0;
  double sum_ = 0;
  double sum_squares_ = 0;
  double min_ = 0;
  double max_ = 0;
  uint64_t zero_count_ = 0;
  int32_t first_bin_ = 0;        // Index of bins_[0].
  std::vector<uint64_t> bins_;   // Counts of bins first_bin_, first_bin_ + 1, ...

  void Load(const store::RollupValue& v);
  // Makes bins_ cover bins [lo, hi], folding the lowest ones past kMaxBins.
  void Cover(int32_t lo, int32_t hi);
  // The counter of bin `index`, or of the lowest bin kept when `index` was folded.
  uint64_t& Bin(int32_t index);
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_STORE_SKETCH_H_
