#include "collector/common/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace llmtap::collector {
namespace {

double FromBits(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

uint64_t ToBits(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof d);
  return bits;
}

// Whole numbers (byte and key counts) in full rather than in 6 significant digits.
std::string Value(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
    return absl::StrCat(static_cast<int64_t>(v));
  }
  return absl::StrCat(v);
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void Histogram::Observe(double value) {
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  uint64_t old = sum_bits_.load(std::memory_order_relaxed);
  while (!sum_bits_.compare_exchange_weak(old, ToBits(FromBits(old) + value),
                                          std::memory_order_relaxed)) {
  }
}

uint64_t Histogram::cumulative(size_t i) const {
  uint64_t n = 0;
  for (size_t b = 0; b <= i && b <= bounds_.size(); ++b) {
    n += buckets_[b].load(std::memory_order_relaxed);
  }
  return n;
}

double Histogram::sum() const { return FromBits(sum_bits_.load(std::memory_order_relaxed)); }

Counter* Metrics::AddCounter(std::string name, std::string help) {
  absl::MutexLock lock(&mu_);
  Counter* c = &counters_.emplace_back();
  Entry e{std::move(name), std::move(help)};
  e.counter = c;
  e.type = Type::kCounter;
  entries_.push_back(std::move(e));
  return c;
}

Histogram* Metrics::AddHistogram(std::string name, std::string help, std::vector<double> bounds) {
  absl::MutexLock lock(&mu_);
  Histogram* h = &histograms_.emplace_back(std::move(bounds));
  Entry e{std::move(name), std::move(help)};
  e.histogram = h;
  entries_.push_back(std::move(e));
  return h;
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  absl::MutexLock lock(&mu_);
  Entry e{std::move(name), std::move(help)};
  e.gauge = std::move(read);
  entries_.push_back(std::move(e));
}

void Metrics::AddFamily(std::string name, std::string help, Type type,
                        std::function<Series()> read) {
  absl::MutexLock lock(&mu_);
  Entry e{std::move(name), std::move(help)};
  e.family = std::move(read);
  e.type = type;
  entries_.push_back(std::move(e));
}

void Metrics::AddText(std::function<std::string()> render) {
  absl::MutexLock lock(&mu_);
  texts_.push_back(std::move(render));
}

std::string Metrics::Render() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const Entry& e : entries_) {
    const char* type = e.histogram              ? "histogram"
                       : e.type == Type::kCounter ? "counter"
                                                  : "gauge";
    absl::StrAppend(&out, "# HELP ", e.name, " ", e.help, "\n# TYPE ", e.name, " ", type, "\n");
    if (e.counter) {
      absl::StrAppend(&out, e.name, " ", e.counter->value(), "\n");
    } else if (e.histogram) {
      const Histogram& h = *e.histogram;
      for (size_t i = 0; i <= h.bounds().size(); ++i) {
        const std::string le = i < h.bounds().size() ? absl::StrCat(h.bounds()[i]) : "+Inf";
        absl::StrAppend(&out, e.name, "_bucket{le=\"", le, "\"} ", h.cumulative(i), "\n");
      }
      absl::StrAppend(&out, e.name, "_sum ", Value(h.sum()), "\n", e.name, "_count ",
                      h.cumulative(h.bounds().size()), "\n");
    } else if (e.family) {
      for (const auto& [labels, value] : e.family()) {
        if (labels.empty()) {
          absl::StrAppend(&out, e.name, " ", Value(value), "\n");
        } else {
          absl::StrAppend(&out, e.name, "{", labels, "} ", Value(value), "\n");
        }
      }
    } else {
      absl::StrAppend(&out, e.name, " ", Value(e.gauge()), "\n");
    }
  }
  for (const auto& t : texts_) out += t();
  return out;
}

}  // namespace llmtap::collector
