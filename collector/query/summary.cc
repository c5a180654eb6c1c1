#include "collector/query/summary.h"

#include "collector/query/stats_math.h"
#include "collector/store/store.h"

namespace llmtap::collector {

void ToSummary(const Rollup& r, v1::Summary* out) {
  out->set_count(r.count());
  out->set_sum(r.sum());
  out->set_mean(r.Mean());
  out->set_stddev(r.StdDev());
  out->set_min(r.min());
  out->set_max(r.max());
  out->set_p50(r.Quantile(0.5));
  out->set_p95(r.Quantile(0.95));
  out->set_p99(r.Quantile(0.99));
  const Interval ci = MeanConfidenceInterval(Moments{r.count(), r.sum(), r.sum_squares()}, 0.95);
  out->set_mean_ci_low(ci.low);
  out->set_mean_ci_high(ci.high);
}

std::string_view MetricSeries(v1::Metric metric) {
  switch (metric) {
    case v1::METRIC_LATENCY_MS:
      return kLatencySeries;
    case v1::METRIC_TTFT_MS:
      return kTtftSeries;
    case v1::METRIC_INPUT_TOKENS:
      return kInputTokensSeries;
    case v1::METRIC_OUTPUT_TOKENS:
      return kOutputTokensSeries;
    case v1::METRIC_COST_USD:
      return kCostSeries;
    case v1::METRIC_ERROR:
      return kErrorSeries;
    default:
      return {};
  }
}

bool MetricValue(v1::Metric metric, const v1::Sample& s, double* value) {
  const bool error = s.status() == v1::CALL_STATUS_ERROR;
  switch (metric) {
    case v1::METRIC_LATENCY_MS:
      *value = s.latency_ms();
      return true;
    case v1::METRIC_TTFT_MS:
      *value = s.time_to_first_token_ms();
      return s.time_to_first_token_ms() > 0;
    case v1::METRIC_INPUT_TOKENS:
      *value = static_cast<double>(s.input_tokens());
      return !error;
    case v1::METRIC_OUTPUT_TOKENS:
      *value = static_cast<double>(s.output_tokens());
      return !error;
    case v1::METRIC_COST_USD:
      *value = s.cost_usd();
      return !error;
    case v1::METRIC_ERROR:
      *value = error ? 1 : 0;
      return true;
    default:
      return false;
  }
}

}  // namespace llmtap::collector
