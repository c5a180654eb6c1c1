// Rollup arithmetic: a mergeable summary of a series (count, sum, sum of squares, min, max and
// a DDSketch quantile sketch with 1% relative error), stored as llmtap.store.RollupValue.
//
//   Rollup r;
//   r.Add(12.5);
//   r.Merge(other);
//   double p95 = r.Quantile(0.95);
//
// Not thread-safe; a value type.
#ifndef LLMTAP_COLLECTOR_STORE_SKETCH_H_
#define LLMTAP_COLLECTOR_STORE_SKETCH_H_

#include <cstdint>
#include <map>
#include <string>

#include "collector/store/store.pb.h"

namespace llmtap::collector {

class Rollup {
 public:
  // Relative accuracy of Quantile(): the answer v' for a true value v has |v' - v| <= 1% * v.
  static constexpr double kRelativeAccuracy = 0.01;
  // Values at or below this (including negatives) count as zero in the sketch.
  static constexpr double kMinIndexable = 1e-9;

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
  // False when `bytes` is not a RollupValue.
  bool Parse(const std::string& bytes);

 private:
  uint64_t count_ = 0;
  double sum_ = 0;
  double sum_squares_ = 0;
  double min_ = 0;
  double max_ = 0;
  uint64_t zero_count_ = 0;
  std::map<int32_t, uint64_t> bins_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_STORE_SKETCH_H_
