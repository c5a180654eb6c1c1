#include "collector/scoring/text/tokenizer_13a.h"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "collector/scoring/text/python_unicode.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// kSpace and kSpaced are 1 and 2, for a test of both at once. '&' (kEntity) and '<'
// (kLessThan) are spaced punctuation too, but may start an entity or "<skipped>".
enum class ByteKind : uint8_t {
  kPlain,
  kSpace,
  kSpaced,
  kEntity,
  kLessThan,
  kPeriodOrComma,
  kHyphen,
  kSpaceLead
};

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
    } else if (c == '&') {
      kinds[b] = ByteKind::kEntity;
    } else if (c == '<') {
      kinds[b] = ByteKind::kLessThan;
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

// Tokenizer13a.__call__'s first replacements: removing "<skipped>", then "-\n", which can
// join characters into new tokens. Returns the line to tokenize, `*a`. The others are left
// to FindTokens: "\n" -> " " changes nothing, as both are whitespace to every later step,
// and the entities are decoded as they are met (see DecodeEntity).
std::string_view Preprocess(std::string_view line, std::string* a, std::string* b) {
  a->assign(line);
  ReplaceAll(a, "<skipped>", "", b);
  ReplaceAll(a, "-\n", "", b);
  return *a;
}

bool StartsWith(std::string_view text, size_t pos, std::string_view prefix) {
  return pos <= text.size() && text.substr(pos).starts_with(prefix);
}

// Padding after a text: a space that ends the last token, then 63 more bytes, so that
// MaybeSplitMask can read the 64 bytes from any position up to the space and
// TokenInterner::InternPadded the kPaddedBytes bytes from the start of any token.
constexpr size_t kPadding = 64;
static_assert(kPadding >= TokenInterner::kPaddedBytes);

// Bit k is set if p[k] may be anything but ByteKind::kPlain (k < 64). A superset, cheaper
// to compute than kByteKinds: only ASCII letters and digits, apostrophes and the non-ASCII
// bytes that cannot start whitespace are left out. (64 bytes at a time, so that the loop
// over the bits set ends, and mispredicts, at most once per 64 bytes.)
uint64_t MaybeSplitMask(const unsigned char* p) {
#if defined(__SSE2__)
  // x in [lo, hi], as unsigned bytes: x - lo <= hi - lo.
  auto in_range = [](__m128i v, unsigned char lo, unsigned char hi) {
    const __m128i t = _mm_sub_epi8(v, _mm_set1_epi8(static_cast<char>(lo)));
    return _mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(static_cast<char>(hi - lo))), t);
  };
  uint64_t mask = 0;
  for (int part = 0; part < 4; ++part) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * part));
    const __m128i digit = in_range(x, '0', '9');
    const __m128i letter = in_range(_mm_or_si128(x, _mm_set1_epi8(0x20)), 'a', 'z');
    const __m128i apostrophe = _mm_cmpeq_epi8(x, _mm_set1_epi8('\''));
    const __m128i space_lead = _mm_or_si128(
        _mm_cmpeq_epi8(x, _mm_set1_epi8(static_cast<char>(0xC2))), in_range(x, 0xE1, 0xE3));
    const uint32_t plain = static_cast<uint32_t>(
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(digit, letter), apostrophe)));
    const uint32_t high = static_cast<uint32_t>(_mm_movemask_epi8(x));
    const uint32_t lead = static_cast<uint32_t>(_mm_movemask_epi8(space_lead));
    mask |= uint64_t{~(plain | (high & ~lead)) & 0xFFFF} << (16 * part);
  }
  return mask;
#else
  uint64_t mask = 0;
  for (int k = 0; k < 64; ++k) mask |= uint64_t{kByteKinds[p[k]] != ByteKind::kPlain} << k;
  return mask;
#endif
}

// The characters entities decode to, each followed by kPaddedBytes readable bytes.
constexpr char kDecoded[4 + TokenInterner::kPaddedBytes] = {'"', '&', '<', '>'};

