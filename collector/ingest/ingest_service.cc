#include "collector/ingest/ingest_service.h"

#include <google/protobuf/arena.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <grpcpp/support/proto_buffer_writer.h>

#include <algorithm>
#include <deque>

#include "absl/status/statusor.h"
#include "collector/auth/grpc_auth.h"
#include "collector/common/grpc_status.h"
#include "collector/ingest/validator.h"

namespace llmtap::collector {
namespace {

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// Parses and validates one request. On error, *batch_id holds the request's id if known.
// The request lives on its own arena, sized from the bytes received: its messages and string
// objects take no heap allocation of their own (text longer than a short string still does),
// and all are freed at once with the last reference.
absl::StatusOr<std::shared_ptr<v1::IngestRequest>> ParseRequest(const grpc::ByteBuffer& buffer,
                                                                uint64_t* batch_id) {
  google::protobuf::ArenaOptions options;
  options.start_block_size = std::clamp<size_t>(buffer.Length() / 2, 4 << 10, 1 << 20);
  options.max_block_size = options.start_block_size;
  auto arena = std::make_shared<google::protobuf::Arena>(options);
  std::shared_ptr<v1::IngestRequest> request(
      arena, google::protobuf::Arena::CreateMessage<v1::IngestRequest>(arena.get()));
  grpc::ByteBuffer copy(buffer);  // Shares the slices; parsing consumes the copy.
  grpc::ProtoBufferReader reader(&copy);
  if (!request->ParseFromZeroCopyStream(&reader)) {
    return DiagnoseUnparseable(Flatten(buffer), batch_id);
  }
  *batch_id = request->batch_id();
  return request;  // IngestGate validates it.
}

grpc::ByteBuffer Serialize(const v1::IngestResponse& response) {
  grpc::ByteBuffer out;
  bool own = false;
  grpc::GenericSerialize<grpc::ProtoBufferWriter, v1::IngestResponse>(response, &out, &own)
      .IgnoreError();
  return out;
}

}  // namespace

class IngestService::StreamReactor final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  StreamReactor(IngestService* service, absl::StatusOr<Principal> who)
      : service_(service), who_(std::move(who)) {
    service_->open_streams_.fetch_add(1, std::memory_order_relaxed);
    const bool draining = service_->Register(this);
    absl::MutexLock lock(&mu_);
    if (!who_.ok()) {  // No valid key for ingest: the stream ends before reading anything.
      reading_ = false;
      failed_ = true;
      finish_status_ = ToGrpc(who_.status());
      MaybeFinishLocked();
      return;
    }
    if (draining) {  // Opened during shutdown: ends at once.
      reading_ = false;
      Drain();
      return;
    }
    StartRead(&in_);
  }

  // Stops reading; the stream ends once what the committer holds for it is acked.
  void Drain() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    draining_ = true;
    MaybeFinishLocked();
  }

  // References: one for gRPC (until OnDone), one per IngestService::Drain looking at it.
  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  void OnReadDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    if (!ok) {  // The client closed its side, or the call is gone.
      reads_done_ = true;
      MaybeFinishLocked();
      return;
    }
    if (finished_) return;  // Drained meanwhile: not acked, so the client sends it again.
    uint64_t batch_id = 0;
    service_->received_bytes_->Add(in_.Length());
    auto parsed = ParseRequest(in_, &batch_id);
    in_.Clear();
    absl::Status refused = parsed.status();
    if (parsed.ok()) {
      ++outstanding_;  // OnCommitted waits for mu_, so it cannot run before this.
      refused = service_->gate_->Submit(
          *who_, std::move(*parsed),
          [this, batch_id](const IngestOutcome& o) { OnCommitted(batch_id, o); });
      if (!refused.ok()) --outstanding_;
    }
    if (!refused.ok()) {
      service_->rejected_batches_->Add();
      v1::IngestResponse response;
      response.set_batch_id(batch_id);
      response.set_code(static_cast<int32_t>(refused.code()));
      response.set_error(std::string(refused.message()));
      if (auto after = Authenticator::RetryAfter(refused)) {
        response.set_retry_after_ms(static_cast<uint32_t>(absl::ToInt64Milliseconds(*after)));
      }
      QueueWriteLocked(response);
    }
    MaybeReadLocked();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writes_.pop_front();
    if (!ok) {
      failed_ = true;
      finish_status_ = grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed");
    } else if (!writes_.empty()) {
      StartWrite(&writes_.front());
      return;
    }
    writing_ = false;
    MaybeFinishLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    failed_ = true;
    finish_status_ = grpc::Status::CANCELLED;
    MaybeFinishLocked();
  }

  void OnDone() override {
    service_->open_streams_.fetch_sub(1, std::memory_order_relaxed);
    service_->Unregister(this);
    Unref();
  }

  absl::Mutex mu_;  // Public for Drain's lock annotations.

 private:
  void OnCommitted(uint64_t batch_id, const IngestOutcome& outcome) {
    absl::MutexLock lock(&mu_);
    --outstanding_;
    if (!outcome.status.ok()) {
      // Disk full or shutting down: end the stream; the client keeps the batch and retries.
      if (!failed_) finish_status_ = ToGrpc(outcome.status);
      failed_ = true;
    } else if (!failed_) {
      v1::IngestResponse response;
      response.set_batch_id(batch_id);
      response.set_accepted(outcome.accepted);
      response.set_duplicates(outcome.duplicates);
      QueueWriteLocked(response);
      MaybeReadLocked();
    }
    MaybeFinishLocked();
  }

  void QueueWriteLocked(const v1::IngestResponse& response) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    writes_.push_back(Serialize(response));
    if (!writing_) {
      writing_ = true;
      StartWrite(&writes_.front());
    }
  }

  void MaybeReadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (reading_ || reads_done_ || failed_ || draining_) return;
    const int window = service_->gate_->committer().pending() > service_->max_pending_batches_
                           ? 1
                           : IngestService::kStreamWindow;
    if (outstanding_ >= window) return;  // OnCommitted reads on.
    reading_ = true;
    StartRead(&in_);
  }

  void MaybeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    // A pending read does not hold up a failed stream: Finish completes it with ok=false.
    if (finished_ || outstanding_ > 0 || writing_) return;
    if (!failed_ && !draining_ && (reading_ || !reads_done_)) return;
    finished_ = true;
    if (!failed_ && !reads_done_) {  // Drained.
      finish_status_ = grpc::Status(grpc::StatusCode::UNAVAILABLE, "collector shutting down");
    }
    Finish(finish_status_);
  }

  IngestService* const service_;
  const absl::StatusOr<Principal> who_;
  std::atomic<int> refs_{1};
  grpc::ByteBuffer in_;
  std::deque<grpc::ByteBuffer> writes_ ABSL_GUARDED_BY(mu_);
  int outstanding_ ABSL_GUARDED_BY(mu_) = 0;
  bool reading_ ABSL_GUARDED_BY(mu_) = true;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status finish_status_ ABSL_GUARDED_BY(mu_) = grpc::Status::OK;
};

