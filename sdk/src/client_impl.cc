#include "client_impl.h"

#include <google/protobuf/arena.h>

#include <algorithm>
#include <memory>
#include <random>

#include "sample_convert.h"
#include "sample_id.h"

namespace llmtap::internal {

// IngestResponse.code of a batch refused by the collector's per-key rate limit.
constexpr int32_t kResourceExhausted = 8;
namespace {

// Empty nodes kept for reuse by each shard (see Shard::spares); fewer for a small budget.
constexpr size_t kMaxSpares = 1024;
// Sample.id is 32 hex characters; counted in the budget before the sender fills it.
constexpr size_t kSampleIdChars = 32;
// Every sample counts at least sizeof(Sample) against the budget, so a ring of budget /
// sizeof(Sample) cells never fills before the budget does, even when one thread records
// everything; each shard's is capped at this many cells (16 MiB), past which the oldest
// samples are dropped as for the budget. A ring's memory is used only as its cells are.
constexpr size_t kMaxRingCells = size_t{1} << 20;
// While reconnecting, the sender waits for the transport this long at a time, then looks at
// stopping_: the most it adds to Shutdown.
constexpr absl::Duration kReadyWaitSlice = absl::Milliseconds(20);

// Per-thread generator for head sampling and jitter.
double UniformUnit() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return (rng() >> 11) * 0x1.0p-53;
}

absl::Duration Jittered(absl::Duration d) { return d * (0.5 + UniformUnit()); }

// Asks the CPU to start loading a whole node (with its malloc header in front). Only a hint:
// reads nothing, so it is safe on a node another thread may be freeing.
template <typename Node>
void PrefetchNode(const Node* node) {
  const char* const p = reinterpret_cast<const char*>(node);
  for (size_t off = 0; off < sizeof(Node) + 16; off += 64) __builtin_prefetch(p - 16 + off, 1);
}

// A request on its own arena: its Sample messages and string objects are carved out of a few
// blocks instead of taking a heap allocation each (moved-in text keeps its own buffer), and
// all are freed at once with the last reference.
std::shared_ptr<v1::IngestRequest> NewArenaRequest() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 16 << 10;
  options.max_block_size = 256 << 10;
  auto arena = std::make_shared<google::protobuf::Arena>(options);
  auto* request = google::protobuf::Arena::CreateMessage<v1::IngestRequest>(arena.get());
  return std::shared_ptr<v1::IngestRequest>(std::move(arena), request);  // Shares the arena.
}

}  // namespace

ClientImpl::ClientImpl(ClientOptions options, std::unique_ptr<Transport> transport,
                       std::unique_ptr<Redactor> redactor)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      redactor_(std::move(redactor)),
      client_id_(NewSampleId()) {
  const size_t cells = std::min(options_.max_buffer_bytes / sizeof(Sample) + 1, kMaxRingCells);
  for (size_t i = 0; i < kShards; ++i) {
    shards_[i] = std::make_unique<Shard>(
        cells, std::min(kMaxSpares, cells),
        i == 0 ? MpmcRing<Node>::Memory::kEager : MpmcRing<Node>::Memory::kLazy);
  }
}

ClientImpl::~ClientImpl() {
  Shutdown(std::chrono::milliseconds(0));
  // The sender has stopped: free what never left.
  Node* node;
  uint64_t position;
  for (auto& shard : shards_) {
    while (shard->ring.TryPop(&node, &position)) delete node;
    while (shard->spares.TryPop(&node, &position)) delete node;
  }
  MutexLock lock(&mu_);
  delete carry_;
  carry_ = nullptr;
}

void ClientImpl::Start() { sender_ = std::thread([this] { SendLoop(); }); }

namespace {
// Per thread, for all clients: its shard (0 until it has lost kRacesBeforeOwnShard races
// there) and the races lost so far.
constexpr uint32_t kRacesBeforeOwnShard = 16;
thread_local size_t t_shard = 0;
thread_local uint32_t t_races = 0;
std::atomic<size_t> g_next_own_shard{0};
}  // namespace

size_t ClientImpl::ThreadShard() { return t_shard; }

void ClientImpl::NoteContention() {
  if (t_shard != 0 || ++t_races < kRacesBeforeOwnShard) return;
  t_shard = 1 + g_next_own_shard.fetch_add(1, std::memory_order_relaxed) % (kShards - 1);
}