// At the '&' text[pos], returns (as a view of kDecoded) the character that Tokenizer13a's
// entity replacements make of the text from there, and sets `*length` to the number of
// bytes they replace by it. The replacements are four passes, in this order:
// "&quot;" -> '"', "&amp;" -> '&', "&lt;" -> '<', "&gt;" -> '>'. No two of the patterns
// can overlap, and the only replacement that can take part in a later pattern is the '&'
// of "&amp;", which starts "&lt;" or "&gt;" if "lt;" or "gt;" follows it ("&amp;lt;"
// becomes "<"; "&amp;quot;" stays "&quot;", as that pass came first). So one pass from
// left to right decides each '&'. Every result, like '&' itself, is punctuation that
// step 1 makes a token of its own.
std::string_view DecodeEntity(std::string_view text, size_t pos, size_t* length) {
  const auto decoded = [](size_t at) { return std::string_view(kDecoded + at, 1); };
  if (StartsWith(text, pos, "&quot;")) {
    *length = 6;
    return decoded(0);
  }
  if (StartsWith(text, pos, "&amp;")) {
    if (StartsWith(text, pos + 5, "lt;") || StartsWith(text, pos + 5, "gt;")) {
      *length = 8;
      return decoded(text[pos + 5] == 'l' ? 2 : 3);
    }
    *length = 5;
    return decoded(1);
  }
  if (StartsWith(text, pos, "&lt;") || StartsWith(text, pos, "&gt;")) {
    *length = 4;
    return decoded(text[pos + 1] == 'l' ? 2 : 3);
  }
  *length = 1;
  return decoded(1);
}

// Tokenize frees its scratch after a text longer than this.
constexpr size_t kKeepScratchBytes = size_t{1} << 16;

// Returned by FindTokens when `text` needs Preprocess first.
constexpr size_t kNeedsPreprocess = ~size_t{0};

// Stores the tokens of `text` at `tokens`, in order, as views of `text` or of kDecoded,
// and returns how many. If `preprocessed` is false and `text` holds "<skipped>" or "-\n",
// stops early and returns kNeedsPreprocess instead. REQUIRES: text.data()[-1] is readable,
// text.data()[text.size()] is a space, followed by kPadding - 1 bytes; `tokens` has room
// for text.size() + 1 views (there is at most one token per byte, and one more is written
// but not counted).
size_t FindTokens(std::string_view text, bool preprocessed, std::string_view* tokens) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t count = 0;
  size_t start = 0;  // Where the token being scanned starts.
  size_t next = 0;   // Bytes before it are done (some bytes are handled with those before).
  auto view = [&text](size_t begin, size_t end) {
    return std::string_view(text.data() + begin, end - begin);
  };
  // Ends the token being scanned at `end`, if it has any bytes.
  auto end_token = [&](size_t end) {
    if (end > start) tokens[count++] = view(start, end);
  };
  // Visits only the bytes that may split, 64 bytes at a time: most bytes are letters and
  // digits, and a branch per byte is mispredicted at the end of every word.
  for (size_t base = 0;; base += 64) {
    for (uint64_t mask = MaybeSplitMask(p + base); mask != 0; mask &= mask - 1) {
      const size_t i = base + static_cast<size_t>(std::countr_zero(mask));
      if (i < next) continue;
      const unsigned char c = p[i];
      const ByteKind kind = kByteKinds[c];
      if (kind == ByteKind::kSpace || kind == ByteKind::kSpaced) {
        // The common cases, without branches, as which comes next is hard to predict: end
        // the token being scanned if it has bytes, then take c itself as a token if it is
        // punctuation. Stores that are not counted are overwritten.
        tokens[count] = view(start, i);
        count += i > start ? 1 : 0;
        tokens[count] = view(i, i + 1);
        count += kind == ByteKind::kSpaced ? 1 : 0;
        start = i + 1;
        if (i >= n) return count;  // The space after the text.
        continue;
      }
      // The character before p[i] in step 1's output is a digit iff p[i - 1] is: before
      // p[i] only a decoded entity differs from the text, and it ends in ';' and stands for
      // punctuation. (Before the text p[-1] is a space, like the padding.)
      // (Signed: at i == 0, p[i - 1] would add SIZE_MAX to p, which is undefined.)
      const bool previous_is_digit = IsDigit(p[static_cast<std::ptrdiff_t>(i) - 1]);
      switch (kind) {
        case ByteKind::kPlain:
        case ByteKind::kSpace:
        case ByteKind::kSpaced:
          break;  // Part of the token, or handled above.
        case ByteKind::kLessThan:
          // Looked for here, where '<' is, rather than in a pass of its own over every text.
          if (!preprocessed && StartsWith(text, i, "<skipped>")) return kNeedsPreprocess;
          end_token(i);
          tokens[count++] = view(i, i + 1);
          start = i + 1;
          break;
        case ByteKind::kEntity: {
          end_token(i);
          size_t length = 1;
          tokens[count++] = DecodeEntity(text, i, &length);
          next = i + length;
          start = next;
          break;
        }
        case ByteKind::kHyphen:
          if (!preprocessed && p[i + 1] == '\n') return kNeedsPreprocess;
          if (previous_is_digit) {
            end_token(i);
            tokens[count++] = view(i, i + 1);
            start = i + 1;
          }
          break;
        case ByteKind::kPeriodOrComma: {
          size_t j = i + 1;
          while (IsPeriodOrComma(p[j])) ++j;  // Stops at the space after the text at the latest.
          const size_t k = j - i;
          const bool left_digit = previous_is_digit;
          const bool right_digit = j < n && IsDigit(p[j]);
          const bool split_around =
              k == 1 ? (!left_digit || !right_digit)
                     : (!right_digit || ((!left_digit) == (k % 2 == 1)));
          if (k > 1 || split_around) {
            end_token(i);
            start = i;
          }
          if (k > 1) {  // All but the last are tokens of their own; the last may start one.
            for (; start + 1 < j; ++start) tokens[count++] = view(start, start + 1);
          }
          if (split_around) {
            end_token(j);
            start = j;
          }
          next = j;
          break;
        }
        case ByteKind::kSpaceLead: {
          const size_t space = PythonSpaceLength(text, i);
          if (space > 0) {
            end_token(i);
            next = i + space;
            start = next;
          }  // Else the rest of the character is kPlain.
          break;
        }
      }
    }
  }
}

