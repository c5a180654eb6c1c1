#include "collector/auth/key_store.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "collector/common/strings.h"
#include "collector/store/keys.h"

namespace llmtap::collector {
namespace {

constexpr std::string_view kSecretPrefix = "llmtap_";
constexpr size_t kIdHexChars = 16;

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    std::abort();  // No randomness: never hand out a guessable key.
  }
  return out;
}

std::string Sha256(std::string_view salt, std::string_view secret) {
  std::string data(salt);
  data.append(secret);
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

// "llmtap_<16 hex>_<rest>" -> id, or "" when malformed.
std::string IdOf(std::string_view secret) {
  if (secret.size() < kSecretPrefix.size() + kIdHexChars + 2 ||
      secret.substr(0, kSecretPrefix.size()) != kSecretPrefix) {
    return "";
  }
  std::string_view id = secret.substr(kSecretPrefix.size(), kIdHexChars);
  if (secret[kSecretPrefix.size() + kIdHexChars] != '_') return "";
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "";
  }
  return std::string(id);
}

v1::ApiKey Public(v1::ApiKey key) {
  key.clear_salt();
  key.clear_secret_sha256();
  return key;
}

absl::Status CheckApp(const std::string& app, size_t i) {
  if (app.empty() || app.size() > 256 || app.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(Cat("apps[", i, "]: 1-256 bytes, no NUL"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<KeyStore>> KeyStore::Open(Store* store) {
  std::unique_ptr<KeyStore> ks(new KeyStore(store));
  absl::MutexLock lock(&ks->mu_);
  absl::Status s = store->ScanMeta(keys::kApiKeyPrefix, [&](std::string_view, std::string_view v) {
    v1::ApiKey key;
    if (key.ParseFromArray(v.data(), static_cast<int>(v.size()))) ks->keys_[key.id()] = key;
  });
  if (!s.ok()) return s;
  ks->any_keys_.store(!ks->keys_.empty());
  return ks;
}

absl::StatusOr<v1::CreateKeyResponse> KeyStore::Create(const Principal& creator,
                                                       const v1::CreateKeyRequest& request) {
  if (request.role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(request.role())) {
    return absl::InvalidArgumentError("role: ROLE_INGEST, ROLE_READ or ROLE_ADMIN");
  }
  if (request.name().size() > kMaxNameBytes) {
    return absl::InvalidArgumentError(Cat("name: at most ", kMaxNameBytes, " bytes"));
  }
  if (static_cast<size_t>(request.apps_size()) > kMaxApps) {
    return absl::InvalidArgumentError(Cat("apps: at most ", kMaxApps));
  }
  for (int i = 0; i < request.apps_size(); ++i) {
    if (absl::Status s = CheckApp(request.apps(i), i); !s.ok()) return s;
  }
  if (request.ingest_samples_per_s() < 0 || request.queries_per_s() < 0) {
    return absl::InvalidArgumentError("limits: must not be negative");
  }
  std::vector<std::string> apps(request.apps().begin(), request.apps().end());
  if (!creator.CoversApps(apps)) {
    return absl::PermissionDeniedError("apps: a key may only name apps of its creator's key");
  }

  v1::ApiKey key;
  key.set_id(absl::BytesToHexString(RandomBytes(kIdHexChars / 2)));
  key.set_name(request.name());
  key.set_role(request.role());
  std::sort(apps.begin(), apps.end());
  apps.erase(std::unique(apps.begin(), apps.end()), apps.end());
  for (auto& a : apps) key.add_apps(a);
  key.set_created_unix_nano(absl::GetCurrentTimeNanos());
  key.set_created_by(creator.key_id());
  key.set_ingest_samples_per_s(request.ingest_samples_per_s());
  key.set_queries_per_s(request.queries_per_s());
  std::string secret = Cat(kSecretPrefix, key.id(), "_", absl::WebSafeBase64Escape(RandomBytes(32)));
  key.set_salt(RandomBytes(16));
  key.set_secret_sha256(Sha256(key.salt(), secret));

  absl::MutexLock lock(&mu_);
  if (absl::Status s = store_->PutMeta(Cat(keys::kApiKeyPrefix, key.id()), key.SerializeAsString());
      !s.ok()) {
    return s;
  }
  keys_[key.id()] = key;
  any_keys_.store(true, std::memory_order_release);
  v1::CreateKeyResponse response;
  *response.mutable_key() = Public(key);
  response.set_secret(std::move(secret));
  return response;
}

std::vector<v1::ApiKey> KeyStore::List(const Principal& viewer, bool include_revoked) const {
  std::vector<v1::ApiKey> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [id, key] : keys_) {
    if (!include_revoked && key.revoked_unix_nano() != 0) continue;
    std::vector<std::string> apps(key.apps().begin(), key.apps().end());
    if (!viewer.CoversApps(apps)) continue;
    out.push_back(Public(key));
  }
  std::sort(out.begin(), out.end(), [](const v1::ApiKey& a, const v1::ApiKey& b) {
    return a.created_unix_nano() > b.created_unix_nano();
  });
  return out;
}

absl::StatusOr<v1::ApiKey> KeyStore::Revoke(const Principal& actor, const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(id);
  if (it == keys_.end() ||
      !actor.CoversApps(std::vector<std::string>(it->second.apps().begin(),
                                                 it->second.apps().end()))) {
    return absl::NotFoundError(Cat("key ", id, ": not found"));
  }
  v1::ApiKey key = it->second;
  if (key.revoked_unix_nano() == 0) key.set_revoked_unix_nano(absl::GetCurrentTimeNanos());
  if (absl::Status s = store_->PutMeta(Cat(keys::kApiKeyPrefix, id), key.SerializeAsString());
      !s.ok()) {
    return s;
  }
  it->second = key;
  return Public(key);
}

bool KeyStore::IsActive(const std::string& id) const {
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(id);
  return it != keys_.end() && it->second.revoked_unix_nano() == 0;
}

absl::StatusOr<KeyStore::Authenticated> KeyStore::Authenticate(std::string_view secret) const {
  const absl::Status denied = absl::UnauthenticatedError("invalid or revoked API key");
  const std::string id = IdOf(secret);
  if (id.empty()) return denied;
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(id);
  if (it == keys_.end() || it->second.revoked_unix_nano() != 0) return denied;
  const v1::ApiKey& key = it->second;
  const std::string digest = Sha256(key.salt(), secret);
  if (digest.size() != key.secret_sha256().size() ||
      CRYPTO_memcmp(digest.data(), key.secret_sha256().data(), digest.size()) != 0) {
    return denied;
  }
  return Authenticated{
      Principal::ForKey(key.id(), key.role(), {key.apps().begin(), key.apps().end()}),
      key.ingest_samples_per_s(), key.queries_per_s()};
}

}  // namespace llmtap::collector
