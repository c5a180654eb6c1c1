// Metrics: the collector's own counters, gauges and histograms, rendered in the Prometheus text
// format (version 0.0.4) for GET /metrics.
//
//   Counter* c = metrics.AddCounter("llmtap_ingest_samples_total", "Samples stored.");
//   c->Add(n);
//   Histogram* h = metrics.AddHistogram("llmtap_ingest_batch_samples", "Samples per batch.",
//                                       {1, 10, 100, 1000});
//   h->Observe(512);
//
// Thread-safe. Metrics are registered at start-up and live as long as the Metrics object; the
// read functions of gauges and families run at each scrape (on the HTTP thread), so they must
// be cheap and must not block for long.
#ifndef LLMTAP_COLLECTOR_COMMON_METRICS_H_
#define LLMTAP_COLLECTOR_COMMON_METRICS_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace llmtap::collector {

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A Prometheus histogram with fixed upper bounds. Observe() is lock-free (relaxed atomics: a
// scrape racing with it may see the count and the sum from different moments).
class Histogram {
 public:
  // `bounds`: ascending upper bounds; a +Inf bucket is added.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Observations at or below bounds()[i] (cumulative); i == bounds().size() gives the count.
  uint64_t cumulative(size_t i) const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const;

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // Per bucket, not cumulative.
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_bits_{0};  // A double, as bits (atomic<double> lacks fetch_add).
};

class Metrics {
 public:
  enum class Type { kCounter, kGauge };
  // One series of a family: its labels without braces (e.g. `cf="samples"`) and value.
  using Series = std::vector<std::pair<std::string, double>>;

  Counter* AddCounter(std::string name, std::string help);
  Histogram* AddHistogram(std::string name, std::string help, std::vector<double> bounds);
  // A gauge read when /metrics is rendered.
  void AddGauge(std::string name, std::string help, std::function<double()> read);
  // A labelled family (counter or gauge) read when /metrics is rendered.
  void AddFamily(std::string name, std::string help, Type type, std::function<Series()> read);
  // Extra text appended verbatim (e.g. RocksDB statistics as comments).
  void AddText(std::function<std::string()> render);
  std::string Render() const;

 private:
  struct Entry {
    std::string name, help;
    Counter* counter = nullptr;
    Histogram* histogram = nullptr;
    std::function<double()> gauge;
    std::function<Series()> family;
    Type type = Type::kGauge;
  };
  mutable absl::Mutex mu_;
  std::deque<Counter> counters_ ABSL_GUARDED_BY(mu_);
  std::deque<Histogram> histograms_ ABSL_GUARDED_BY(mu_);
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<std::string()>> texts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_COMMON_METRICS_H_
