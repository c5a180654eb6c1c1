// ClientImpl: the batcher and sender behind llmtap::Client.
//
// Record() moves the sample into a heap node outside the lock, then appends the node's pointer
// to a bounded queue under one mutex and returns; it never waits for I/O and wakes the sender
// only when a batch is full. One sender thread closes batches (by count or bytes, or after
// linger: it polls every `linger` while idle, so a lone sample leaves within ~2x linger),
// converts them to protobuf (redaction and trimming happen there, off the caller's thread),
// writes them to the stream and keeps them in flight until the reader thread sees their ack.
// When the stream breaks, batches in flight are sent again on the next stream with the same
// sample ids and batch ids. Memory freed by acks and drops is released outside the lock.
#ifndef LLMTAP_SDK_SRC_CLIENT_IMPL_H_
#define LLMTAP_SDK_SRC_CLIENT_IMPL_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "sync.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "llmtap/client.h"
#include "llmtap/v1/ingest.pb.h"
#include "redactor.h"
#include "transport.h"

namespace llmtap::internal {

class ClientImpl final : public Client {
 public:
  // `redactor` may be null. Call Start() once after construction.
  ClientImpl(ClientOptions options, std::unique_ptr<Transport> transport,
             std::unique_ptr<Redactor> redactor);
  ~ClientImpl() override;

  void Start();
  void Record(Sample sample) override;
  Status Flush(std::chrono::milliseconds timeout) override;
  Status Shutdown(std::chrono::milliseconds timeout) override;
  ClientStats Stats() const override;

 private:
  // A waiting sample. The queue holds these small entries; the sample itself sits in its own
  // heap node, so the lock guards only pointer moves and evicting reads no cold memory.
  struct Waiting {
    std::unique_ptr<Sample> sample;
    uint64_t seq = 0;
    size_t bytes = 0;
    std::thread::id recorder;  // The thread that recorded it (and, most likely, allocated it).
  };
  struct InFlight {
    std::shared_ptr<const v1::IngestRequest> request;
    uint64_t first_seq;  // Lowest sequence number in the batch (UINT64_MAX when empty).
    size_t count;
    size_t bytes;
  };

  void SendLoop();
  void ReadLoop(IngestStream* stream, uint64_t generation);
  // Moves up to one batch from waiting_ to inflight_ and returns its request.
  std::shared_ptr<const v1::IngestRequest> TakeBatchLocked(bool with_stats)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Frees the samples Record() dropped (with mu_ released while freeing).
  void FreeGraveyardLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool BatchReadyLocked(absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t OldestPendingSeqLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  v1::ClientStats StatsProtoLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ClientStats StatsLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Immutable after construction.
  const ClientOptions options_;
  const std::unique_ptr<Transport> transport_;
  const std::unique_ptr<Redactor> redactor_;
  const std::string client_id_;

  std::atomic<uint64_t> sampled_out_{0};

  mutable Mutex mu_;
  CondVar cv_;  // Signalled on: batch ready, ack, stream broken, flush, stop.
  std::deque<Waiting> waiting_ ABSL_GUARDED_BY(mu_);
  size_t waiting_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time waiting_since_ ABSL_GUARDED_BY(mu_);  // When the oldest waiting sample arrived.
  std::map<uint64_t, InFlight> inflight_ ABSL_GUARDED_BY(mu_);
  size_t inflight_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_batch_id_ ABSL_GUARDED_BY(mu_) = 1;
  int flush_waiters_ ABSL_GUARDED_BY(mu_) = 0;
  bool stream_broken_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  IngestStream* live_stream_ ABSL_GUARDED_BY(mu_) = nullptr;
  ClientStats stats_ ABSL_GUARDED_BY(mu_);
  // Samples dropped for the budget that another thread recorded, freed by the sender. A
  // sample the dropping thread recorded itself is freed by that thread: glibc returns memory
  // freed by a thread other than its allocator through the allocating arena's lock, which
  // the allocator's next malloc then waits for, so each sample goes back through the thread
  // that most likely allocated it when that is the caller, and through the sender otherwise
  // (rather than making the caller wait on another recording thread's arena). Capacity
  // kMaxGraveyard, reserved up front; when full, Record() frees the dropped sample itself.
  std::vector<std::unique_ptr<Sample>> graveyard_ ABSL_GUARDED_BY(mu_);
  std::vector<std::unique_ptr<Sample>> spare_graveyard_;  // Used by the sender only.

  std::thread sender_;
};

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_CLIENT_IMPL_H_
