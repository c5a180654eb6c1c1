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
  MutexLock lock(&mu_);
  if (stopping_ || queue_.size() >= max_queue_) return false;
  queue_.push_back(std::move(task));
  cv_.Signal();
  return true;
}

void BoundedExecutor::WorkLoop() {
  while (true) {
    std::function<void()> task;
    {
      MutexLock lock(&mu_);
      while (!stopping_ && queue_.empty()) cv_.Wait(&mu_);
      if (stopping_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

size_t BoundedExecutor::Shutdown() {
  MutexLock join_lock(&join_mu_);
  std::deque<std::function<void()>> discarded;
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    discarded.swap(queue_);
    cv_.SignalAll();
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  return discarded.size();
}

}  // namespace llmtap::internal
