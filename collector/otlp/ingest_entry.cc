#include "collector/otlp/ingest_entry.h"

namespace llmtap::collector {

void IngestEntry::Submit(std::string_view authorization,
                         std::shared_ptr<v1::IngestRequest> request, Committer::Done done) const {
  absl::StatusOr<Principal> who = gate_->authenticator().Admit(authorization, v1::ROLE_INGEST);
  if (!who.ok()) {
    done(IngestOutcome{who.status()});
    return;
  }
  if (absl::Status refused = gate_->Submit(*who, std::move(request), done); !refused.ok()) {
    done(IngestOutcome{std::move(refused)});  // The gate did not call it.
  }
}

}  // namespace llmtap::collector
