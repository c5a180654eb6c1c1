#include "client_impl.h"

#include <algorithm>
#include <random>

#include "sample_convert.h"
#include "sample_id.h"

namespace llmtap::internal {
namespace {

// Dropped samples waiting for the sender to free them (see graveyard_).
constexpr size_t kMaxGraveyard = 4096;
// Sample.id is 32 hex characters; counted in the budget before the sender fills it.
constexpr size_t kSampleIdChars = 32;

// Per-thread generator for head sampling and jitter.
double UniformUnit() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return (rng() >> 11) * 0x1.0p-53;
}

absl::Duration Jittered(absl::Duration d) { return d * (0.5 + UniformUnit()); }

// Asks the CPU to start loading what freeing `s` will touch: the malloc header in front of
// each heap-allocated string (small strings live inside the Sample).
void PrefetchForFree(const Sample& s) {
  for (const std::string* str : {&s.prompt, &s.response, &s.reference, &s.error, &s.id,
                                 &s.session_id, &s.model}) {
    if (str->capacity() > 15) __builtin_prefetch(str->data() - 16, 1);
  }
  if (!s.contexts.empty()) __builtin_prefetch(s.contexts.data(), 1);
}

void PrefetchObject(const void* p, size_t size) {
  for (size_t off = 0; off < size; off += 64) {
    __builtin_prefetch(static_cast<const char*>(p) + off, 1);
  }
}

}  // namespace

ClientImpl::ClientImpl(ClientOptions options, std::unique_ptr<Transport> transport,
                       std::unique_ptr<Redactor> redactor)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      redactor_(std::move(redactor)),
      client_id_(NewSampleId()) {
  MutexLock lock(&mu_);
  graveyard_.reserve(kMaxGraveyard);
  spare_graveyard_.reserve(kMaxGraveyard);
}

ClientImpl::~ClientImpl() { Shutdown(std::chrono::milliseconds(0)); }

void ClientImpl::Start() { sender_ = std::thread([this] { SendLoop(); }); }

