// IngestGate: the one way into the store for samples, whatever brought them (the SDK's
// stream and unary call, the OTLP receiver, the gateway, fleet forwarding). It validates the
// batch (validator.h), checks that the caller's key may write each sample's app, charges the
// key's ingest rate, and hands the batch to the Committer, which acks after the commit.
//
//   absl::Status refused = gate->Submit(principal, std::move(request), on_committed);
//   if (!refused.ok()) ...  // nothing stored, `done` not called
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_INGEST_INGEST_GATE_H_
#define LLMTAP_COLLECTOR_INGEST_INGEST_GATE_H_

#include <memory>

#include "absl/status/status.h"
#include "collector/auth/authenticator.h"
#include "collector/auth/principal.h"
#include "collector/ingest/committer.h"
#include "llmtap/v1/ingest.pb.h"

namespace llmtap::collector {

class IngestGate {
 public:
  // Both must outlive the gate.
  IngestGate(const Authenticator* auth, Committer* committer)
      : auth_(auth), committer_(committer) {}

  // Refuses the whole batch, with `done` never called, when it is invalid (INVALID_ARGUMENT
  // naming the field), when `who` may not write a sample's or the client stats' app
  // (PERMISSION_DENIED naming the index; the same whether or not the app exists), when the key
  // was revoked (UNAUTHENTICATED) or when its ingest rate is spent (RESOURCE_EXHAUSTED with a
  // retry delay, Authenticator::RetryAfter). Otherwise submits it: `done` runs after the
  // commit, on the committer's thread.
  absl::Status Submit(const Principal& who, std::shared_ptr<v1::IngestRequest> request,
                      Committer::Done done) const;

  const Authenticator& authenticator() const { return *auth_; }
  Committer& committer() const { return *committer_; }

 private:
  const Authenticator* const auth_;
  Committer* const committer_;
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_INGEST_INGEST_GATE_H_
