#include "collector/otlp/otlp_receiver.h"

#include <atomic>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/synchronization/mutex.h"
#include "collector/common/strings.h"
#include "collector/ingest/validator.h"
#include "collector/otlp/span_mapping.h"

namespace llmtap::collector::otlp {
namespace {

// What the commits of one export (one per LIMIT_BATCH_SAMPLES samples) add up to.
struct ExportState {
  OtlpReceiver::Done done;
  ExportTraceServiceResponse response;  // partial_success filled before the commits.
  std::atomic<int> waiting{0};
  absl::Mutex mu;
  absl::Status status ABSL_GUARDED_BY(mu);
};

std::string SpanName(const opentelemetry::proto::trace::v1::Span& span) {
  return Cat("span ", absl::BytesToHexString(span.span_id()), " (", span.name(), ")");
}

}  // namespace

OtlpReceiver::OtlpReceiver(const IngestEntry* entry, Metrics* metrics)
    : entry_(entry),
      requests_(metrics->AddCounter("llmtap_otlp_export_requests_total",
                                    "OTLP trace export requests received.")),
      spans_mapped_(metrics->AddCounter("llmtap_otlp_spans_mapped_total",
                                        "OTLP spans of LLM calls turned into samples.")),
      spans_ignored_(metrics->AddCounter("llmtap_otlp_spans_ignored_total",
                                         "OTLP spans that are not LLM calls, ignored.")),
      spans_rejected_(metrics->AddCounter(
          "llmtap_otlp_spans_rejected_total",
          "OTLP spans of LLM calls rejected (bad ids or sample over a limit).")) {}

void OtlpReceiver::Export(std::string_view authorization,
                          std::shared_ptr<ExportTraceServiceRequest> request, Done done) {
  requests_->Add();
  google::protobuf::Arena* arena = request->GetArena();
  auto new_batch = [&]() -> std::shared_ptr<v1::IngestRequest> {
    // Aliases the request's owner: the batch keeps the request (and its arena) alive.
    return std::shared_ptr<v1::IngestRequest>(
        request, google::protobuf::Arena::CreateMessage<v1::IngestRequest>(arena));
  };
  std::vector<std::shared_ptr<v1::IngestRequest>> batches{new_batch()};
  uint64_t ignored = 0, rejected = 0, mapped = 0;
  std::string first_error;
  for (auto& rs : *request->mutable_resource_spans()) {
    for (auto& ss : *rs.mutable_scope_spans()) {
      for (auto& span : *ss.mutable_spans()) {
        if (batches.back()->samples_size() == v1::LIMIT_BATCH_SAMPLES) {
          batches.push_back(new_batch());
        }
        v1::IngestRequest& batch = *batches.back();
        v1::Sample* sample = batch.add_samples();
        absl::StatusOr<SpanKind> kind = MapSpan(rs.resource(), ss.scope(), &span, sample);
        absl::Status invalid;
        if (!kind.ok()) {
          invalid = kind.status();
        } else if (*kind == SpanKind::kLlm) {
          invalid = ValidateSample(*sample, batch.samples_size() - 1);
        }
        if (kind.ok() && *kind == SpanKind::kLlm && invalid.ok()) {
          ++mapped;
          continue;
        }
        batch.mutable_samples()->RemoveLast();
        if (invalid.ok()) {
          ++ignored;
          continue;
        }
        if (++rejected == 1) {
          // "samples[3].prompt: ..." names our batch, not the caller's: keep the field only.
          std::string_view why(invalid.message().data(), invalid.message().size());
          if (why.rfind("samples[", 0) == 0) {
            const size_t dot = why.find("].");
            if (dot != std::string_view::npos) why.remove_prefix(dot + 2);
          }
          first_error = Cat(SpanName(span), ": ", why);
        }
      }
    }
  }
  spans_mapped_->Add(mapped);
  spans_ignored_->Add(ignored);
  spans_rejected_->Add(rejected);

  auto state = std::make_shared<ExportState>();
  state->done = std::move(done);
  if (rejected > 0) {
    auto* partial = state->response.mutable_partial_success();
    partial->set_rejected_spans(static_cast<int64_t>(rejected));
    partial->set_error_message(Cat(rejected, " LLM span", rejected == 1 ? "" : "s",
                                   " rejected; first: ", first_error));
  }
  if (mapped == 0) {
    state->done(absl::OkStatus(), state->response);
    return;
  }
  if (batches.back()->samples_size() == 0) batches.pop_back();
  state->waiting.store(static_cast<int>(batches.size()), std::memory_order_relaxed);
  for (auto& batch : batches) {
    entry_->Submit(authorization, std::move(batch), [state](const IngestOutcome& outcome) {
      if (!outcome.status.ok()) {
        absl::MutexLock lock(&state->mu);
        if (state->status.ok()) state->status = outcome.status;
      }
      if (state->waiting.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
      absl::Status status;
      {
        absl::MutexLock lock(&state->mu);
        status = state->status;
      }
      state->done(status, state->response);
    });
  }
}

}  // namespace llmtap::collector::otlp