// Calls done(tokens, count) with the tokens of `line`, as FindTokens gives them, after
// Tokenizer13a's first replacements, from a padded copy in thread-local memory: the views
// are valid during the call only.
template <typename Done>
void Tokenize(std::string_view line, Done&& done) {
  thread_local std::string a;
  thread_local std::string b;
  thread_local std::string padded;  // A space, the text, a space, then the rest of kPadding.
  thread_local std::vector<std::string_view> tokens;
  // Preprocess changes nothing unless FindTokens finds what it removes, which is rare.
  std::string_view text = line;
  size_t count = kNeedsPreprocess;
  for (bool preprocessed = false; count == kNeedsPreprocess; preprocessed = true) {
    if (preprocessed) text = Preprocess(line, &a, &b);
    if (padded.size() < 1 + text.size() + kPadding) padded.resize(1 + text.size() + kPadding);
    padded[0] = ' ';
    if (!text.empty()) std::memcpy(padded.data() + 1, text.data(), text.size());
    padded[1 + text.size()] = ' ';
    if (tokens.size() < text.size() + 1) tokens.resize(text.size() + 1);
    count = FindTokens(std::string_view(padded.data() + 1, text.size()), preprocessed,
                       tokens.data());
  }
  done(tokens.data(), count);
  // A long text's scratch (16 bytes per byte for the views) is not kept for later ones.
  if (tokens.size() > kKeepScratchBytes) {
    std::vector<std::string_view>().swap(tokens);
    std::string().swap(padded);
  }
}

}  // namespace

void AppendTokens13a(std::string_view line, TokenList* tokens) {
  tokens->FinishToken();
  Tokenize(line, [tokens](const std::string_view* found, size_t count) {
    for (size_t k = 0; k < count; ++k) tokens->Add(found[k]);
  });
}

void AppendTokenIds13a(std::string_view line, TokenInterner* interner,
                       std::vector<uint32_t>* ids) {
  Tokenize(line, [interner, ids](const std::string_view* found, size_t count) {
    const size_t old_size = ids->size();
    ids->resize(old_size + count);
    interner->InternPadded(found, count, ids->data() + old_size);
  });
}

std::string Tokenize13a(std::string_view line) {
  std::string joined;
  Tokenize(line, [&joined](const std::string_view* found, size_t count) {
    for (size_t k = 0; k < count; ++k) {
      if (k > 0) joined.push_back(' ');
      joined.append(found[k]);
    }
  });
  return joined;
}

}  // namespace llmtap::collector::text
