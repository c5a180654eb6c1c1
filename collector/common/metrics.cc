#include "collector/common/metrics.h"

#include "absl/strings/str_cat.h"

namespace llmtap::collector {

Counter* Metrics::AddCounter(std::string name, std::string help) {
  absl::MutexLock lock(&mu_);
  Counter* c = &counters_.emplace_back();
  entries_.push_back(Entry{std::move(name), std::move(help), c, nullptr});
  return c;
}

void Metrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  absl::MutexLock lock(&mu_);
  entries_.push_back(Entry{std::move(name), std::move(help), nullptr, std::move(read)});
}

void Metrics::AddText(std::function<std::string()> render) {
  absl::MutexLock lock(&mu_);
  texts_.push_back(std::move(render));
}

std::string Metrics::Render() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const Entry& e : entries_) {
    absl::StrAppend(&out, "# HELP ", e.name, " ", e.help, "\n# TYPE ", e.name,
                    e.counter ? " counter\n" : " gauge\n", e.name, " ");
    if (e.counter) {
      absl::StrAppend(&out, e.counter->value(), "\n");
    } else {
      absl::StrAppend(&out, e.gauge(), "\n");
    }
  }
  for (const auto& t : texts_) out += t();
  return out;
}

}  // namespace llmtap::collector
