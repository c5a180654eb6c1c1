// Cat(): string concatenation that takes std::string_view. (Debian's Abseil is built with its
// own absl::string_view, so absl::StrCat does not accept std::string_view arguments.)
// IsValidName(): the rule for names users give rubrics and alert rules.
#ifndef LLMTAP_COLLECTOR_COMMON_STRINGS_H_
#define LLMTAP_COLLECTOR_COMMON_STRINGS_H_

#include <string>
#include <string_view>
#include <type_traits>

#include "absl/strings/str_cat.h"

namespace llmtap::collector {

namespace strings_internal {
template <typename T>
void Append(std::string* out, const T& v) {
  if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    out->append(std::string_view(v));
  } else {
    absl::StrAppend(out, v);  // Numbers.
  }
}
}  // namespace strings_internal

template <typename... T>
std::string Cat(const T&... parts) {
  std::string out;
  (strings_internal::Append(&out, parts), ...);
  return out;
}

// [a-z0-9_.-]{1,64}: safe in keys, URLs, metric labels and Prometheus series.
inline bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_COMMON_STRINGS_H_