void ClientImpl::Record(Sample sample) {
  if (options_.sample_rate < 1 && UniformUnit() >= options_.sample_rate) {
    sampled_out_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (sample.start_time.time_since_epoch().count() == 0) {
    sample.start_time = std::chrono::system_clock::now();
  }
  // Everything that allocates or copies happens before the lock; under it only pointers move.
  // The id is made by the sender (from start_time) when left empty.
  const size_t bytes = ApproximateBytes(sample) + (sample.id.empty() ? kSampleIdChars : 0);
  std::unique_ptr<Sample> node(new Sample(std::move(sample)));
  const std::thread::id self = std::this_thread::get_id();
  // What does not go to the graveyard is freed here, after the lock is released.
  std::unique_ptr<Sample> evicted;
  std::vector<std::unique_ptr<Sample>> evicted_more;
  {
    MutexLock lock(&mu_);
    ++stats_.recorded;
    if (shut_down_ || inflight_bytes_ + bytes > options_.max_buffer_bytes) {
      // After shutdown nothing is kept. Samples in flight stay (they may need to be sent
      // again); when they alone leave no room, the new sample is the one dropped and the
      // waiting ones keep their place.
      ++stats_.dropped;
      evicted = std::move(node);
    } else {
      // Make room: the oldest waiting samples go first.
      while (waiting_bytes_ + inflight_bytes_ + bytes > options_.max_buffer_bytes) {
        Waiting& oldest = waiting_.front();
        waiting_bytes_ -= oldest.bytes;
        if (oldest.recorder != self && graveyard_.size() < kMaxGraveyard) {
          graveyard_.push_back(std::move(oldest.sample));
          if (graveyard_.size() == kMaxGraveyard / 2) cv_.Signal();
        } else if (!evicted) {
          evicted = std::move(oldest.sample);
        } else {
          evicted_more.push_back(std::move(oldest.sample));
        }
        waiting_.pop_front();
        ++stats_.dropped;
      }
      // With the budget full, each call drops the oldest samples, which are long out of the
      // cache: warm up the next ones this thread will free (the one after next, and the
      // strings of the next, whose Sample the previous call warmed), so that freeing them
      // does not wait on memory. Those the sender frees are left alone.
      if (evicted && !waiting_.empty()) {
        if (waiting_[0].recorder == self) PrefetchForFree(*waiting_[0].sample);
        if (waiting_.size() > 1 && waiting_[1].recorder == self) {
          PrefetchObject(waiting_[1].sample.get(), sizeof(Sample));
        }
      }
      if (waiting_.empty()) waiting_since_ = absl::Now();
      waiting_.push_back(Waiting{std::move(node), next_seq_++, bytes, self});
      waiting_bytes_ += bytes;
      // Wake the sender only when a batch has just filled up. The linger deadline needs no
      // wake-up (the sender polls while idle), so a caller almost never pays for a futex call.
      if (waiting_.size() == options_.max_batch_samples ||
          (waiting_bytes_ >= options_.max_batch_bytes &&
           waiting_bytes_ - bytes < options_.max_batch_bytes)) {
        cv_.Signal();
      }
    }
  }
}

void ClientImpl::FreeGraveyardLocked() {
  if (graveyard_.empty()) return;
  graveyard_.swap(spare_graveyard_);  // Both keep their reserved capacity.
  mu_.Unlock();
  spare_graveyard_.clear();
  mu_.Lock();
}

bool ClientImpl::BatchReadyLocked(absl::Time now) const {
  if (waiting_.empty()) return false;
  return flush_waiters_ > 0 || stopping_ || waiting_.size() >= options_.max_batch_samples ||
         waiting_bytes_ >= options_.max_batch_bytes ||
         now - waiting_since_ >= absl::FromChrono(options_.linger);
}

uint64_t ClientImpl::OldestPendingSeqLocked() const {
  uint64_t oldest = waiting_.empty() ? UINT64_MAX : waiting_.front().seq;
  for (const auto& [id, batch] : inflight_) oldest = std::min(oldest, batch.first_seq);
  return oldest;
}

std::shared_ptr<const v1::IngestRequest> ClientImpl::TakeBatchLocked(bool with_stats) {
  std::vector<std::unique_ptr<Sample>> samples;
  samples.reserve(std::min(waiting_.size(), options_.max_batch_samples));
  size_t bytes = 0;
  const uint64_t first_seq = waiting_.empty() ? UINT64_MAX : waiting_.front().seq;
  while (!waiting_.empty() && samples.size() < options_.max_batch_samples &&
         (samples.empty() || bytes + waiting_.front().bytes <= options_.max_batch_bytes)) {
    bytes += waiting_.front().bytes;
    samples.push_back(std::move(waiting_.front().sample));
    waiting_.pop_front();
  }
  waiting_bytes_ -= bytes;
  if (!waiting_.empty()) waiting_since_ = absl::Now();

  const uint64_t batch_id = next_batch_id_++;
  auto request = std::make_shared<v1::IngestRequest>();
  request->set_batch_id(batch_id);
  if (with_stats) *request->mutable_client_stats() = StatsProtoLocked();
  inflight_[batch_id] = InFlight{request, first_seq, samples.size(), bytes};
  inflight_bytes_ += bytes;
  stats_.sent += samples.size();

  // Conversion (redaction, trimming, copying into protobuf) runs without the lock, so callers
  // of Record() never wait for it. The request is not shared with anyone until we return.
  mu_.Unlock();
  request->mutable_samples()->Reserve(static_cast<int>(samples.size()));
  for (auto& sample : samples) {
    if (sample->app.empty()) sample->app = options_.app;
    if (sample->id.empty()) sample->id = internal::NewSampleIdAt(sample->start_time);
    MoveToProto(std::move(*sample), redactor_.get(), request->add_samples());
  }
  samples.clear();
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
        cv_.WaitWithTimeout(&mu_, Jittered(backoff));
        backoff = std::min(backoff * 2, absl::FromChrono(options_.max_backoff));
        continue;
      }
      if (generation_ > 0) ++stats_.reconnects;
      stream = std::move(opened);
      live_stream_ = stream.get();
      stream_broken_ = false;
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
      FreeGraveyardLocked();
      const absl::Time now = absl::Now();
      const bool stats_due = now >= next_stats;
      if (inflight_.size() < options_.max_inflight_batches &&
          (BatchReadyLocked(now) || stats_due)) {
        break;
      }
      // Record() does not signal the first sample of a batch, so an idle sender polls every
      // linger; with samples waiting it sleeps until the oldest one's linger ends.
      const absl::Duration linger = absl::FromChrono(options_.linger);
      absl::Time wake = std::min(next_stats, now + linger);
      if (!waiting_.empty()) wake = std::min(wake, waiting_since_ + linger);
      cv_.WaitWithDeadline(&mu_, std::max(wake, now + absl::Milliseconds(1)));
    }
    if (stopping_) break;
    if (stream_broken_) {
      close_stream();
      cv_.WaitWithTimeout(&mu_, Jittered(backoff));
      backoff = std::min(backoff * 2, absl::FromChrono(options_.max_backoff));
      continue;
    }

    const absl::Time now = absl::Now();
    const bool with_stats = now >= next_stats;
    if (with_stats) next_stats = now + absl::FromChrono(options_.stats_interval);
    std::shared_ptr<const v1::IngestRequest> request = TakeBatchLocked(with_stats);
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
    if (response.code() == 0) {
      stats_.acked += it->second.count;
    } else {
      // The collector refused the batch as invalid; sending it again would not help.
      stats_.rejected += it->second.count;
    }
    inflight_bytes_ -= it->second.bytes;
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
  const uint64_t target = next_seq_;  // Everything recorded before this call.
  ++flush_waiters_;
  cv_.SignalAll();
  while (OldestPendingSeqLocked() < target && !shut_down_) {
    if (cv_.WaitWithDeadline(&mu_, deadline)) break;
  }
  --flush_waiters_;
  if (OldestPendingSeqLocked() < target) {
    return Status(StatusCode::kDeadlineExceeded,
                  std::to_string(waiting_.size()) + " samples waiting and " +
                      std::to_string(inflight_.size()) + " batches unacknowledged");
  }
  return Status::Ok();
}

Status ClientImpl::Shutdown(std::chrono::milliseconds timeout) {
  {
    MutexLock lock(&mu_);
    if (shut_down_) return Status::Ok();
  }
  // Stopping takes a little time (the sender may be inside a connection attempt of up to
  // a short connection attempt, then joins its reader), so the flush leaves that much of the deadline.
  const auto reserve = std::min(timeout / 4, std::chrono::milliseconds(50));
  Status flushed = timeout.count() > 0 ? Flush(timeout - reserve) : Status::Ok();
  {
    MutexLock lock(&mu_);
    if (shut_down_) return flushed;
    shut_down_ = true;
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
  s.recorded += s.sampled_out;
  s.pending = waiting_.size();
  for (const auto& [id, batch] : inflight_) s.pending += batch.count;
  s.pending_bytes = waiting_bytes_ + inflight_bytes_;
  return s;
}

ClientStats ClientImpl::Stats() const {
  MutexLock lock(&mu_);
  return StatsLocked();
}

}  // namespace llmtap::internal
