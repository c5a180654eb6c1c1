// ClientImpl: the batcher and sender behind llmtap::Client.
//
// Record() takes no lock. It makes room in the byte budget by dropping the oldest waiting
// samples, moves the sample into a node (the first dropped sample's, or a spare one the sender
// emptied, so the caller rarely calls malloc) and pushes the node onto a lock-free ring
// (MpmcRing), so a caller never waits for another caller, for the sender, or for a thread
// that was preempted. It wakes the sender only when the sender sleeps and a batch is full.
//
// Shards: there are kShards rings, each with its own spare nodes. Threads record into shard 0
// until they run into each other there (a push loses a race for a position 16 times; pops
// race with the sender's too, so they do not count), and from then on each into its own shard (1 to 8, taken in turn), so threads
// recording at once on different cores write different cache lines; the budget is the one
// line they all write. On 2 cores with 8 threads recording flat out, the shared ring made
// Record()'s p50 1.5-2x (the ring's head and tail lines moved between the cores on every
// call). A thread that records now and then stays in shard 0, whose lines other threads'
// calls keep warm: with own shards for all, paced recording (bench_sdk BM_RecordPaced) was
// up to a fifth slower. Each ring has room for the whole budget, so one thread alone is not
// held to less; the rings of shards 1-8 take memory only as they are used. Making room drops
// shard 0's oldest first (a thread that moved on left its older samples there), then the
// caller's own shard's, then the other shards'. The sender takes batches from all shards in
// turn.
//
// One sender thread closes batches (by count or bytes, or after linger: it polls every
// `linger` while idle, so a lone sample leaves within ~2x linger), converts them to protobuf
// (redaction and trimming happen there, off the caller's thread), writes them to the stream
// and keeps them in flight until the reader thread sees their ack. When the stream breaks,
// batches in flight are sent again on the next stream with the same sample ids and batch ids.
//
// Budget: buffered_bytes_ counts every sample from Record() until it is acked or dropped
// (waiting in the ring, carried over by the sender, or in flight). Only waiting samples can be
// dropped; when the samples in flight alone leave no room, the new sample is the one dropped.
#ifndef LLMTAP_SDK_SRC_CLIENT_IMPL_H_
#define LLMTAP_SDK_SRC_CLIENT_IMPL_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "llmtap/client.h"
#include "llmtap/v1/ingest.pb.h"
#include "mpmc_ring.h"
#include "redactor.h"
#include "sync.h"
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
  static constexpr size_t kShards = 9;
  // A recorded sample on the heap, so the ring moves pointers only.
  struct Node {
    Sample sample;
    size_t bytes = 0;   // What it counts against the budget.
    size_t shard = 0;   // Whose spares it goes back to.
  };
  // Ring positions, one per shard.
  using Positions = std::array<uint64_t, kShards>;
  struct Shard {
    Shard(size_t cells, size_t spares, MpmcRing<Node>::Memory memory)
        : ring(cells, memory), spares(spares) {}
    MpmcRing<Node> ring;
    // Empty nodes for Record() to fill. The sender (and Record(), for the samples it drops)
    // puts nodes here once their samples are gone, so a caller takes a node, likely still in
    // cache, instead of calling malloc, whose slow paths (an arena the sender frees into,
    // consolidation, fresh pages) made most of Record()'s p99. At most 1024 nodes a shard
    // (about 0.5 MB), outside the budget.
    MpmcRing<Node> spares;
  };
  struct InFlight {
    std::shared_ptr<const v1::IngestRequest> request;
    Positions first_seq;  // Lowest position in the batch per shard (UINT64_MAX: none).
    size_t count;
    size_t bytes;
  };

  void SendLoop();
  void ReadLoop(IngestStream* stream, uint64_t generation);
  // The shard the calling thread records into.
  static size_t ThreadShard();
  // Counts a push race the calling thread lost, if in shard 0; past a few, it takes its own
  // shard.
  static void NoteContention();
  // Drops the oldest waiting sample of shard 0, or when it has none of `shard`, or else of
  // the first other shard that has one, and adds its bytes to *freed (for the caller to take
  // off buffered_bytes_); false when none can be dropped. Its node, emptied, goes to *reuse if
  // that is null, else to the spares.
  bool DropOldest(size_t shard, Node** reuse, size_t* freed);
  // Moves `sample` into `node`, or when it is null into a spare of `shard` or a new node.
  Node* Fill(size_t shard, Node* node, Sample&& sample, size_t bytes);
  // Frees what the node's sample holds.
  static void Empty(Node* node);
  // Empties the node and keeps it as a spare of its shard (or deletes it).
  void Recycle(Node* node);
  // Moves up to one batch from the rings to inflight_ and returns its request; null when there
  // was neither a sample nor due stats to send.
  std::shared_ptr<const v1::IngestRequest> TakeBatchLocked(bool with_stats)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Samples waiting to be sent in the rings (pushes in progress included, carry_ not).
  uint64_t WaitingCount() const;
  size_t WaitingBytes() const;
  // Whether a batch has filled up by count or bytes.
  bool BatchFull() const;
  // For Record(): whether a batch has filled up by bytes, or by count in `shard`, or (looked
  // at on every 16th push of the shard) by count over all shards.
  bool BatchFullFrom(size_t shard) const;
  bool BatchReadyLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Called by Record() after a push: wakes the sender if it sleeps and a batch is full.
  void MaybeWakeSender(size_t shard);
  // The tails of all rings: everything recorded so far is below them.
  Positions TailsLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether a sample below `target` (per shard) is still waiting or in flight.
  bool PendingBelowLocked(const Positions& target) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  v1::ClientStats StatsProtoLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ClientStats StatsLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Immutable after construction.
  const ClientOptions options_;
  const std::unique_ptr<Transport> transport_;
  const std::unique_ptr<Redactor> redactor_;
  const std::string client_id_;

  // Written by Record() without a lock.
  std::unique_ptr<Shard> shards_[kShards];
  alignas(64) std::atomic<size_t> buffered_bytes_{0};  // Waiting, carried over or in flight.
  std::atomic<uint64_t> sampled_out_{0};
  std::atomic<uint64_t> refused_{0};  // New samples dropped (budget held in flight, or shut down).
  std::atomic<bool> shut_down_{false};
  // In flight, written under mu_ and read by Record() without it.
  std::atomic<size_t> inflight_bytes_{0};
  // Set by the sender, under mu_, before it checks for work and sleeps; Record() wakes it only
  // when set. Sequentially consistent with the ring's tail (see MaybeWakeSender).
  std::atomic<bool> sender_idle_{false};

  mutable Mutex mu_;
  CondVar cv_;  // Signalled on: batch ready, ack, stream broken, flush, stop.
  // A node the sender popped that did not fit in its batch's bytes; first in the next batch.
  Node* carry_ ABSL_GUARDED_BY(mu_) = nullptr;
  uint64_t carry_seq_ ABSL_GUARDED_BY(mu_) = 0;
  // The shard the sender takes from first next time, so that none waits behind the others.
  size_t next_shard_ ABSL_GUARDED_BY(mu_) = 0;
  // When the sender first saw samples waiting (InfiniteFuture when none were).
  absl::Time waiting_since_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  std::map<uint64_t, InFlight> inflight_ ABSL_GUARDED_BY(mu_);
  uint64_t next_batch_id_ ABSL_GUARDED_BY(mu_) = 1;
  int flush_waiters_ ABSL_GUARDED_BY(mu_) = 0;
  bool stream_broken_ ABSL_GUARDED_BY(mu_) = false;
  // Set by a rate-limit refusal: no batch is sent before this, and then the refused batches
  // (retry_, ids of batches in inflight_) go again first.
  absl::Time resend_not_before_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::vector<uint64_t> retry_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  IngestStream* live_stream_ ABSL_GUARDED_BY(mu_) = nullptr;
  ClientStats stats_ ABSL_GUARDED_BY(mu_);  // sent, acked, retried, rejected, reconnects.
  // Samples the sender took from the rings. Every other pop drops a sample for the budget, so
  // the samples dropped that way are the sum of the rings' heads - popped_.
  uint64_t popped_ ABSL_GUARDED_BY(mu_) = 0;

  std::thread sender_;
};

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_CLIENT_IMPL_H_
