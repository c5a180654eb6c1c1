#include "bounded_executor.h"

#include <algorithm>

namespace llmtap::internal {

BoundedExecutor::BoundedExecutor(size_t threads, size_t max_queue) : max_queue_(max_queue) {
  threads = std::max<size_t>(threads, 1);
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { WorkLoop(); });
}

BoundedExecutor::~BoundedExecutor() { Shutdown(); }

bool BoundedExecutor::TrySubmit(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_ || queue_.size() >= max_queue_) return false;
  queue_.push_back(std::move(task));
  return true;
}

void BoundedExecutor::WorkLoop() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](BoundedExecutor* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return self->stopping_ || !self->queue_.empty();
          },
          this));
      if (stopping_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

size_t BoundedExecutor::Shutdown() {
  absl::MutexLock join_lock(&join_mu_);
  std::deque<std::function<void()>> discarded;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    discarded.swap(queue_);
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  return discarded.size();
}

}  // namespace llmtap::internal
