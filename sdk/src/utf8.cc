#include "utf8.h"

namespace llmtap::internal {
namespace {

// Length of the well-formed sequence at s[i], or 0 when it is ill-formed (Unicode 15, table 3-7).
size_t SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  const size_t left = s.size() - i;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && (b(i + 1) & 0xC0) == 0x80 ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3) return 0;
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    if (b(i + 1) < lo || b(i + 1) > hi || (b(i + 2) & 0xC0) != 0x80) return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4) return 0;
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    if (b(i + 1) < lo || b(i + 1) > hi || (b(i + 2) & 0xC0) != 0x80 ||
        (b(i + 3) & 0xC0) != 0x80) {
      return 0;
    }
    return 4;
  }
  return 0;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // Fast path: eight ASCII bytes at a time.
    while (i + 8 <= s.size()) {
      unsigned long long w;
      __builtin_memcpy(&w, s.data() + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= s.size()) break;
    const size_t n = SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

bool SanitizeUtf8(std::string* s, size_t max_bytes) {
  if (s->size() <= max_bytes && IsValidUtf8(*s)) return false;
  std::string out;
  out.reserve(std::min(s->size(), max_bytes));
  size_t i = 0;
  while (i < s->size()) {
    const size_t n = SequenceLength(*s, i);
    const std::string_view piece = n ? std::string_view(*s).substr(i, n) : "\xEF\xBF\xBD";
    if (out.size() + piece.size() > max_bytes) break;
    out.append(piece);
    i += n ? n : 1;
  }
  *s = std::move(out);
  return true;
}

}  // namespace llmtap::internal
