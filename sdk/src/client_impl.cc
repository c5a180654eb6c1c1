#include "client_impl.h"

#include <algorithm>
#include <random>

#include "sample_convert.h"

namespace llmtap::internal {
namespace {

// Per-thread generator for head sampling and jitter.
double UniformUnit() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return (rng() >> 11) * 0x1.0p-53;
}

absl::Duration Jittered(absl::Duration d) { return d * (0.5 + UniformUnit()); }

}  // namespace

ClientImpl::ClientImpl(ClientOptions options, std::unique_ptr<Transport> transport,
                       std::unique_ptr<Redactor> redactor)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      redactor_(std::move(redactor)),
      client_id_(NewSampleId()) {}

ClientImpl::~ClientImpl() { Shutdown(std::chrono::milliseconds(0)); }

void ClientImpl::Start() { sender_ = std::thread([this] { SendLoop(); }); }

void ClientImpl::Record(Sample sample) {
  if (options_.sample_rate < 1 && UniformUnit() >= options_.sample_rate) {
    sampled_out_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (sample.id.empty()) sample.id = NewSampleId();
  if (sample.start_time.time_since_epoch().count() == 0) {
    sample.start_time = std::chrono::system_clock::now();
  }
  const size_t bytes = ApproximateBytes(sample);

  absl::MutexLock lock(&mu_);
  ++stats_.recorded;
  if (shut_down_) {
    ++stats_.dropped;
    return;
  }
  // Make room: the oldest waiting samples go first. Samples in flight stay (they may need to
  // be sent again), so a budget filled by them drops the new sample instead.
  while (waiting_bytes_ + inflight_bytes_ + bytes > options_.max_buffer_bytes &&
         !waiting_.empty()) {
    waiting_bytes_ -= waiting_.front().bytes;
    waiting_.pop_front();
    ++stats_.dropped;
  }
  if (waiting_bytes_ + inflight_bytes_ + bytes > options_.max_buffer_bytes) {
    ++stats_.dropped;
    return;
  }
  if (waiting_.empty()) waiting_since_ = absl::Now();
  waiting_.push_back(Waiting{std::move(sample), next_seq_++, bytes});
  waiting_bytes_ += bytes;
  // Wake the sender only when its decision may change: the first sample (starts the linger
  // clock) or a full batch.
  if (waiting_.size() == 1 || waiting_.size() == options_.max_batch_samples ||
      (waiting_bytes_ >= options_.max_batch_bytes &&
       waiting_bytes_ - bytes < options_.max_batch_bytes)) {
    cv_.Signal();
  }
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
  std::vector<Sample> samples;
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
  for (auto& s : samples) {
    if (s.app.empty()) s.app = options_.app;
    MoveToProto(std::move(s), redactor_.get(), request->add_samples());
  }
  mu_.Lock();
  return request;
}

void ClientImpl::SendLoop() {
  std::unique_ptr<IngestStream> stream;
  std::thread reader;
  absl::Duration backoff = absl::FromChrono(options_.initial_backoff);
  absl::Time next_stats = absl::Now();

  auto close_stream = [&] {
    if (!stream) return;
    stream->Cancel();
    mu_.Unlock();
    if (reader.joinable()) reader.join();
    stream.reset();
    mu_.Lock();
    live_stream_ = nullptr;
  };

  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    if (!stream) {
      mu_.Unlock();
      std::unique_ptr<IngestStream> opened = transport_->Open();
      mu_.Lock();
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
      const absl::Time now = absl::Now();
      const bool stats_due = now >= next_stats;
      if (inflight_.size() < options_.max_inflight_batches &&
          (BatchReadyLocked(now) || stats_due)) {
        break;
      }
      absl::Time wake = next_stats;
      if (!waiting_.empty()) wake = std::min(wake, waiting_since_ + absl::FromChrono(options_.linger));
      cv_.WaitWithDeadline(&mu_, wake);
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
    absl::MutexLock lock(&mu_);
    auto it = inflight_.find(response.batch_id());
    if (it == inflight_.end()) continue;  // Acked already, on an earlier stream.
    if (response.code() == 0) {
      stats_.acked += it->second.count;
    } else {
      // The collector refused the batch as invalid; sending it again would not help.
      stats_.rejected += it->second.count;
    }
    inflight_bytes_ -= it->second.bytes;
    inflight_.erase(it);
    cv_.SignalAll();
  }
  absl::MutexLock lock(&mu_);
  if (generation_ == generation) stream_broken_ = true;
  cv_.SignalAll();
}

Status ClientImpl::Flush(std::chrono::milliseconds timeout) {
  const absl::Time deadline = absl::Now() + absl::FromChrono(timeout);
  absl::MutexLock lock(&mu_);
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
    absl::MutexLock lock(&mu_);
    if (shut_down_) return Status::Ok();
  }
  Status flushed = timeout.count() > 0 ? Flush(timeout) : Status::Ok();
  {
    absl::MutexLock lock(&mu_);
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
  absl::MutexLock lock(&mu_);
  if (!waiting_.empty() || !inflight_.empty()) {
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
  absl::MutexLock lock(&mu_);
  return StatsLocked();
}

}  // namespace llmtap::internal
