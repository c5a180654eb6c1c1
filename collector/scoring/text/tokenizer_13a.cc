#include "collector/scoring/text/tokenizer_13a.h"

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "collector/scoring/text/python_unicode.h"

// Implementation: the reference pads the line with spaces and applies four regex
// substitutions one after another, then splits on whitespace:
//   1. ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> ' \1 '   (most ASCII punctuation, and space)
//   2. ([^0-9])([\.,])  -> '\1 \2 '
//   3. ([\.,])([^0-9])  -> ' \1 \2'
//   4. ([0-9])(-)       -> '\1 \2 '
// Substitutions only insert spaces, so the result is the input split at certain points,
// which one left-to-right pass can find. With re.sub's left-to-right, non-overlapping
// matching worked through:
//   - a character of class 1 is a token of its own (space just separates);
//   - a run of k >= 1 periods/commas, with L the character before it and R the one after
//     in the output of step 1 (a space stands for class-1 characters, whitespace and the
//     padding), is split between every two of its characters, and
//       k == 1: split on both sides iff L or R is not a digit ("3.5" stays whole);
//       k >= 2: split before it always, and after it iff R is not a digit or
//               (L is not a digit) == (k is odd), which is when step 2 pairs the last one;
//   - "D-" with D a digit is split between them and after the '-'.
// Working on bytes is exact: all the patterns' explicit characters are ASCII, and a
// multi-byte character only ever plays the part of a non-digit. Python whitespace (any
// str.isspace() character) separates tokens like a space.

