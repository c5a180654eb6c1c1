// ScoringEngine: a worker pool that drains the durable scoring queue (layout and serving
// order in store/keys.h).
//
// Stage one ('q' entries): a worker claims samples, fairly across apps (deficit round robin),
// and per rubric that applies (enabled, app filter, needs contexts / reference) decides by the
// shared deterministic hash whether the sample is in the rubric's sample (new (app, model)
// pairs are scored in full for their first full_first_n samples). It runs the synchronous
// scorers with the rubric's deadline and commits their scores, the rollup updates and the
// removal of the queue entry in one write, at once: cheap scores never wait for a judge. The
// sample's asynchronous rubrics (Scorer::is_async, e.g. LLM judges), and the composites when
// one of those is pending, go into a judge-stage entry written in the same batch.
//
// Stage two ('j' entries): as long as fewer than max_async_samples samples have calls out,
// workers claim judge entries (fairly across apps again) and start their scorers' ScoreAsync
// calls, which go out through the endpoints' schedulers, as many at once as each endpoint's
// max_concurrency allows, whatever the number of workers. When a sample's last verdict is in,
// a worker commits its asynchronous scores, then composites (over every score of the sample),
// and the removal of the judge entry, in one write.
//
// Shedding: while an app's backlog is over its bounds, a sample of that app is scored only if
// the shared hash of its id (SamplePoint, as with hash_key HASH_KEY_SAMPLE_ID) is below the
// app's effective rate; the others are removed unread, so shedding costs a queue scan and a
// write, not a read. One decision per sample: every rubric keeps or sheds it together, so the
// built-in and judge rubrics still score the same samples, and a rubric at a lower rate still
// scores a subset of one at a higher rate. Shed counts of a sample removed unread carry its
// app and start time but no model or variant (its rollups' model and variant are empty), and
// are not counted for rubrics that need contexts or a reference; such samples do not count
// toward full_first_n.
//
// Exactly once: a crash before a stage's write leaves its entry queued, so the work is done
// again after the restart (a judge call in flight is made again); results are visible once.
//
// Wake-ups: Notify() (the store calls it after each ingest write that queued samples) wakes
// an idle worker; it costs an atomic increment, plus a lock only while a worker sleeps.
//
// Nothing is skipped silently, every sample x rubric not scored is counted per app, rubric and
// reason (rollup series "s:<rubric>:<reason>", Completeness, and /metrics
// llmtap_scoring_not_scored_total): "sampled_out" (outside the rubric's rate), "shed" (left out
// by the app's lowered effective rate, see ScoringConfig.max_app_backlog), "overload"
// (PRIORITY_LOW rubrics while the queue is deeper than overload_queue_depth, stored as SKIPPED
// scores), the scorers' own skips ("spend_cap", "circuit_open"), "error", "rubric_removed" (an
// asynchronous rubric removed while its sample waited), "cancelled" never (a call cut short by
// shutdown is made again after the restart).
//
// Thread-safe; Start() once, Stop() joins the workers.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORING_ENGINE_H_
#define LLMTAP_COLLECTOR_SCORING_SCORING_ENGINE_H_

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "collector/common/metrics.h"
#include "collector/scoring/rubric_registry.h"
#include "collector/scoring/tail_hub.h"
#include "collector/store/store.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

class ScoringEngine {
 public:
  // Defaults of the ScoringConfig fields.
  static constexpr uint32_t kDefaultWorkers = 2;
  static constexpr uint64_t kDefaultOverloadDepth = 100000;
  static constexpr uint64_t kDefaultMaxAppBacklog = 200000;
  static constexpr uint32_t kDefaultMaxBacklogAgeS = 120;
  // The lowest effective sample rate shedding goes down to.
  static constexpr double kMinRateFactor = 1.0 / 1024;

  // All pointers must outlive the engine. Reads config.scoring() and config.judges().
  // Registers itself as the store's queue listener.
  ScoringEngine(Store* store, const RubricRegistry* rubrics, TailHub* tail, Metrics* metrics,
                const v1::CollectorConfig& config);
  ~ScoringEngine();

