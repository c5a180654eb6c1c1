// ScoreExporter: scores out as OpenTelemetry. Follows the scoring engine's live tail (TailHub)
// and, for every score stored:
//   - observes it in the llmtap_score histogram on /metrics, labelled by rubric, app, model
//     and variant; at most score_histogram_max_series label sets, the rest counted under
//     app, model and variant "_other";
//   - when score_export.endpoint is set, sends it as a `gen_ai.evaluation.result` event (an
//     OTLP log record: gen_ai.evaluation.name, gen_ai.evaluation.score.value,
//     gen_ai.evaluation.score.label "pass"/"fail", gen_ai.evaluation.explanation, and the trace
//     and span ids when the sample came from a span) over OTLP/HTTP (protobuf), in batches,
//     retrying with backoff. Events wait in a bounded queue; what overflows it, what the tail
//     lost, and what failed every attempt is counted in llmtap_score_export_dropped_total.
//
// Thread safety: two threads of its own (follow, send); Stop() from any thread.
#ifndef LLMTAP_COLLECTOR_OTLP_SCORE_EXPORTER_H_
#define LLMTAP_COLLECTOR_OTLP_SCORE_EXPORTER_H_

#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "collector/common/metrics.h"
#include "collector/scoring/tail_hub.h"
#include "llmtap/v1/otel_config.pb.h"
#include "opentelemetry/proto/logs/v1/logs.pb.h"
#include "sdk/src/http/http_client.h"

namespace llmtap::collector::otlp {

class ScoreExporter {
 public:
  // `tail` and `metrics` must outlive the exporter. Starts its threads.
  ScoreExporter(const v1::OtlpConfig& config, TailHub* tail, Metrics* metrics,
                std::unique_ptr<internal::HttpClient> http);
  ~ScoreExporter();
  // Stops following, sends what is queued (giving up after about `grace`). Idempotent.
  void Stop(absl::Duration grace);

  // The event for one score (exposed for tests).
  static opentelemetry::proto::logs::v1::LogRecord EventFor(const v1::TailResponse& scored);

 private:
  struct Event {
    std::string app;
    opentelemetry::proto::logs::v1::LogRecord record;
  };
  void Follow();
  void Send();
  void Observe(const v1::TailResponse& event);
  std::string RenderHistograms() const;
  bool Post(const std::string& body);

  const v1::ScoreExportConfig export_;
  const size_t max_queue_, max_batch_, max_series_;
  const int max_attempts_;
  TailHub* const tail_;
  std::unique_ptr<internal::HttpClient> http_;
  std::shared_ptr<TailHub::Subscription> sub_;
  Counter* const sent_;
  Counter* const dropped_;
  Counter* const retries_;

  mutable absl::Mutex series_mu_;
  // Key: rubric '\0' app '\0' model '\0' variant.
  absl::flat_hash_map<std::string, std::unique_ptr<Histogram>> series_ ABSL_GUARDED_BY(series_mu_);

  absl::Mutex mu_;
  std::deque<Event> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;  // Stop() called, or the tail closed.
  bool stop_requested_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time deadline_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  uint64_t lost_seen_ = 0;  // Follow thread only.
  std::thread follow_, send_;
};

}  // namespace llmtap::collector::otlp

#endif  // LLMTAP_COLLECTOR_OTLP_SCORE_EXPORTER_H_
