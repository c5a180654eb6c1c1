// Mutex, MutexLock and CondVar for the SDK: absl's names and thread-safety annotations over
// std::mutex and std::condition_variable_any. They are plain pthread primitives, which
// ThreadSanitizer understands even where Abseil is an uninstrumented system library (as on
// Debian), so TSan builds of the SDK check real races instead of reporting false ones.
#ifndef LLMTAP_SDK_SRC_SYNC_H_
#define LLMTAP_SDK_SRC_SYNC_H_

#include <condition_variable>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"

namespace llmtap::internal {

// Spins briefly before sleeping, as absl::Mutex does: the SDK's critical sections are a few
// pointer moves, so a waiter usually gets the lock sooner than a futex round trip.
class ABSL_LOCKABLE Mutex {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    for (int i = 0; i < kSpins; ++i) {
      if (mu_.try_lock()) return;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    mu_.lock();
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }
  // BasicLockable, for CondVar.
  void lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { Lock(); }
  void unlock() ABSL_UNLOCK_FUNCTION() { Unlock(); }

 private:
  static constexpr int kSpins = 100;
  std::mutex mu_;
};

class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// REQUIRES: the waits are called with `mu` held; they release it while waiting.
class CondVar {
 public:
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }
  void Wait(Mutex* mu) { cv_.wait(*mu); }
  // True when the deadline passed (the call may also return early, spuriously or signalled).
  bool WaitWithDeadline(Mutex* mu, absl::Time deadline) {
    return cv_.wait_until(*mu, absl::ToChronoTime(deadline)) == std::cv_status::timeout;
  }
  bool WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
    return cv_.wait_for(*mu, absl::ToChronoNanoseconds(timeout)) == std::cv_status::timeout;
  }

 private:
  std::condition_variable_any cv_;
};

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_SYNC_H_
