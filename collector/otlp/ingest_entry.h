// IngestEntry: how the ways in that are not the SDK's stream (the OTLP receiver, the gateway)
// hand samples to ingest. One function, so that authentication and the ingest gate are
// switched on for all of them in one place.
//
//   entry.Submit(authorization_header, std::move(request), [](const IngestOutcome& o) { ... });
//
// Thread safety: Submit may be called from any thread; `done` runs on the committer's thread
// (or on the caller's, for a request refused before the commit) and must not block.
#ifndef LLMTAP_COLLECTOR_OTLP_INGEST_ENTRY_H_
#define LLMTAP_COLLECTOR_OTLP_INGEST_ENTRY_H_

#include <memory>
#include <string_view>

#include "collector/ingest/committer.h"
#include "collector/ingest/ingest_gate.h"
#include "llmtap/v1/ingest.pb.h"

namespace llmtap::collector {

class IngestEntry {
 public:
  // `gate` must outlive the entry.
  explicit IngestEntry(const IngestGate* gate) : gate_(gate) {}

  // Admits `authorization` (the caller's Authorization header or gRPC metadata value, "Bearer
  // <key>", "" when absent) for ROLE_INGEST, then hands `request` to the ingest gate, which
  // validates it, checks the key's apps and rate, and commits it. `done` is called once: after
  // the commit, or at once with the refusal (UNAUTHENTICATED, PERMISSION_DENIED,
  // INVALID_ARGUMENT naming the field, RESOURCE_EXHAUSTED).
  void Submit(std::string_view authorization, std::shared_ptr<v1::IngestRequest> request,
              Committer::Done done) const;
  // Batches waiting for the committer (to shed load before submitting).
  size_t pending() const { return gate_->committer().pending(); }

 private:
  const IngestGate* const gate_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_OTLP_INGEST_ENTRY_H_
