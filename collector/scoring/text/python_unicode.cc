#include "collector/scoring/text/python_unicode.h"

#include <algorithm>
#include <bitset>
#include <cstdint>

namespace llmtap::collector::text {
namespace {

struct CodePointRange {
  char32_t first;
  char32_t last;
};

// Code points first, first+stride, ..., last lowercase to code point + delta.
struct LowerRun {
  char32_t first;
  char32_t last;
  int32_t delta;
  int32_t stride;
};

#include "collector/scoring/text/python_unicode_tables.inc"

constexpr char32_t kCapitalSigma = 0x3A3;
constexpr char32_t kSmallSigma = 0x3C3;
constexpr char32_t kFinalSigma = 0x3C2;
constexpr char32_t kCapitalIWithDot = 0x130;
constexpr char32_t kReplacement = 0xFFFD;

template <size_t N>
bool InRanges(const CodePointRange (&ranges)[N], char32_t c) {
  const CodePointRange* it = std::upper_bound(
      ranges, ranges + N, c, [](char32_t v, const CodePointRange& r) { return v < r.first; });
  return it != ranges && c <= (it - 1)->last;
}

// Bitsets over the Basic Multilingual Plane, built once from the tables, so that the
// common characters skip the binary searches.
struct BmpBits {
  std::bitset<0x10000> word;       // IsPythonWordChar
  std::bitset<0x10000> has_lower;  // Changed by LowerOne
};

const BmpBits& Bmp();

char32_t LowerOne(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (c < 0x10000 && !Bmp().has_lower[c]) return c;
  const LowerRun* it =
      std::upper_bound(kLowerRuns, kLowerRuns + std::size(kLowerRuns), c,
                       [](char32_t v, const LowerRun& r) { return v < r.first; });
  if (it == kLowerRuns) return c;
  const LowerRun& run = *(it - 1);
  if (c > run.last || (c - run.first) % run.stride != 0) return c;
  return static_cast<char32_t>(static_cast<int32_t>(c) + run.delta);
}

const BmpBits& Bmp() {
  static const BmpBits* const bits = [] {
    auto* b = new BmpBits;
    for (const CodePointRange& r : kWordRanges) {
      for (char32_t c = r.first; c <= r.last && c < 0x10000; ++c) b->word[c] = true;
    }
    for (const LowerRun& r : kLowerRuns) {
      for (char32_t c = r.first; c <= r.last && c < 0x10000; c += r.stride) b->has_lower[c] = true;
    }
    return b;
  }();
  return *bits;
}

bool IsCaseIgnorable(char32_t c) { return InRanges(kCaseIgnorableRanges, c); }
bool IsCased(char32_t c) { return InRanges(kCasedRanges, c); }

// Start of the character that ends just before `end` (end > 0).
size_t PreviousCharStart(std::string_view text, size_t end) {
  size_t start = end - 1;
  const size_t limit = end >= 4 ? end - 4 : 0;
  while (start > limit && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  const Utf8Char c = DecodeUtf8(text, start);
  return (c.valid && start + c.length == end) ? start : end - 1;
}

// CPython's handle_capital_sigma: U+03A3 at byte `pos` (spanning 2 bytes) lowercases to
// final sigma iff preceded by a cased letter and not followed by one, skipping case-ignorable
// characters in both directions.
bool IsFinalSigma(std::string_view text, size_t pos) {
  bool final_sigma = false;
  for (size_t end = pos; end > 0;) {
    const size_t start = PreviousCharStart(text, end);
    const Utf8Char c = DecodeUtf8(text, start);
    const char32_t cp = c.valid ? c.code_point : kReplacement;
    if (!IsCaseIgnorable(cp)) {
      final_sigma = IsCased(cp);
      break;
    }
    end = start;
  }
  if (!final_sigma) return false;
  for (size_t i = pos + 2; i < text.size();) {
    const Utf8Char c = DecodeUtf8(text, i);
    const char32_t cp = c.valid ? c.code_point : kReplacement;
    if (!IsCaseIgnorable(cp)) return !IsCased(cp);
    i += c.length;
  }
  return true;
}

}  // namespace

Utf8Char DecodeUtf8NonAscii(std::string_view text, size_t pos) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  const unsigned char b0 = s[pos];
  constexpr Utf8Char kInvalid{kReplacement, 1, false};
  auto cont = [&](size_t i) { return pos + i < n && (s[pos + i] & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (!cont(1)) return kInvalid;
    return {static_cast<char32_t>(((b0 & 0x1F) << 6) | (s[pos + 1] & 0x3F)), 2, true};
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return kInvalid;
    const char32_t c = ((b0 & 0x0F) << 12) | ((s[pos + 1] & 0x3F) << 6) | (s[pos + 2] & 0x3F);
    if (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF)) return kInvalid;
    return {c, 3, true};
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return kInvalid;
    const char32_t c = ((b0 & 0x07) << 18) | ((s[pos + 1] & 0x3F) << 12) |
                       ((s[pos + 2] & 0x3F) << 6) | (s[pos + 3] & 0x3F);
    if (c < 0x10000 || c > 0x10FFFF) return kInvalid;
    return {c, 4, true};
  }
  return kInvalid;
}

size_t PythonSpaceLengthNonAscii(std::string_view text, size_t pos) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data()) + pos;
  const size_t left = text.size() - pos;
  const unsigned char b0 = s[0];
  if (b0 == 0xC2) return (left >= 2 && (s[1] == 0x85 || s[1] == 0xA0)) ? 2 : 0;
  if (left < 3) return 0;
  if (b0 == 0xE1) return (s[1] == 0x9A && s[2] == 0x80) ? 3 : 0;  // U+1680
  if (b0 == 0xE2) {
    if (s[1] == 0x80) {  // U+2000..U+200A, U+2028, U+2029, U+202F
      const unsigned char b2 = s[2];
      return ((b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF) ? 3 : 0;
    }
    return (s[1] == 0x81 && s[2] == 0x9F) ? 3 : 0;  // U+205F
  }
  if (b0 == 0xE3) return (s[1] == 0x80 && s[2] == 0x80) ? 3 : 0;  // U+3000
  return 0;
}

