// TailHub: fans new scores out to live Tail subscribers. Publishing never blocks: a subscriber
// that falls behind by more than kMaxQueued events loses the oldest and is told how many.
// Close() (at shutdown) ends every subscription, so Tail calls return at once.
#ifndef LLMTAP_COLLECTOR_SCORING_TAIL_HUB_H_
#define LLMTAP_COLLECTOR_SCORING_TAIL_HUB_H_

#include <deque>
#include <list>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "llmtap/v1/query.pb.h"

namespace llmtap::collector {

class TailHub {
 public:
  static constexpr size_t kMaxQueued = 10000;

  class Subscription {
   public:
    // Waits up to `timeout` for the next event; false when none came (or the hub closed).
    bool Next(v1::TailResponse* out, absl::Duration timeout);
    uint64_t lost() const;
    // True once the hub has closed: no more events will come.
    bool closed() const;

   private:
    friend class TailHub;
    mutable absl::Mutex mu_;
    std::deque<v1::TailResponse> queue_ ABSL_GUARDED_BY(mu_);
    uint64_t lost_ ABSL_GUARDED_BY(mu_) = 0;
    bool closed_ ABSL_GUARDED_BY(mu_) = false;
  };

  std::shared_ptr<Subscription> Subscribe();
  void Unsubscribe(const std::shared_ptr<Subscription>& s);
  void Publish(const v1::TailResponse& event);
  bool has_subscribers() const;
  // Closes every subscription, present and future. Idempotent.
  void Close();

 private:
  mutable absl::Mutex mu_;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::list<std::shared_ptr<Subscription>> subscribers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_TAIL_HUB_H_