  void Start();
  // Wakes an idle worker (new samples were queued). Cheap; callable from any thread.
  void Notify();
  // Finishes the samples in hand (asynchronous calls out are abandoned: their entries stay
  // queued) and joins the workers. Idempotent.
  void Stop();

  // Live scoring state per app with queued samples or a lowered rate.
  struct AppStatus {
    uint64_t waiting = 0;
    uint64_t judging = 0;
    double oldest_age_s = 0;
    double effective_rate = 1;
  };
  std::map<std::string, AppStatus> Status() const;
  // Fills CompletenessResponse's live fields (20-29) for the apps `app_matches` accepts.
  void FillCompleteness(const std::function<bool(std::string_view app)>& app_matches,
                        v1::CompletenessResponse* out) const;

 private:
  struct Work {
    std::string key;
    std::string app;
    store::QueueEntry entry;
    double rate_factor = 1;
  };
  struct Judging;
  // What async callbacks reach: outlives the engine while calls are out.
  struct Inbox;
  struct AppQueue {
    std::string cursor[2];  // Last claimed key per stage ('q', 'j').
    double rate_factor = 1;
  };

  void WorkerLoop();
  // Claims up to `limit` unclaimed entries of `stage`, round robin over apps (keys.h).
  std::vector<Work> Claim(char stage, size_t limit);
  // Stage one for one sample, into `write` (which points at `sample`, where it is read to).
  void Process(const Work& work, v1::Sample* sample, ScoreWrite* write);
  // When the app is shed and the sample falls outside its effective rate: fills `write` with
  // the removal of the entry and the "shed" counts, without reading the sample (`stub` gets
  // its id, app and start time), and returns true.
  bool Shed(const Work& work, v1::Sample* stub, ScoreWrite* write);
  void ScoreBatch(std::vector<Work> batch);
  // Stage two: starts the asynchronous calls of judge entries.
  void StartJudging(std::vector<Work> batch);
  // Commits samples whose asynchronous scores are all in.
  void FinishJudging(std::vector<std::shared_ptr<Judging>> done);
  // Commits the writes in one store write, then tells Tail subscribers. False on failure.
  bool Commit(std::span<const ScoreWrite> writes);
  void Release(std::span<const Work> batch, bool failed);
  uint64_t SeenBefore(const v1::Sample& sample,
                      std::vector<std::pair<std::string, std::string>>* meta);
  void CountNotScored(std::string_view app, std::string_view rubric, std::string_view reason);
  // Lowers or restores each app's effective rate (at most once a second).
  void AdjustRates();
  // Oldest received time of an app's unscored samples (0 when none).
  int64_t OldestReceived(const std::string& app) const;

  Store* const store_;
  const RubricRegistry* const rubrics_;
  TailHub* const tail_;
  const v1::ScoringConfig config_;
  const uint32_t workers_;
  const uint64_t overload_depth_;
  const uint64_t max_app_backlog_;
  const absl::Duration max_backlog_age_;
  const uint32_t max_async_samples_;
  Counter* const scored_;
  Counter* const errors_;
  Counter* const skipped_;
  Counter* const sampled_out_;
  Counter* const shed_;
  Counter* const wakeups_;

  std::atomic<uint64_t> notify_seq_{0};
  std::atomic<int> idle_workers_{0};
  const std::shared_ptr<Inbox> inbox_;  // Its mutex guards the state below.
  // Claimed entries, by key, with the received time of their sample.
  std::map<std::string, int64_t> claimed_;
  std::map<std::string, AppQueue> apps_;
  std::string round_robin_next_[2];  // Per stage: the app after which the next claim starts.
  bool rescan_ = false;              // Next claims start at the head of every queue.
  bool stopping_ = false;
  uint32_t async_samples_ = 0;       // Samples with asynchronous calls out.
  absl::Time rates_adjusted_ = absl::InfinitePast();
  // Samples seen per (app, model), for full_first_n; loaded lazily from meta.
  std::map<std::string, uint64_t> seen_;
  std::vector<std::thread> threads_;

  // Samples x rubrics not scored since start, by (app, rubric, reason).
  mutable absl::Mutex counts_mu_;
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> not_scored_
      ABSL_GUARDED_BY(counts_mu_);
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORING_ENGINE_H_
