// Authenticator: turns a request's "authorization: Bearer <secret>" (gRPC metadata or HTTP
// header) into a Principal, checks the role the call needs, and charges the key's rate limits.
// Every way in (gRPC services, the HTTP API, the OTLP receiver, the gateway) calls Admit once
// per request (or per stream, then StillValid per batch); nothing else authenticates.
//
// With no key ever made, every request is the Anonymous principal (the server then listens on
// loopback only, unless started with --insecure). Once any key exists, a request without a
// valid key is UNAUTHENTICATED, and a key without the role is PERMISSION_DENIED.
//
// Limits are token buckets per key (burst: one second's worth). Past them the answer is
// RESOURCE_EXHAUSTED carrying the delay after which a retry will pass, as a payload that
// RetryAfter() reads and the edges turn into gRPC trailing metadata "retry-after-ms" and the
// HTTP header Retry-After.
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_AUTH_AUTHENTICATOR_H_
#define LLMTAP_COLLECTOR_AUTH_AUTHENTICATOR_H_

#include <array>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/auth/key_store.h"
#include "collector/auth/principal.h"
#include "llmtap/v1/security.pb.h"

namespace llmtap::collector {

class Authenticator {
 public:
  // `keys` must outlive this.
  Authenticator(const KeyStore* keys, const v1::SecurityConfig& config);

  // The principal for `authorization` (the header's value, "" when absent), if it holds
  // `needed`. Charges one query against the key's queries/s unless `needed` is ROLE_INGEST
  // (ingest is charged per sample by ChargeIngest).
  absl::StatusOr<Principal> Admit(std::string_view authorization, v1::Role needed) const;
  // Whether the key behind `principal` is still valid (not revoked): long streams call this
  // per batch so that revocation bites at once.
  bool StillValid(const Principal& principal) const;
  // Charges `samples` against the key's ingest samples/s.
  absl::Status ChargeIngest(const Principal& principal, size_t samples) const;

  // The retry delay of a RESOURCE_EXHAUSTED made by a limit, if `status` carries one.
  static std::optional<absl::Duration> RetryAfter(const absl::Status& status);

 private:
  struct Bucket {
    double rate = 0;  // Tokens per second; 0 = unlimited.
    double tokens = 0;
    absl::Time refilled;
  };
  absl::Status Charge(const std::string& key_id, bool ingest, double rate, double n) const;

  const KeyStore* const keys_;
  const v1::SecurityConfig config_;
  mutable absl::Mutex mu_;
  // Per key id: [0] ingest, [1] queries.
  mutable std::map<std::string, std::array<Bucket, 2>> buckets_ ABSL_GUARDED_BY(mu_);
  // Limits of each key seen by Admit, for ChargeIngest.
  mutable std::map<std::string, std::pair<double, double>> limits_ ABSL_GUARDED_BY(mu_);
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_AUTH_AUTHENTICATOR_H_
