#include "collector/scoring/tail_hub.h"

namespace llmtap::collector {

bool TailHub::Subscription::Next(v1::TailResponse* out, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || closed_; };
  if (!mu_.AwaitWithTimeout(absl::Condition(&ready), timeout) || queue_.empty()) return false;
  *out = std::move(queue_.front());
  queue_.pop_front();
  return true;
}

uint64_t TailHub::Subscription::lost() const {
  absl::MutexLock lock(&mu_);
  return lost_;
}

bool TailHub::Subscription::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

std::shared_ptr<TailHub::Subscription> TailHub::Subscribe() {
  auto s = std::make_shared<Subscription>();
  absl::MutexLock lock(&mu_);
  if (closed_) {
    absl::MutexLock sl(&s->mu_);
    s->closed_ = true;
  }
  subscribers_.push_back(s);
  return s;
}

void TailHub::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
  for (auto& s : subscribers_) {
    absl::MutexLock sl(&s->mu_);
    s->closed_ = true;
  }
}

void TailHub::Unsubscribe(const std::shared_ptr<Subscription>& s) {
  absl::MutexLock lock(&mu_);
  subscribers_.remove(s);
}

bool TailHub::has_subscribers() const {
  absl::MutexLock lock(&mu_);
  return !subscribers_.empty();
}

void TailHub::Publish(const v1::TailResponse& event) {
  absl::MutexLock lock(&mu_);
  for (auto& s : subscribers_) {
    absl::MutexLock sl(&s->mu_);
    if (s->queue_.size() >= kMaxQueued) {
      s->queue_.pop_front();
      ++s->lost_;
    }
    s->queue_.push_back(event);
  }
}

}  // namespace llmtap::collector
