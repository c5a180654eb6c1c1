#include "collector/auth/authenticator.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "collector/common/strings.h"

namespace llmtap::collector {
namespace {

constexpr char kRetryPayload[] = "llmtap/retry-after-ms";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string_view BearerToken(std::string_view header) {
  header = Trim(header);
  if (header.size() > 7 && absl::AsciiStrToLower(std::string(header.substr(0, 7))) == "bearer ") {
    return Trim(header.substr(7));
  }
  return header;  // A bare key is accepted too (grpcurl -H 'authorization: <key>').
}

}  // namespace

Authenticator::Authenticator(const KeyStore* keys, const v1::SecurityConfig& config)
    : keys_(keys), config_(config) {}

absl::StatusOr<Principal> Authenticator::Admit(std::string_view authorization,
                                               v1::Role needed) const {
  if (!keys_->any_keys()) return Principal::Anonymous();
  const std::string_view token = BearerToken(authorization);
  if (token.empty()) {
    return absl::UnauthenticatedError("an API key is required: authorization: Bearer <key>");
  }
  absl::StatusOr<KeyStore::Authenticated> auth = keys_->Authenticate(token);
  if (!auth.ok()) return auth.status();
  if (!auth->principal.Allows(needed)) {
    return absl::PermissionDeniedError(Cat("this key's role (", v1::Role_Name(auth->principal.role()),
                                           ") does not allow this call (needs ",
                                           v1::Role_Name(needed), ")"));
  }
  const double ingest = auth->ingest_samples_per_s > 0 ? auth->ingest_samples_per_s
                                                       : config_.default_ingest_samples_per_s();
  const double queries =
      auth->queries_per_s > 0 ? auth->queries_per_s : config_.default_queries_per_s();
  {
    absl::MutexLock lock(&mu_);
    limits_[auth->principal.key_id()] = {ingest, queries};
  }
  if (needed != v1::ROLE_INGEST && queries > 0) {
    if (absl::Status s = Charge(auth->principal.key_id(), false, queries, 1); !s.ok()) return s;
  }
  return std::move(auth->principal);
}

bool Authenticator::StillValid(const Principal& principal) const {
  if (principal.internal()) return true;
  if (principal.key_id().empty()) return !keys_->any_keys();
  return keys_->IsActive(principal.key_id());
}

absl::Status Authenticator::ChargeIngest(const Principal& principal, size_t samples) const {
  if (principal.key_id().empty() || principal.internal() || samples == 0) return absl::OkStatus();
  double rate = 0;
  {
    absl::MutexLock lock(&mu_);
    auto it = limits_.find(principal.key_id());
    if (it != limits_.end()) rate = it->second.first;
  }
  if (rate <= 0) return absl::OkStatus();
  return Charge(principal.key_id(), true, rate, static_cast<double>(samples));
}

absl::Status Authenticator::Charge(const std::string& key_id, bool ingest, double rate,
                                   double n) const {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu_);
  Bucket& b = buckets_[key_id][ingest ? 0 : 1];
  if (b.rate != rate) {  // New bucket, or the key's limit changed: start full.
    b.rate = rate;
    b.tokens = rate;
    b.refilled = now;
  }
  b.tokens = std::min(rate, b.tokens + rate * absl::ToDoubleSeconds(now - b.refilled));
  b.refilled = now;
  // A batch larger than one second's worth may pass on a full bucket (it drives tokens
  // negative, and later callers wait it off), so big batches are slowed, never refused forever.
  if (b.tokens >= std::min(n, rate)) {
    b.tokens -= n;
    return absl::OkStatus();
  }
  const double wait_s = (std::min(n, rate) - b.tokens) / rate;
  const int64_t ms = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_s * 1000)));
  absl::Status s = absl::ResourceExhaustedError(
      Cat(ingest ? "ingest" : "query", " rate limit of this key (", rate, "/s): retry after ",
          ms, " ms"));
  s.SetPayload(kRetryPayload, absl::Cord(std::to_string(ms)));
  return s;
}

std::optional<absl::Duration> Authenticator::RetryAfter(const absl::Status& status) {
  auto p = status.GetPayload(kRetryPayload);
  int64_t ms = 0;
  if (!p || !absl::SimpleAtoi(std::string(*p), &ms)) return std::nullopt;
  return absl::Milliseconds(ms);
}

}  // namespace llmtap::collector