void ClientImpl::Record(Sample sample) {
  const size_t shard = ThreadShard();
  Shard& own = *shards_[shard];
  // After the caller has been busy elsewhere, the shared lines this call touches are out of
  // its core's cache: ask for them all now, so that their misses overlap rather than wait one
  // after the other behind each atomic instruction.
  own.ring.Prefetch();
  own.spares.Prefetch();
  __builtin_prefetch(&buffered_bytes_, 1);
  __builtin_prefetch(&inflight_bytes_);
  __builtin_prefetch(&sender_idle_);
  if (options_.sample_rate < 1 && UniformUnit() >= options_.sample_rate) {
    sampled_out_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // The id is made by the sender (from start_time) when left empty.
  const size_t bytes = ApproximateBytes(sample) + (sample.id.empty() ? kSampleIdChars : 0);
  // After shutdown nothing is kept. Samples in flight stay (they may need to be sent again);
  // when they alone leave no room, the new sample is the one dropped.
  if (shut_down_.load(std::memory_order_acquire) ||
      inflight_bytes_.load(std::memory_order_relaxed) + bytes > options_.max_buffer_bytes) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (sample.start_time.time_since_epoch().count() == 0) {
    sample.start_time = std::chrono::system_clock::now();
  }
  // Make room: the oldest waiting samples go first, for the budget and then for a ring full by
  // count (kMaxRingCells); the first one dropped leaves its node for this sample. With nothing
  // left to drop, the new sample is refused. The budget takes one update for this sample and
  // those it dropped; when other callers got in meanwhile, more are dropped after it.
  const size_t budget = options_.max_buffer_bytes;
  Node* node = nullptr;
  size_t freed = 0;  // Bytes of the samples dropped here, still counted in buffered_bytes_.
  bool room = true;
  while (room && buffered_bytes_.load(std::memory_order_relaxed) + bytes - freed > budget) {
    room = DropOldest(shard, &node, &freed);
  }
  // Unsigned arithmetic: adding bytes - freed (mod 2^64) subtracts when more was dropped.
  size_t total = buffered_bytes_.fetch_add(bytes - freed) + bytes - freed;
  while (room && total > budget) {
    freed = 0;
    room = DropOldest(shard, &node, &freed);
    total = buffered_bytes_.fetch_sub(freed) - freed;
  }
  if (room) {
    node = Fill(shard, node, std::move(sample), bytes);
    freed = 0;
    bool contended = false;
    while (room && !own.ring.TryPush(node, &contended)) room = DropOldest(shard, nullptr, &freed);
    if (freed > 0) buffered_bytes_.fetch_sub(freed);
    if (contended) NoteContention();
  }
  if (!room) {
    buffered_bytes_.fetch_sub(bytes);
    refused_.fetch_add(1, std::memory_order_relaxed);
    if (node != nullptr) Recycle(node);
    return;
  }
  MaybeWakeSender(shard);
}

bool ClientImpl::DropOldest(size_t shard, Node** reuse, size_t* freed) {
  Node* oldest;
  uint64_t position;
  // Shard 0, the caller's, then the others from the caller's on.
  size_t from = 0;
  auto pop = [&](size_t s) {
    from = s;
    return shards_[s]->ring.TryPop(&oldest, &position);
  };
  bool found = pop(0);
  if (!found && shard != 0) found = pop(shard);
  for (size_t next = 1; !found && next < kShards; ++next) {
    const size_t s = (shard + next) % kShards;
    if (s != 0) found = pop(s);
  }
  if (!found) return false;
  // With the budget full, every call drops the oldest samples, which are long out of the
  // cache: start loading the next three now, so that dropping them later does not wait on
  // memory. (Only prefetches: another thread may drop them first.)
  const MpmcRing<Node>& ring = shards_[from]->ring;
  for (size_t ahead : {0, 1, 2}) {
    if (const Node* next = ring.PeekHint(ahead); next != nullptr) PrefetchNode(next);
  }
  *freed += oldest->bytes;
  if (reuse != nullptr && *reuse == nullptr) {
    Empty(oldest);
    *reuse = oldest;
  } else {
    Recycle(oldest);
  }
  return true;
}

ClientImpl::Node* ClientImpl::Fill(size_t shard, Node* node, Sample&& sample, size_t bytes) {
  uint64_t position;
  if (node == nullptr && !shards_[shard]->spares.TryPop(&node, &position)) {
    return new Node{std::move(sample), bytes, shard};
  }
  PrefetchNode(node);  // For writing all of it at once.
  node->sample = std::move(sample);
  node->bytes = bytes;
  node->shard = shard;
  return node;
}

void ClientImpl::Empty(Node* node) {
  // Destroyed and made anew, not assigned: an assigned string keeps its heap block.
  std::destroy_at(&node->sample);
  std::construct_at(&node->sample);
}

void ClientImpl::Recycle(Node* node) {
  Empty(node);
  if (!shards_[node->shard]->spares.TryPush(node)) delete node;
}

uint64_t ClientImpl::WaitingCount() const {
  // Not carry_, which only the sender may read. Each head is read first: it never passes its
  // tail, so no difference is negative.
  uint64_t count = 0;
  for (const auto& shard : shards_) {
    const uint64_t head = shard->ring.head();
    count += shard->ring.tail() - head;
  }
  return count;
}

size_t ClientImpl::WaitingBytes() const {
  const size_t buffered = buffered_bytes_.load(std::memory_order_relaxed);
  const size_t inflight = inflight_bytes_.load(std::memory_order_relaxed);
  return buffered > inflight ? buffered - inflight : 0;  // Two loads, not one snapshot.
}

bool ClientImpl::BatchFull() const {
  return WaitingCount() >= options_.max_batch_samples ||
         WaitingBytes() >= options_.max_batch_bytes;
}

bool ClientImpl::BatchFullFrom(size_t shard) const {
  const MpmcRing<Node>& ring = shards_[shard]->ring;
  const uint64_t head = ring.head();
  const uint64_t tail = ring.tail();
  if (tail - head >= options_.max_batch_samples || WaitingBytes() >= options_.max_batch_bytes) {
    return true;
  }
  // All shards' counts every 16th push of a shard: reading every ring's head and tail lines,
  // which other threads write, on every call would cost more than the rest of Record().
  return tail % 16 == 0 && WaitingCount() >= options_.max_batch_samples;
}

bool ClientImpl::BatchReadyLocked(absl::Time now) {
  if (WaitingCount() == 0 && carry_ == nullptr) {
    waiting_since_ = absl::InfiniteFuture();
    return false;
  }
  if (waiting_since_ == absl::InfiniteFuture()) waiting_since_ = now;
  return flush_waiters_ > 0 || stopping_ || BatchFull() ||
         now - waiting_since_ >= absl::FromChrono(options_.linger);
}

void ClientImpl::MaybeWakeSender(size_t shard) {
  // The push's position was claimed with a seq_cst RMW and the sender sets sender_idle_
  // (seq_cst) before it reads the rings' tails (seq_cst): either this load sees the flag, or
  // the sender's check sees the new sample. Taking mu_ orders the signal after the sender has
  // started waiting. A sender that is busy needs no signal, so callers almost never pay for
  // a lock or a futex call.
  if (!sender_idle_.load(std::memory_order_seq_cst) || !BatchFullFrom(shard)) return;
  MutexLock lock(&mu_);
  if (!sender_idle_.load(std::memory_order_relaxed)) return;
  sender_idle_.store(false, std::memory_order_relaxed);
  cv_.Signal();
}

ClientImpl::Positions ClientImpl::TailsLocked() const {
  Positions tails;
  for (size_t i = 0; i < kShards; ++i) tails[i] = shards_[i]->ring.tail();
  return tails;
}

bool ClientImpl::PendingBelowLocked(const Positions& target) const {
  // Every position below a ring's head has been dropped, or taken by the sender into carry_
  // or a batch in flight (under mu_, which we hold).
  for (size_t i = 0; i < kShards; ++i) {
    if (shards_[i]->ring.head() < target[i]) return true;
  }
  if (carry_ != nullptr && carry_seq_ < target[carry_->shard]) return true;
  for (const auto& [id, batch] : inflight_) {
    for (size_t i = 0; i < kShards; ++i) {
      if (batch.first_seq[i] < target[i]) return true;
    }
  }
  return false;
}

std::shared_ptr<const v1::IngestRequest> ClientImpl::TakeBatchLocked(bool with_stats) {
  std::vector<Node*> nodes;
  nodes.reserve(options_.max_batch_samples);
  size_t bytes = 0;
  Positions first_seq;
  first_seq.fill(UINT64_MAX);
  auto take = [&](Node* node, uint64_t seq) {
    first_seq[node->shard] = std::min(first_seq[node->shard], seq);
    bytes += node->bytes;
    nodes.push_back(node);
  };
  if (carry_ != nullptr) take(std::exchange(carry_, nullptr), carry_seq_);
  // The shards in turn, from a different one each batch.
  Node* node;
  uint64_t seq;
  for (size_t i = 0; i < kShards && carry_ == nullptr; ++i) {
    MpmcRing<Node>& ring = shards_[(next_shard_ + i) % kShards]->ring;
    while (nodes.size() < options_.max_batch_samples && ring.TryPop(&node, &seq)) {
      ++popped_;
      if (!nodes.empty() && bytes + node->bytes > options_.max_batch_bytes) {
        carry_ = node;
        carry_seq_ = seq;
        break;
      }
      take(node, seq);
    }
  }
  next_shard_ = (next_shard_ + 1) % kShards;
  waiting_since_ =
      carry_ != nullptr || WaitingCount() > 0 ? absl::Now() : absl::InfiniteFuture();
  if (nodes.empty() && !with_stats) return nullptr;

  const uint64_t batch_id = next_batch_id_++;
  std::shared_ptr<v1::IngestRequest> request = NewArenaRequest();
  request->set_batch_id(batch_id);
  if (with_stats) *request->mutable_client_stats() = StatsProtoLocked();
  inflight_[batch_id] = InFlight{request, first_seq, nodes.size(), bytes};
  inflight_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  stats_.sent += nodes.size();

  // Conversion (redaction, trimming, copying into protobuf) runs without the lock, so Flush
  // and the reader never wait for it. The request is not shared with anyone until we return.
  mu_.Unlock();
  request->mutable_samples()->Reserve(static_cast<int>(nodes.size()));
  for (Node* n : nodes) {
    Sample& sample = n->sample;
    if (sample.app.empty()) sample.app = options_.app;
    if (sample.id.empty()) sample.id = internal::NewSampleIdAt(sample.start_time);
    MoveToProto(std::move(sample), redactor_.get(), request->add_samples());
    Recycle(n);
  }
  mu_.Lock();
  return request;
}

void ClientImpl::SendLoop() {
  std::unique_ptr<IngestStream> stream;
  std::thread reader;
  absl::Duration backoff = absl::FromChrono(options_.initial_backoff);
  absl::Time next_stats = absl::Now();

  // Shutdown() may cancel live_stream_ at any time under mu_, so it is cleared before the
  // stream is destroyed.
  auto close_stream = [&] {
    if (!stream) return;
    stream->Cancel();
    live_stream_ = nullptr;
    mu_.Unlock();
    if (reader.joinable()) reader.join();
    stream.reset();
    mu_.Lock();
  };

  MutexLock lock(&mu_);
  while (!stopping_) {
    if (!stream) {
      mu_.Unlock();
      std::unique_ptr<IngestStream> opened = transport_->Open();
      mu_.Lock();
      if (stopping_) break;
      if (!opened) {
        // Wait out the backoff while the transport follows its connection attempts, in short
        // slices so that Shutdown is not held up; a ready connection ends the wait early.
        const absl::Time until = absl::Now() + Jittered(backoff);
        backoff = std::min(backoff * 2, absl::FromChrono(options_.max_backoff));
        while (!stopping_ && absl::Now() < until) {
          const absl::Time slice = std::min(until, absl::Now() + kReadyWaitSlice);
          mu_.Unlock();
          const bool ready = transport_->WaitForReady(absl::ToChronoTime(slice));
          mu_.Lock();
          if (ready) break;
          if (absl::Now() < slice) cv_.WaitWithDeadline(&mu_, slice);  // It returned early.
        }
        continue;
      }
      if (generation_ > 0) ++stats_.reconnects;
      stream = std::move(opened);
      live_stream_ = stream.get();
      stream_broken_ = false;
      retry_.clear();  // Everything in flight goes again below.
      const uint64_t generation = ++generation_;
      IngestStream* raw = stream.get();
      reader = std::thread([this, raw, generation] { ReadLoop(raw, generation); });
      // Whatever was in flight on the last stream goes again, same ids, same batch ids.
      std::vector<std::shared_ptr<const v1::IngestRequest>> resend;
      for (auto& [id, batch] : inflight_) {
        resend.push_back(batch.request);
        stats_.retried += batch.count;
        stats_.sent += batch.count;
      }
      mu_.Unlock();
      bool ok = true;
      for (const auto& r : resend) ok = ok && stream->Write(*r);
      mu_.Lock();
      if (!ok) stream_broken_ = true;
    }

    // Wait for something to do.
    while (!stopping_ && !stream_broken_) {
      const absl::Time now = absl::Now();
      const bool stats_due = now >= next_stats;
      // Record() wakes us for a full batch only when we could send it (and the flag is set
      // before looking at the ring: see MaybeWakeSender). Acks wake us otherwise.
      // While the collector's rate limit holds, no new batch goes out; refused ones go again
      // once its delay has passed.
      if (!retry_.empty() && now >= resend_not_before_) break;
      const bool can_send =
          inflight_.size() < options_.max_inflight_batches && now >= resend_not_before_;
      sender_idle_.store(can_send, std::memory_order_seq_cst);
      if (can_send && (BatchReadyLocked(now) || stats_due)) break;
      // Record() signals only a full batch, so an idle sender polls every linger; with samples
      // waiting it sleeps until the oldest one's linger ends.
      const absl::Duration linger = absl::FromChrono(options_.linger);
      absl::Time wake = std::min({next_stats, now + linger, waiting_since_ + linger});
      if (now < resend_not_before_) wake = std::max(wake, resend_not_before_);
      cv_.WaitWithDeadline(&mu_, std::max(wake, now + absl::Milliseconds(1)));
    }
    sender_idle_.store(false, std::memory_order_relaxed);
    if (stopping_) break;
    if (stream_broken_) {
      close_stream();
      const absl::Time until = absl::Now() + Jittered(backoff);
      while (!stopping_ && absl::Now() < until) cv_.WaitWithDeadline(&mu_, until);
      backoff = std::min(backoff * 2, absl::FromChrono(options_.max_backoff));
      continue;
    }

    if (!retry_.empty() && absl::Now() >= resend_not_before_) {
      // Batches the rate limit refused go again on this stream, same ids.
      std::vector<std::shared_ptr<const v1::IngestRequest>> again;
      for (uint64_t id : retry_) {
        auto it = inflight_.find(id);
        if (it == inflight_.end()) continue;
        again.push_back(it->second.request);
        stats_.retried += it->second.count;
        stats_.sent += it->second.count;
      }
      retry_.clear();
      mu_.Unlock();
      bool ok = true;
      for (const auto& r : again) ok = ok && stream->Write(*r);
      mu_.Lock();
      if (!ok) stream_broken_ = true;
      continue;
    }
    const absl::Time now = absl::Now();
    const bool with_stats = now >= next_stats;
    if (with_stats) next_stats = now + absl::FromChrono(options_.stats_interval);
    std::shared_ptr<const v1::IngestRequest> request = TakeBatchLocked(with_stats);
    if (request == nullptr) {
      // The samples counted as waiting were still being pushed; they will be ready shortly.
      cv_.WaitWithTimeout(&mu_, absl::Milliseconds(1));
      continue;
    }
    mu_.Unlock();
    const bool ok = stream->Write(*request);
    mu_.Lock();
    if (!ok) {
      stream_broken_ = true;
    } else {
      backoff = absl::FromChrono(options_.initial_backoff);
    }
  }
  close_stream();
}

void ClientImpl::ReadLoop(IngestStream* stream, uint64_t generation) {
  v1::IngestResponse response;
  while (stream->Read(&response)) {
    // The acked request (up to a batch of samples) is freed after the lock is released.
    std::shared_ptr<const v1::IngestRequest> done;
    MutexLock lock(&mu_);
    auto it = inflight_.find(response.batch_id());
    if (it == inflight_.end()) continue;  // Acked already, on an earlier stream.
    if (response.code() == kResourceExhausted) {
      // The key's rate limit: keep the batch and send it again on this stream once the
      // collector's delay has passed. Nothing is lost, and nothing else is resent.
      resend_not_before_ =
          std::max(resend_not_before_,
                   absl::Now() + absl::Milliseconds(std::max<uint32_t>(1, response.retry_after_ms())));
      if (generation_ == generation) retry_.push_back(response.batch_id());
      cv_.SignalAll();
      continue;
    }
    if (response.code() == 0) {
      stats_.acked += it->second.count;
    } else {
      // The collector refused the batch as invalid; sending it again would not help.
      stats_.rejected += it->second.count;
    }
    inflight_bytes_.fetch_sub(it->second.bytes, std::memory_order_relaxed);
    buffered_bytes_.fetch_sub(it->second.bytes);
    done = std::move(it->second.request);
    inflight_.erase(it);
    cv_.SignalAll();
  }
  MutexLock lock(&mu_);
  if (generation_ == generation) stream_broken_ = true;
  cv_.SignalAll();
}

Status ClientImpl::Flush(std::chrono::milliseconds timeout) {
  const absl::Time deadline = absl::Now() + absl::FromChrono(timeout);
  MutexLock lock(&mu_);
  const Positions target = TailsLocked();  // Everything recorded before this call.
  ++flush_waiters_;
  cv_.SignalAll();
  while (PendingBelowLocked(target) && !shut_down_.load(std::memory_order_relaxed)) {
    if (cv_.WaitWithDeadline(&mu_, deadline)) break;
  }
  --flush_waiters_;
  if (PendingBelowLocked(target)) {
    return Status(StatusCode::kDeadlineExceeded,
                  std::to_string(WaitingCount() + (carry_ != nullptr ? 1 : 0)) +
                      " samples waiting and " +
                      std::to_string(inflight_.size()) + " batches unacknowledged");
  }
  return Status::Ok();
}

Status ClientImpl::Shutdown(std::chrono::milliseconds timeout) {
  if (shut_down_.load(std::memory_order_acquire)) return Status::Ok();
  // Stopping takes a little time (the sender may be inside a connection attempt of up to
  // a short connection attempt, then joins its reader), so the flush leaves that much of the deadline.
  const auto reserve = std::min(timeout / 4, std::chrono::milliseconds(50));
  Status flushed = timeout.count() > 0 ? Flush(timeout - reserve) : Status::Ok();
  {
    MutexLock lock(&mu_);
    if (shut_down_.exchange(true)) return flushed;
    stopping_ = true;
    if (live_stream_ != nullptr) live_stream_->Cancel();
    cv_.SignalAll();
  }
  // The sender is never blocked for long: every wait it makes watches stopping_, and
  // cancelling the stream unblocks its Write and the reader's Read.
  if (sender_.joinable()) sender_.join();
  if (!flushed.ok()) return flushed;
  // Samples only: a stats-only batch the sender started after the flush need not be acked.
  MutexLock lock(&mu_);
  if (StatsLocked().pending > 0) {
    return Status(StatusCode::kDeadlineExceeded, "samples still pending at shutdown");
  }
  return Status::Ok();
}

v1::ClientStats ClientImpl::StatsProtoLocked() const {
  const ClientStats s = StatsLocked();
  v1::ClientStats p;
  p.set_client_id(client_id_);
  p.set_app(options_.app);
  p.set_recorded(s.recorded);
  p.set_sampled_out(s.sampled_out);
  p.set_dropped(s.dropped);
  p.set_sent(s.sent);
  p.set_acked(s.acked);
  p.set_retried(s.retried);
  p.set_rejected(s.rejected);
  p.set_reported_unix_nano(absl::ToUnixNanos(absl::Now()));
  return p;
}

ClientStats ClientImpl::StatsLocked() const {
  ClientStats s = stats_;
  s.sampled_out = sampled_out_.load(std::memory_order_relaxed);
  const uint64_t refused = refused_.load(std::memory_order_relaxed);
  uint64_t heads = 0, tails = 0;
  for (const auto& shard : shards_) {
    heads += shard->ring.head();
    tails += shard->ring.tail();
  }
  s.dropped = heads - popped_ + refused;
  // Every kept sample took one ring position.
  s.recorded = tails + refused + s.sampled_out;
  s.pending = WaitingCount() + (carry_ != nullptr ? 1 : 0);
  for (const auto& [id, batch] : inflight_) s.pending += batch.count;
  s.pending_bytes = buffered_bytes_.load(std::memory_order_relaxed);
  return s;
}

ClientStats ClientImpl::Stats() const {
  MutexLock lock(&mu_);
  return StatsLocked();
}

}  // namespace llmtap::internal
