// UTF-8 helpers shared by the SDK's sample conversion.
#ifndef LLMTAP_SDK_SRC_UTF8_H_
#define LLMTAP_SDK_SRC_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace llmtap::internal {

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Makes `s` valid UTF-8 of at most `max_bytes` bytes: ill-formed sequences become U+FFFD and
// the end is cut at a code point boundary. Returns true when `s` changed.
bool SanitizeUtf8(std::string* s, size_t max_bytes);

}  // namespace llmtap::internal

#endif  // LLMTAP_SDK_SRC_UTF8_H_