namespace llmtap::collector::text {
namespace {

constexpr bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
constexpr bool IsPeriodOrComma(unsigned char c) { return c == '.' || c == ','; }

// The character class of TokenizerRegexp's first pattern:
// { | } ~, [ \ ] ^ _ `, space ! " # $ % &, ( ) * +, : ; < = > ? @, and /.
constexpr bool IsSpacedPunctuation(unsigned char b) {
  return (b >= 0x7B && b <= 0x7E) || (b >= 0x5B && b <= 0x60) || (b >= 0x20 && b <= 0x26) ||
         (b >= 0x28 && b <= 0x2B) || (b >= 0x3A && b <= 0x40) || b == '/';
}

// kPlain and kSpace come first: Tokenize's fast path takes the bytes up to kSpace.
enum class ByteKind : uint8_t { kPlain, kSpace, kSpaced, kPeriodOrComma, kHyphen, kSpaceLead };

// True for the lead bytes of the non-ASCII whitespace characters' UTF-8 encodings (U+0085,
// U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
constexpr bool IsNonAsciiSpaceLead(unsigned char b) {
  return b == 0xC2 || b == 0xE1 || b == 0xE2 || b == 0xE3;
}

constexpr std::array<ByteKind, 256> MakeByteKinds() {
  std::array<ByteKind, 256> kinds{};
  for (int b = 0; b < 256; ++b) {
    const unsigned char c = static_cast<unsigned char>(b);
    if (IsNonAsciiSpaceLead(c)) {
      kinds[b] = ByteKind::kSpaceLead;
    } else if (c >= 0x80) {
      kinds[b] = ByteKind::kPlain;  // Part of a character that is neither space nor a digit.
    } else if (IsPythonAsciiSpace(c)) {
      kinds[b] = ByteKind::kSpace;
    } else if (IsSpacedPunctuation(c)) {
      kinds[b] = ByteKind::kSpaced;
    } else if (IsPeriodOrComma(c)) {
      kinds[b] = ByteKind::kPeriodOrComma;
    } else if (c == '-') {
      kinds[b] = ByteKind::kHyphen;
    } else {
      kinds[b] = ByteKind::kPlain;  // Letters, digits, '\'', other control characters.
    }
  }
  return kinds;
}
constexpr std::array<ByteKind, 256> kByteKinds = MakeByteKinds();

// Python's str.replace(from, to): all non-overlapping occurrences, left to right.
void ReplaceAll(std::string* text, std::string_view from, std::string_view to,
                std::string* scratch) {
  size_t hit = text->find(from);
  if (hit == std::string::npos) return;
  scratch->clear();
  size_t start = 0;
  for (; hit != std::string::npos; hit = text->find(from, start)) {
    scratch->append(*text, start, hit - start);
    scratch->append(to);
    start = hit + from.size();
  }
  scratch->append(*text, start, std::string::npos);
  std::swap(*text, *scratch);
}

// True if `line` has "-\n", looked for from each '\n' (rarer than '-').
bool HasHyphenNewline(std::string_view line) {
  for (size_t i = line.find('\n'); i != std::string_view::npos; i = line.find('\n', i + 1)) {
    if (i > 0 && line[i - 1] == '-') return true;
  }
  return false;
}

// The first of Tokenizer13a.__call__'s replacements, done only when one applies: removing
// "<skipped>", then "-\n", can join characters into new tokens. Returns the line to
// tokenize: `line` itself or `*a`. The others are left to Tokenize: "\n" -> " " changes
// nothing, as both are whitespace to every later step, and the entities are decoded as
// they are met (see DecodeEntity).
std::string_view Preprocess(std::string_view line, std::string* a, std::string* b) {
  if (line.find("<skipped>") == std::string_view::npos && !HasHyphenNewline(line)) {
    return line;
  }
  a->assign(line);
  ReplaceAll(a, "<skipped>", "", b);
  ReplaceAll(a, "-\n", "", b);
  return *a;
}

bool StartsWith(std::string_view text, size_t pos, std::string_view prefix) {
  return pos <= text.size() && text.substr(pos).starts_with(prefix);
}

// At the '&' text[pos], returns the character that Tokenizer13a's entity replacements make
// of the text from there and sets `*length` to the number of bytes they replace by it.
// The replacements are four passes, in this order: "&quot;" -> '"', "&amp;" -> '&',
// "&lt;" -> '<', "&gt;" -> '>'. No two of the patterns can overlap, and the only
// replacement that can take part in a later pattern is the '&' of "&amp;", which starts
// "&lt;" or "&gt;" if "lt;" or "gt;" follows it ("&amp;lt;" becomes "<"; "&amp;quot;"
// stays "&quot;", as that pass came first). So one pass from left to right decides each
// '&'. Every result, like '&' itself, is punctuation that step 1 makes a token of its own.
char DecodeEntity(std::string_view text, size_t pos, size_t* length) {
  if (StartsWith(text, pos, "&quot;")) {
    *length = 6;
    return '"';
  }
  if (StartsWith(text, pos, "&amp;")) {
    if (StartsWith(text, pos + 5, "lt;") || StartsWith(text, pos + 5, "gt;")) {
      *length = 8;
      return text[pos + 5] == 'l' ? '<' : '>';
    }
    *length = 5;
    return '&';
  }
  if (StartsWith(text, pos, "&lt;") || StartsWith(text, pos, "&gt;")) {
    *length = 4;
    return text[pos + 1] == 'l' ? '<' : '>';
  }
  *length = 1;
  return '&';
}

void Tokenize(std::string_view line, TokenList* tokens) {
  thread_local std::string a;
  thread_local std::string b;
  thread_local std::vector<uint32_t> ends;  // Token ends, as offsets in `out`.
  const std::string_view text = Preprocess(line, &a, &b);
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  // A token has at least one byte; the fast path also writes one past the last end.
  if (ends.size() < n + 1) ends.resize(n + 1);

  tokens->FinishToken();
  char* const out = tokens->BeginWrite(n);
  uint32_t* const end_at = ends.data();
  uint32_t w = 0;         // Bytes written to out.
  uint32_t last_end = 0;  // Where the token being written starts.
  size_t count = 0;       // Tokens ended.
  // Ends the token being written, if it has any bytes.
  auto split = [&] {
    end_at[count] = w;
    count += w != last_end;
    last_end = w;
  };
  for (size_t i = 0;;) {
    // The common case: letters, digits (and other characters that are never split) and
    // whitespace, which ends the token being written. Without a branch per byte, as the
    // length of a word is hard to predict.
    for (; i < n; ++i) {
      const ByteKind kind = kByteKinds[p[i]];
      if (kind > ByteKind::kSpace) break;
      const bool space = kind == ByteKind::kSpace;
      out[w] = static_cast<char>(p[i]);
      end_at[count] = w;
      count += space & (w != last_end);
      last_end = space ? w : last_end;
      w += !space;
    }
    if (i == n) break;
    // The character before p[i] in step 1's output is a digit iff p[i - 1] is: before
    // p[i] only a decoded entity differs from the text, and it ends in ';' and stands for
    // punctuation. (At i == 0 it is the padding space.)
    const unsigned char c = p[i];
    const bool previous_is_digit = i > 0 && IsDigit(p[i - 1]);
    switch (kByteKinds[c]) {
      case ByteKind::kPlain:
      case ByteKind::kSpace:
        break;  // Handled above.
      case ByteKind::kSpaced: {
        size_t length = 1;
        const char spaced = c == '&' ? DecodeEntity(text, i, &length) : static_cast<char>(c);
        split();
        out[w++] = spaced;
        split();
        i += length;
        break;
      }
      case ByteKind::kHyphen:
        if (previous_is_digit) split();
        out[w++] = '-';
        if (previous_is_digit) split();
        ++i;
        break;
      case ByteKind::kPeriodOrComma: {
        size_t j = i + 1;
        while (j < n && IsPeriodOrComma(p[j])) ++j;
        const size_t k = j - i;
        const bool left_digit = previous_is_digit;
        const bool right_digit = j < n && IsDigit(p[j]);
        const bool split_around =
            k == 1 ? (!left_digit || !right_digit)
                   : (!right_digit || ((!left_digit) == (k % 2 == 1)));
        if (k > 1 || split_around) split();
        for (size_t m = i; m < j; ++m) {
          if (m > i) split();
          out[w++] = static_cast<char>(p[m]);
        }
        if (split_around) split();
        i = j;
        break;
      }
      case ByteKind::kSpaceLead: {
        const size_t space = PythonSpaceLength(text, i);
        if (space > 0) {
          split();
          i += space;
        } else {
          out[w++] = static_cast<char>(c);  // The rest of the character is kPlain.
          ++i;
        }
        break;
      }
    }
  }
  split();
  tokens->EndTokensAt(out, end_at, count);
  tokens->FinishWrite(out + w);
}

}  // namespace

void AppendTokens13a(std::string_view line, TokenList* tokens) {
  tokens->FinishToken();
  Tokenize(line, tokens);
}

std::string Tokenize13a(std::string_view line) {
  TokenList tokens;
  Tokenize(line, &tokens);
  std::string joined;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) joined.push_back(' ');
    joined.append(tokens[i]);
  }
  return joined;
}

}  // namespace llmtap::collector::text
