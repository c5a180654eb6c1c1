// IngestService: the gRPC edge of ingest. Requests arrive as raw bytes so that a sample with
// invalid UTF-8 (which protobuf refuses to parse) still gets INVALID_ARGUMENT naming the
// field. The caller's key is admitted (ROLE_INGEST) when the call opens; each batch goes
// through the IngestGate (validation, app scope, rate limit, commit) and is acked after it is
// durable. A refused batch is answered on the stream with its code (and retry_after_ms).
//
// Flow control: a stream keeps at most kStreamWindow batches in the committer, and only one
// while the committer is behind (more than max_pending_batches waiting). Beyond that it stops
// reading, and HTTP/2 flow control slows the sender; nothing is buffered without bound.
//
// Shutdown: Drain() makes every stream stop reading, ack what the committer still holds for
// it, and end with UNAVAILABLE, so the server need not wait out its grace time for streams
// that clients keep open. Clients reconnect and send again whatever was not acked.
#ifndef LLMTAP_COLLECTOR_INGEST_INGEST_SERVICE_H_
#define LLMTAP_COLLECTOR_INGEST_INGEST_SERVICE_H_

#include <atomic>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "collector/common/metrics.h"
#include "collector/ingest/ingest_gate.h"
#include "llmtap/v1/ingest.grpc.pb.h"

namespace llmtap::collector {

class IngestService final
    : public v1::IngestService::WithRawCallbackMethod_Stream<
          v1::IngestService::WithRawCallbackMethod_Ingest<v1::IngestService::Service>> {
 public:
  static constexpr int kStreamWindow = 4;

  // `gate` and `metrics` must outlive the service.
  IngestService(const IngestGate* gate, Metrics* metrics, uint32_t max_pending_batches);

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Stream(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* Ingest(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;

  // Ends every stream, present and future, as described above. The committer must still be
  // running. Idempotent.
  void Drain();

 private:
  class StreamReactor;
  // Streams register while open; Register returns whether the service is draining.
  bool Register(StreamReactor* stream);
  void Unregister(StreamReactor* stream);

  const IngestGate* const gate_;
  const uint32_t max_pending_batches_;
  Counter* const rejected_batches_;
  Counter* const received_bytes_;
  std::atomic<int64_t> open_streams_{0};
  absl::Mutex streams_mu_;
  absl::flat_hash_set<StreamReactor*> streams_ ABSL_GUARDED_BY(streams_mu_);
  bool draining_ ABSL_GUARDED_BY(streams_mu_) = false;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_INGEST_INGEST_SERVICE_H_
