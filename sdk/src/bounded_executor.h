// BoundedExecutor: a fixed pool of threads with a bounded queue. Submitting never blocks: a
// task that finds the queue full is refused, and the caller counts it.
#ifndef LLMTAP_SDK_SRC_BOUNDED_EXECUTOR_H_
#define LLMTAP_SDK_SRC_BOUNDED_EXECUTOR_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "sync.h"

namespace llmtap::internal {

// Thread-safe. Tasks must not throw.
class BoundedExecutor {
 public:
  // Starts `threads` (at least 1) workers; at most `max_queue` tasks wait for one.
  BoundedExecutor(size_t threads, size_t max_queue);
  // Shutdown().
  ~BoundedExecutor();

  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;

  // Queues `task` and returns true, or returns false at once when the queue is full or the
  // executor is shut down.
  bool TrySubmit(std::function<void()> task);

  // Refuses new tasks, discards the queued ones, waits for the running ones to return and
  // joins the threads. Returns how many queued tasks were discarded. Idempotent.
  size_t Shutdown();

 private:
  void WorkLoop();

  const size_t max_queue_;

  Mutex mu_;
  CondVar cv_;  // Signalled on: a task queued, stopping.
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  std::vector<std::thread> threads_;  // Joined by the first Shutdown().
  Mutex join_mu_;              // Serialises Shutdown() calls.
};

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_BOUNDED_EXECUTOR_H_