IngestService::IngestService(const IngestGate* gate, Metrics* metrics,
                             uint32_t max_pending_batches)
    : gate_(gate),
      max_pending_batches_(max_pending_batches),
      rejected_batches_(metrics->AddCounter("llmtap_ingest_rejected_batches_total",
                                            "Batches refused as invalid.")),
      received_bytes_(metrics->AddCounter("llmtap_ingest_received_bytes_total",
                                          "Bytes of ingest requests received.")) {
  metrics->AddGauge("llmtap_ingest_open_streams", "Ingest streams open.", [this] {
    return static_cast<double>(open_streams_.load(std::memory_order_relaxed));
  });
}

bool IngestService::Register(StreamReactor* stream) {
  absl::MutexLock lock(&streams_mu_);
  streams_.insert(stream);
  return draining_;
}

void IngestService::Unregister(StreamReactor* stream) {
  absl::MutexLock lock(&streams_mu_);
  streams_.erase(stream);
}

void IngestService::Drain() {
  std::vector<StreamReactor*> streams;
  {
    absl::MutexLock lock(&streams_mu_);
    draining_ = true;
    for (StreamReactor* stream : streams_) {
      stream->Ref();  // Registered, so gRPC has not let go of it yet.
      streams.push_back(stream);
    }
  }
  for (StreamReactor* stream : streams) {
    {
      absl::MutexLock lock(&stream->mu_);
      stream->Drain();
    }
    stream->Unref();
  }
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* IngestService::Stream(
    grpc::CallbackServerContext* context) {
  return new StreamReactor(
      this, gate_->authenticator().Admit(AuthorizationOf(*context), v1::ROLE_INGEST));
}

grpc::ServerUnaryReactor* IngestService::Ingest(grpc::CallbackServerContext* context,
                                                const grpc::ByteBuffer* request,
                                                grpc::ByteBuffer* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  received_bytes_->Add(request->Length());
  uint64_t batch_id = 0;
  absl::StatusOr<Principal> who =
      gate_->authenticator().Admit(AuthorizationOf(*context), v1::ROLE_INGEST);
  if (!who.ok()) {
    reactor->Finish(ToGrpc(who.status()));
    return reactor;
  }
  auto parsed = ParseRequest(*request, &batch_id);
  absl::Status refused = parsed.status();
  if (parsed.ok()) {
    refused = gate_->Submit(*who, std::move(*parsed),
                     [reactor, response, batch_id](const IngestOutcome& outcome) {
                       if (!outcome.status.ok()) {
                         reactor->Finish(ToGrpc(outcome.status));
                         return;
                       }
                       v1::IngestResponse r;
                       r.set_batch_id(batch_id);
                       r.set_accepted(outcome.accepted);
                       r.set_duplicates(outcome.duplicates);
                       *response = Serialize(r);
                       reactor->Finish(grpc::Status::OK);
                     });
  }
  if (!refused.ok()) {
    rejected_batches_->Add();
    reactor->Finish(RefuseGrpc(context, refused));
  }
  return reactor;
}

}  // namespace llmtap::collector
