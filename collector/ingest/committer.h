// Committer: group commit for ingest. Stream handlers hand it validated batches; one thread
// folds every batch waiting at that moment (up to a bound) into a single Store::Ingest write,
// then calls each batch's callback with the outcome. An ack is therefore sent only after the
// batch is durable, and many concurrent streams share one write (and one fsync with sync_wal).
//
// Thread safety: Submit() may be called from any thread. Callbacks run on the committer thread
// and must not block.
#ifndef LLMTAP_COLLECTOR_INGEST_COMMITTER_H_
#define LLMTAP_COLLECTOR_INGEST_COMMITTER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "collector/common/metrics.h"
#include "collector/store/store.h"
#include "llmtap/v1/ingest.pb.h"

namespace llmtap::collector {

struct IngestOutcome {
  absl::Status status;
  uint32_t accepted = 0;
  uint32_t duplicates = 0;
};

class Committer {
 public:
  using Done = std::function<void(const IngestOutcome&)>;
  // Prices a sample that carries no cost; may be empty.
  using Pricer = std::function<void(v1::Sample*)>;
  // Tells whether new samples need a scoring-queue entry (any rubric enabled).
  using EnqueuePolicy = std::function<bool()>;

  // `store` and `metrics` must outlive the Committer. Starts the thread. `forward_limit` > 0
  // (fleet edge) puts each new sample in the store's forward queue too, in the same write, and
  // refuses batches while that many samples wait there (IngestWrite::forward_limit).
  Committer(Store* store, Metrics* metrics, uint32_t max_group_batches, Pricer pricer,
            EnqueuePolicy enqueue, uint64_t forward_limit = 0);
  // Stops after committing what was submitted.
  ~Committer();

  // Takes ownership of a validated request; `done` is called once, after the commit.
  // After Stop(), `done` is called at once with UNAVAILABLE.
  void Submit(std::shared_ptr<v1::IngestRequest> request, Done done);
  // Batches submitted and not yet committed.
  size_t pending() const;
  // Commits what is queued, then refuses new batches. Idempotent.
  void Stop();

 private:
  struct Pending {
    std::shared_ptr<v1::IngestRequest> request;
    Done done;
  };
  void Run();

  Store* const store_;
  const uint32_t max_group_batches_;
  const Pricer pricer_;
  const EnqueuePolicy enqueue_;
  const uint64_t forward_limit_;
  Counter* const samples_stored_;
  Counter* const samples_duplicate_;
  Counter* const batches_;
  Counter* const commits_;
  Counter* const commit_errors_;
  Histogram* const batch_samples_;
  Histogram* const commit_samples_;
  Histogram* const commit_seconds_;

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_INGEST_COMMITTER_H_
