// KeyStore: the collector's API keys, persisted in the meta column family ("apikey/<id>",
// keys.h) and held in memory, so that a key made or revoked through AdminService takes effect
// on the next call, with no restart.
//
// A secret is "llmtap_<id>_<43 base64url chars>" (256 random bits). Only a random 16-byte
// salt and SHA-256(salt || secret) are stored; Authenticate compares in constant time.
//
// Thread-safe.
#ifndef LLMTAP_COLLECTOR_AUTH_KEY_STORE_H_
#define LLMTAP_COLLECTOR_AUTH_KEY_STORE_H_

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collector/auth/principal.h"
#include "collector/store/store.h"
#include "llmtap/v1/security.pb.h"

namespace llmtap::collector {

class KeyStore {
 public:
  // Longest name; most apps one key may name.
  static constexpr size_t kMaxNameBytes = 256;
  static constexpr size_t kMaxApps = 256;

  // Loads the stored keys. `store` must outlive this.
  static absl::StatusOr<std::unique_ptr<KeyStore>> Open(Store* store);

  // True once any key was made (revoked ones count: a collector that had keys never falls
  // back to anonymous access).
  bool any_keys() const { return any_keys_.load(std::memory_order_acquire); }

  // Makes a key on behalf of `creator`. INVALID_ARGUMENT for a missing role, a long name or
  // a bad app name; PERMISSION_DENIED when `creator` is scoped to apps and the new key is not
  // (or names others).
  absl::StatusOr<v1::CreateKeyResponse> Create(const Principal& creator,
                                               const v1::CreateKeyRequest& request);
  // Keys in `viewer`'s scope (all for an unscoped admin), newest first, without salt and hash.
  std::vector<v1::ApiKey> List(const Principal& viewer, bool include_revoked) const;
  // NOT_FOUND for an unknown id or one outside `actor`'s scope.
  absl::StatusOr<v1::ApiKey> Revoke(const Principal& actor, const std::string& id);

  // The principal of a secret, with the key's record (limits). UNAUTHENTICATED for an unknown,
  // malformed or revoked secret; the message never says which.
  struct Authenticated {
    Principal principal;
    double ingest_samples_per_s = 0;
    double queries_per_s = 0;
  };
  absl::StatusOr<Authenticated> Authenticate(std::string_view secret) const;
  // Whether key `id` exists and is not revoked.
  bool IsActive(const std::string& id) const;

 private:
  explicit KeyStore(Store* store) : store_(store) {}
  Store* const store_;
  std::atomic<bool> any_keys_{false};
  mutable absl::Mutex mu_;
  std::map<std::string, v1::ApiKey> keys_ ABSL_GUARDED_BY(mu_);  // By id.
};

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_AUTH_KEY_STORE_H_
