#include <algorithm>
#include <cctype>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sdk/src/http/http_client.h"

namespace llmtap::internal {

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  const absl::string_view want(name.data(), name.size());
  for (const auto& [k, v] : headers) {
    if (absl::EqualsIgnoreCase(k, want)) return v;
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> HttpResponse::RetryAfter() const {
  std::optional<std::string> value = Header("Retry-After");
  if (!value) return std::nullopt;
  const absl::string_view v = absl::StripAsciiWhitespace(*value);
  double seconds = 0;
  if (absl::SimpleAtod(v, &seconds)) {
    if (!(seconds >= 0) || seconds > 86400.0 * 365) return std::nullopt;
    return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  }
  // An HTTP date: "Wed, 21 Oct 2015 07:28:00 GMT".
  absl::Time when;
  std::string err;
  if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(v), absl::UTCTimeZone(), &when,
                       &err)) {
    return std::nullopt;
  }
  const absl::Duration wait = std::max(when - absl::Now(), absl::ZeroDuration());
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(wait));
}

}  // namespace llmtap::internal
