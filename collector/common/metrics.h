// Metrics: the collector's own counters and gauges, rendered in the Prometheus text format
// for GET /metrics.
//
//   Counter* c = metrics.AddCounter("llmtap_ingest_samples_total", "Samples stored.");
//   c->Add(n);
//
// Thread-safe. Counters are registered at start-up and live as long as the Metrics object.
#ifndef LLMTAP_COLLECTOR_COMMON_METRICS_H_
#define LLMTAP_COLLECTOR_COMMON_METRICS_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
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

class Metrics {
 public:
  Counter* AddCounter(std::string name, std::string help);
  // A gauge read when /metrics is rendered.
  void AddGauge(std::string name, std::string help, std::function<double()> read);
  // Extra text appended verbatim (e.g. RocksDB statistics as comments).
  void AddText(std::function<std::string()> render);
  std::string Render() const;

 private:
  struct Entry {
    std::string name, help;
    Counter* counter = nullptr;
    std::function<double()> gauge;
  };
  mutable absl::Mutex mu_;
  std::deque<Counter> counters_ ABSL_GUARDED_BY(mu_);
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<std::string()>> texts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_COMMON_METRICS_H_
