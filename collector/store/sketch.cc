#include "collector/store/sketch.h"

#include <algorithm>
#include <cmath>

namespace llmtap::collector {
namespace {

constexpr double kGamma = (1 + Rollup::kRelativeAccuracy) / (1 - Rollup::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);

int32_t BinOf(double v) { return static_cast<int32_t>(std::ceil(std::log(v) / kLogGamma)); }
// The value that is within kRelativeAccuracy of every value in bin i: 2 * gamma^i / (gamma + 1).
double ValueOf(int32_t i) { return 2 * std::exp(i * kLogGamma) / (kGamma + 1); }

}  // namespace

Rollup::Rollup(const store::RollupValue& v)
    : count_(v.count()),
      sum_(v.sum()),
      sum_squares_(v.sum_squares()),
      min_(v.min()),
      max_(v.max()),
      zero_count_(v.zero_count()) {
  const int n = std::min(v.bin_index_size(), v.bin_count_size());
  for (int i = 0; i < n; ++i) bins_[v.bin_index(i)] += v.bin_count(i);
}

void Rollup::Add(double value, uint64_t times) {
  if (times == 0 || !std::isfinite(value)) return;
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  count_ += times;
  sum_ += value * times;
  sum_squares_ += value * value * times;
  if (value <= kMinIndexable) {
    zero_count_ += times;
  } else {
    bins_[BinOf(value)] += times;
  }
}

void Rollup::Merge(const Rollup& o) {
  if (o.count_ == 0) return;
  if (count_ == 0) {
    min_ = o.min_;
    max_ = o.max_;
  } else {
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
  }
  count_ += o.count_;
  sum_ += o.sum_;
  sum_squares_ += o.sum_squares_;
  zero_count_ += o.zero_count_;
  for (const auto& [i, c] : o.bins_) bins_[i] += c;
}

double Rollup::StdDev() const {
  if (count_ < 2) return 0;
  const double mean = Mean();
  const double var = (sum_squares_ - count_ * mean * mean) / (count_ - 1);
  return var > 0 ? std::sqrt(var) : 0;
}

double Rollup::Quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Rank of the wanted value among count_ values, 0-based (lower quantile, as DDSketch).
  const uint64_t rank = static_cast<uint64_t>(q * (count_ - 1));
  double v = 0;
  if (rank < zero_count_) {
    v = 0;
  } else {
    uint64_t seen = zero_count_;
    v = max_;
    for (const auto& [i, c] : bins_) {
      seen += c;
      if (seen > rank) {
        v = ValueOf(i);
        break;
      }
    }
  }
  return std::clamp(v, min_, max_);
}

void Rollup::ToProto(store::RollupValue* out) const {
  out->set_count(count_);
  out->set_sum(sum_);
  out->set_sum_squares(sum_squares_);
  out->set_min(min_);
  out->set_max(max_);
  out->set_zero_count(zero_count_);
  out->mutable_bin_index()->Reserve(bins_.size());
  out->mutable_bin_count()->Reserve(bins_.size());
  for (const auto& [i, c] : bins_) {
    out->add_bin_index(i);
    out->add_bin_count(c);
  }
}

std::string Rollup::Serialize() const {
  store::RollupValue v;
  ToProto(&v);
  return v.SerializeAsString();
}

bool Rollup::Parse(const std::string& bytes) {
  store::RollupValue v;
  if (!v.ParseFromString(bytes)) return false;
  *this = Rollup(v);
  return true;
}

}  // namespace llmtap::collector