bool IsPythonSpace(char32_t c) {
  if (c < 0x80) return IsPythonAsciiSpace(static_cast<unsigned char>(c));
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool IsPythonWordChar(char32_t c) {
  if (c < 0x80) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_';
  }
  if (c < 0x10000) return Bmp().word[c];
  return InRanges(kWordRanges, c);
}

std::string_view PythonRStrip(std::string_view text) {
  size_t end = text.size();
  while (end > 0) {
    const unsigned char last = static_cast<unsigned char>(text[end - 1]);
    if (last < 0x80) {
      if (!IsPythonAsciiSpace(last)) break;
      --end;
      continue;
    }
    const size_t start = PreviousCharStart(text, end);
    if (PythonSpaceLength(text, start) != end - start) break;
    end = start;
  }
  return text.substr(0, end);
}

char* EncodeUtf8(char32_t c, char* out) {
  if (c < 0x80) {
    *out++ = static_cast<char>(c);
  } else if (c < 0x800) {
    *out++ = static_cast<char>(0xC0 | (c >> 6));
    *out++ = static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    *out++ = static_cast<char>(0xE0 | (c >> 12));
    *out++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (c & 0x3F));
  } else {
    *out++ = static_cast<char>(0xF0 | (c >> 18));
    *out++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    *out++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *out++ = static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

int PythonLowerAt(std::string_view text, size_t pos, char32_t c, char32_t out[2]) {
  if (c == kCapitalSigma) {
    out[0] = IsFinalSigma(text, pos) ? kFinalSigma : kSmallSigma;
    return 1;
  }
  if (c == kCapitalIWithDot) {
    out[0] = U'i';
    out[1] = 0x307;
    return 2;
  }
  out[0] = LowerOne(c);
  return 1;
}

void AppendPythonLower(std::string_view text, std::string* out) {
  const size_t old_size = out->size();
  out->resize(old_size + text.size() * kPythonLowerMaxGrowth);
  char* w = out->data() + old_size;
  for (size_t pos = 0; pos < text.size();) {
    const unsigned char b0 = static_cast<unsigned char>(text[pos]);
    if (b0 < 0x80) {
      *w++ = static_cast<char>((b0 >= 'A' && b0 <= 'Z') ? b0 + 32 : b0);
      ++pos;
      continue;
    }
    const Utf8Char c = DecodeUtf8(text, pos);
    if (!c.valid) {
      *w++ = static_cast<char>(b0);
    } else {
      char32_t lowered[2];
      const int n = PythonLowerAt(text, pos, c.code_point, lowered);
      for (int i = 0; i < n; ++i) w = EncodeUtf8(lowered[i], w);
    }
    pos += c.length;
  }
  out->resize(static_cast<size_t>(w - out->data()));
}

}  // namespace llmtap::collector::text
