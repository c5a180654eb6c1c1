#include "collector/otlp/ingest_entry.h"

#include "collector/ingest/validator.h"

namespace llmtap::collector {

void IngestEntry::Submit(std::string_view authorization,
                         std::shared_ptr<v1::IngestRequest> request, Committer::Done done) const {
  // TODO(auth): once collector/ingest/ingest_gate.h is on main this becomes
  //   Authenticate(authorization) -> IngestGate::Submit(principal, request, done).
  (void)authorization;
  if (absl::Status s = ValidateIngestRequest(*request); !s.ok()) {
    done(IngestOutcome{std::move(s)});
    return;
  }
  committer_->Submit(std::move(request), std::move(done));
}

}  // namespace llmtap::collector
