#include "collector/ingest/ingest_gate.h"

#include "collector/common/strings.h"
#include "collector/ingest/validator.h"

namespace llmtap::collector {

absl::Status IngestGate::Submit(const Principal& who, std::shared_ptr<v1::IngestRequest> request,
                                Committer::Done done) const {
  if (absl::Status s = ValidateIngestRequest(*request); !s.ok()) return s;
  if (!who.all_apps()) {
    for (int i = 0; i < request->samples_size(); ++i) {
      if (!who.CanAccessApp(request->samples(i).app())) {
        return absl::PermissionDeniedError(
            Cat("samples[", i, "].app: this key may not write app \"", request->samples(i).app(),
                "\""));
      }
    }
    if (request->has_client_stats() && !request->client_stats().app().empty() &&
        !who.CanAccessApp(request->client_stats().app())) {
      return absl::PermissionDeniedError("client_stats.app: this key may not write this app");
    }
  }
  if (!auth_->StillValid(who)) return absl::UnauthenticatedError("invalid or revoked API key");
  if (absl::Status s = auth_->ChargeIngest(who, request->samples_size()); !s.ok()) return s;
  committer_->Submit(std::move(request), std::move(done));
  return absl::OkStatus();
}

}  // namespace llmtap::collector
