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

Rollup::Rollup(const store::RollupValue& v) { Load(v); }

void Rollup::Load(const store::RollupValue& v) {
  count_ = v.count();
  sum_ = v.sum();
  sum_squares_ = v.sum_squares();
  min_ = v.min();
  max_ = v.max();
  zero_count_ = v.zero_count();
  bins_.clear();
  const int n = std::min(v.bin_index_size(), v.bin_count_size());
  if (n == 0) return;
  int32_t lo = v.bin_index(0), hi = v.bin_index(0);
  for (int i = 1; i < n; ++i) {
    lo = std::min(lo, v.bin_index(i));
    hi = std::max(hi, v.bin_index(i));
  }
  Cover(lo, hi);
  for (int i = 0; i < n; ++i) Bin(v.bin_index(i)) += v.bin_count(i);
}

void Rollup::Cover(int32_t lo, int32_t hi) {
  if (bins_.empty()) {
    first_bin_ = std::max(lo, hi - kMaxBins + 1);
    bins_.assign(static_cast<size_t>(hi - first_bin_ + 1), 0);
    return;
  }
  const int32_t last = first_bin_ + static_cast<int32_t>(bins_.size()) - 1;
  if (hi > last) bins_.resize(bins_.size() + static_cast<size_t>(hi - last), 0);
  if (lo < first_bin_) {
    bins_.insert(bins_.begin(), static_cast<size_t>(first_bin_ - lo), 0);
    first_bin_ = lo;
  }
  if (bins_.size() > static_cast<size_t>(kMaxBins)) {
    // Fold the lowest bins into the lowest one kept.
    const size_t drop = bins_.size() - kMaxBins;
    uint64_t folded = 0;
    for (size_t i = 0; i <= drop; ++i) folded += bins_[i];
    bins_.erase(bins_.begin(), bins_.begin() + static_cast<std::ptrdiff_t>(drop));
    bins_[0] = folded;
    first_bin_ += static_cast<int32_t>(drop);
  }
}

uint64_t& Rollup::Bin(int32_t index) {
  // Bins below first_bin_ were folded into the lowest one.
  return bins_[static_cast<size_t>(std::max(index, first_bin_) - first_bin_)];
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
    const int32_t i = BinOf(value);
    Cover(i, i);
    Bin(i) += times;
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
  if (o.bins_.empty()) return;
  const int32_t o_last = o.first_bin_ + static_cast<int32_t>(o.bins_.size()) - 1;
  Cover(o.first_bin_, o_last);
  if (o.first_bin_ >= first_bin_) {
    // The usual case: every bin of `o` has its own counter here; add the arrays.
    uint64_t* to = bins_.data() + (o.first_bin_ - first_bin_);
    for (size_t i = 0; i < o.bins_.size(); ++i) to[i] += o.bins_[i];
  } else {
    for (size_t i = 0; i < o.bins_.size(); ++i) {
      Bin(o.first_bin_ + static_cast<int32_t>(i)) += o.bins_[i];
    }
  }
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
  // In double, q * (count_ - 1) rounds up to 2^64 for counts near 2^64, past uint64_t.
  const double at = q * static_cast<double>(count_ - 1);
  const uint64_t rank = at >= 0x1p64 ? count_ - 1 : static_cast<uint64_t>(at);
  double v = 0;
  if (rank < zero_count_) {
    v = 0;
  } else {
    uint64_t seen = zero_count_;
    v = max_;
    for (size_t i = 0; i < bins_.size(); ++i) {
      seen += bins_[i];
      if (seen > rank) {
        v = ValueOf(first_bin_ + static_cast<int32_t>(i));
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
  for (size_t i = 0; i < bins_.size(); ++i) {
    if (bins_[i] == 0) continue;
    out->add_bin_index(first_bin_ + static_cast<int32_t>(i));
    out->add_bin_count(bins_[i]);
  }
}

std::string Rollup::Serialize() const {
  store::RollupValue v;
  ToProto(&v);
  return v.SerializeAsString();
}

bool Rollup::Parse(std::string_view bytes) {
  // One message per thread, reused: parsing into it does not allocate once it has grown.
  thread_local store::RollupValue v;
  v.Clear();
  if (!v.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    *this = Rollup();
    return false;
  }
  Load(v);
  return true;
}

}  // namespace llmtap::collector
