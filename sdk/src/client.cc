#include "llmtap/client.h"

#include "client_impl.h"

namespace llmtap {

Status Client::Create(const ClientOptions& options, std::unique_ptr<Client>* client) {
  if (options.collector_address.empty()) {
    return Status(StatusCode::kInvalidArgument, "collector_address is empty");
  }
  if (!(options.sample_rate >= 0 && options.sample_rate <= 1)) {
    return Status(StatusCode::kInvalidArgument, "sample_rate must be in [0, 1]");
  }
  if (options.max_batch_samples == 0 || options.max_batch_samples > v1::LIMIT_BATCH_SAMPLES) {
    return Status(StatusCode::kInvalidArgument,
                  "max_batch_samples must be in [1, " + std::to_string(v1::LIMIT_BATCH_SAMPLES) + "]");
  }
  if (options.max_batch_bytes == 0 || options.max_batch_bytes > v1::LIMIT_BATCH_BYTES / 2) {
    return Status(StatusCode::kInvalidArgument, "max_batch_bytes must be in [1, 8 MiB]");
  }
  if (options.max_inflight_batches == 0) {
    return Status(StatusCode::kInvalidArgument, "max_inflight_batches must be >= 1");
  }
  std::unique_ptr<internal::Redactor> redactor;
  if (options.redaction.any()) {
    if (Status s = internal::Redactor::Create(options.redaction, &redactor); !s.ok()) return s;
  }
  std::unique_ptr<internal::Transport> transport;
  if (Status s = internal::NewGrpcTransport(options, &transport); !s.ok()) return s;
  auto impl = std::make_unique<internal::ClientImpl>(options, std::move(transport),
                                                     std::move(redactor));
  impl->Start();
  *client = std::move(impl);
  return Status::Ok();
}

}  // namespace llmtap
