// ScoringEngine: a worker pool that drains the durable scoring queue.
//
// For each queued sample a worker takes a rubric snapshot and, per rubric that applies
// (enabled, app filter, needs contexts / reference), decides by the shared deterministic hash
// whether the sample is in the rubric's sample (new (app, model) pairs are scored in full for
// their first full_first_n samples), runs the scorer with the rubric's deadline, and then
// commits every score, the rollup updates and the removal of the queue entry in one write.
// A crash before that write leaves the entry queued, so the sample is scored again after the
// restart: work may run twice, results are visible once. A worker commits up to 16 samples in
// one write, or what it has after 50 ms.
//
// Nothing is skipped silently: samples outside a rubric's rate are counted as sampled out;
// when the queue is deeper than overload_queue_depth, low-priority rubrics are skipped and each
// skip is stored as a SKIPPED score and counted (series "s:<rubric>:<reason>").
//
// Thread-safe; Start() once, Stop() joins the workers.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORING_ENGINE_H_
#define LLMTAP_COLLECTOR_SCORING_SCORING_ENGINE_H_

#include <deque>
#include <set>
#include <span>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "collector/common/metrics.h"
#include "collector/scoring/rubric_registry.h"
#include "collector/scoring/tail_hub.h"
#include "collector/store/store.h"

namespace llmtap::collector {

class ScoringEngine {
 public:
  // All pointers must outlive the engine. `store` may be null when only ScoreSample() is used
  // (then Start() must not be called).
  ScoringEngine(Store* store, const RubricRegistry* rubrics, TailHub* tail, Metrics* metrics,
                const v1::ScoringConfig& config);
  ~ScoringEngine();

  void Start();
  // Wakes idle workers (new samples were queued).
  void Notify();
  // Finishes the samples in hand and joins the workers. Idempotent.
  void Stop();

  // Scores `sample` against the current rubrics into write->scores and write->rollup_values
  // (and the metrics), exactly as a queued sample is scored, without touching the store.
  // `seen_before`: samples of its (app, model) seen before it (for full_first_n). The fleet
  // scorer's seam. Thread-safe.
  void ScoreSample(const v1::Sample& sample, uint64_t seen_before, bool overloaded,
                   ScoreWrite* write);

 private:
  struct Work {
    std::string key;
    store::QueueEntry entry;
  };
  void WorkerLoop();
  // Claims up to a handful of unclaimed queue entries.
  std::vector<Work> Claim();
  // Scores one queued sample into `write` (which points at `sample`, where it is read to).
  void Process(const Work& work, v1::Sample* sample, ScoreWrite* write);
  // Commits the writes in one store write, then tells Tail subscribers. False on failure.
  bool Commit(std::span<const ScoreWrite> writes);
  uint64_t SeenBefore(const v1::Sample& sample, std::vector<std::pair<std::string, std::string>>* meta);

  Store* const store_;
  const RubricRegistry* const rubrics_;
  TailHub* const tail_;
  const v1::ScoringConfig config_;
  const uint32_t workers_;
  const uint64_t overload_depth_;
  Counter* const scored_;
  Counter* const errors_;
  Counter* const skipped_;
  Counter* const sampled_out_;

  absl::Mutex mu_;
  absl::CondVar cv_;
  std::set<std::string> claimed_ ABSL_GUARDED_BY(mu_);
  std::deque<Work> ready_ ABSL_GUARDED_BY(mu_);
  std::string cursor_ ABSL_GUARDED_BY(mu_);  // Key of the last entry claimed.
  bool rescan_ ABSL_GUARDED_BY(mu_) = false;  // Next claim starts at the head of the queue.
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // Samples seen per (app, model), for full_first_n; loaded lazily from meta.
  std::map<std::string, uint64_t> seen_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORING_ENGINE_H_
