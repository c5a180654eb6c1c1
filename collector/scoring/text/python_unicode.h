// Python str semantics over UTF-8 bytes, for text metrics that must match Python code exactly.
//
// The reference implementations these metrics reproduce call `str.lower()`, `str.split()`,
// `str.rstrip()` and `re`'s `\b`/`\w`. Each function here reproduces one of them over UTF-8,
// using tables generated from CPython 3.11 (Unicode 14.0.0) by gen_python_unicode_tables.py.
//
// Invalid UTF-8: each byte of an invalid or truncated sequence is one "invalid" character that
// is not whitespace, not a word character, neither cased nor case-ignorable, and is copied
// through unchanged by PythonLower. (Python strings cannot hold such bytes.)
//
// Thread-safety: all functions are pure and safe to call concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_TEXT_PYTHON_UNICODE_H_
#define LLMTAP_COLLECTOR_SCORING_TEXT_PYTHON_UNICODE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace llmtap::collector::text {

// One decoded character: its code point and how many bytes it spans.
struct Utf8Char {
  char32_t code_point;  // U+FFFD for an invalid byte.
  size_t length;        // 1..4; 1 for an invalid byte.
  bool valid;
};

// Out-of-line halves of DecodeUtf8 and PythonSpaceLength, for non-ASCII lead bytes.
Utf8Char DecodeUtf8NonAscii(std::string_view text, size_t pos);
size_t PythonSpaceLengthNonAscii(std::string_view text, size_t pos);

// Decodes the character starting at `text[pos]`. REQUIRES: pos < text.size().
inline Utf8Char DecodeUtf8(std::string_view text, size_t pos) {
  const unsigned char b = static_cast<unsigned char>(text[pos]);
  if (b < 0x80) return {b, 1, true};
  return DecodeUtf8NonAscii(text, pos);
}

// True iff ASCII byte `b` is whitespace for str.isspace(): \t\n\v\f\r, \x1c-\x1f, space.
constexpr bool IsPythonAsciiSpace(unsigned char b) {
  return b == ' ' || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F);
}

// Returns the byte length of the character at `text[pos]` if `str.isspace()` is true for it
// (the ASCII ones above, U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F,
// U+205F, U+3000), else 0. REQUIRES: pos < text.size().
inline size_t PythonSpaceLength(std::string_view text, size_t pos) {
  const unsigned char b = static_cast<unsigned char>(text[pos]);
  if (b < 0x80) return IsPythonAsciiSpace(b) ? 1 : 0;
  if (b != 0xC2 && (b < 0xE1 || b > 0xE3)) return 0;
  return PythonSpaceLengthNonAscii(text, pos);
}

// True iff code point `c` is whitespace for str.isspace().
bool IsPythonSpace(char32_t c);

// True iff `re.fullmatch(r"\w", chr(c))` on a str: alphanumeric per str.isalnum(), or '_'.
bool IsPythonWordChar(char32_t c);

// `text.rstrip()`: `text` without trailing Python whitespace.
std::string_view PythonRStrip(std::string_view text);

// Most bytes text.lower() can produce per input byte (U+0130 and U+023A grow from 2 to 3).
inline constexpr size_t kPythonLowerMaxGrowth = 2;

// The lowercase of the valid character `c` that starts at `text[pos]`, as Python's
// str.lower() maps it in the context of `text` (which matters for U+03A3 only). Writes one
// or two code points to `out` and returns how many.
int PythonLowerAt(std::string_view text, size_t pos, char32_t c, char32_t out[2]);

// Writes `c` as UTF-8 at `out` (1..4 bytes) and returns the end. REQUIRES: c <= 0x10FFFF.
char* EncodeUtf8(char32_t c, char* out);

// Appends `text.lower()` to `*out`: the full Unicode lowercase mapping, including
// U+0130 -> "i\u0307" and the Final_Sigma rule for U+03A3.
void AppendPythonLower(std::string_view text, std::string* out);

// Calls `fn(token)` for each item of `text.split()` (runs of non-whitespace), in order.
template <typename Fn>
void ForEachPythonSplit(std::string_view text, Fn&& fn) {
  size_t pos = 0;
  size_t start = 0;
  bool in_token = false;
  while (pos < text.size()) {
    const size_t space = PythonSpaceLength(text, pos);
    if (space > 0) {
      if (in_token) fn(text.substr(start, pos - start));
      in_token = false;
      pos += space;
    } else {
      if (!in_token) start = pos;
      in_token = true;
      ++pos;
    }
  }
  if (in_token) fn(text.substr(start));
}

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_PYTHON_UNICODE_H_
