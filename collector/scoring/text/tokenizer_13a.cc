#include "collector/scoring/text/tokenizer_13a.h"

#include <cstring>
#include <utility>

#include "collector/scoring/text/python_unicode.h"

// Implementation: the reference applies four regex substitutions one after another, then
// splits on whitespace. Each substitution matches exactly two characters, left to right and
// without overlap, which a streaming stage with one pending character reproduces exactly:
// on character c with pending p, a match (p, c) emits the replacement and clears p;
// otherwise p is emitted and c becomes pending. The stages are chained, so the line is
// scanned once with no intermediate strings.
//
// Working on bytes rather than code points is exact because every pattern's explicit
// characters are ASCII: a multi-byte character can only play the part of [^0-9], and only
// through its last byte (before '.' or ',') or its first byte (after them), with the other
// bytes passing through untouched.
//
// Python whitespace is mapped to ' ' on input. That too is exact: for the substitutions any
// whitespace character is just a non-digit that is not '.', ',' or '-', the first
// substitution only widens ' ' into three spaces (and a run of whitespace never takes part
// in a match between two of its own characters), and the final split treats all of them
// alike.

namespace llmtap::collector::text {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsPeriodOrComma(char c) { return c == '.' || c == ','; }

// The character class of TokenizerRegexp's first pattern:
// { | } ~, [ \ ] ^ _ `, space ! " # $ % &, ( ) * +, : ; < = > ? @, and /.
constexpr bool IsSpacedPunctuation(unsigned char b) {
  return (b >= 0x7B && b <= 0x7E) || (b >= 0x5B && b <= 0x60) || (b >= 0x20 && b <= 0x26) ||
         (b >= 0x28 && b <= 0x2B) || (b >= 0x3A && b <= 0x40) || b == '/';
}

// Final stage: split on ' ' into tokens.
class Splitter {
 public:
  explicit Splitter(TokenList* tokens) : tokens_(tokens) {}
  void Feed(char c) {
    if (c == ' ') {
      tokens_->FinishToken();
    } else {
      tokens_->Append(c);
    }
  }
  void Finish() { tokens_->FinishToken(); }

 private:
  TokenList* tokens_;
};

// ([0-9])(-) -> '\1 \2 '
class DigitHyphen {
 public:
  explicit DigitHyphen(Splitter* next) : next_(next) {}
  void Feed(char c) {
    if (has_pending_ && IsDigit(pending_) && c == '-') {
      next_->Feed(pending_);
      next_->Feed(' ');
      next_->Feed('-');
      next_->Feed(' ');
      has_pending_ = false;
      return;
    }
    if (has_pending_) next_->Feed(pending_);
    pending_ = c;
    has_pending_ = true;
  }
  void Finish() {
    if (has_pending_) next_->Feed(pending_);
    next_->Finish();
  }

 private:
  Splitter* next_;
  char pending_ = 0;
  bool has_pending_ = false;
};

// ([\.,])([^0-9]) -> ' \1 \2'
class PunctuationBeforeNonDigit {
 public:
  explicit PunctuationBeforeNonDigit(DigitHyphen* next) : next_(next) {}
  void Feed(char c) {
    if (has_pending_ && IsPeriodOrComma(pending_) && !IsDigit(c)) {
      next_->Feed(' ');
      next_->Feed(pending_);
      next_->Feed(' ');
      next_->Feed(c);
      has_pending_ = false;
      return;
    }
    if (has_pending_) next_->Feed(pending_);
    pending_ = c;
    has_pending_ = true;
  }
  void Finish() {
    if (has_pending_) next_->Feed(pending_);
    next_->Finish();
  }

 private:
  DigitHyphen* next_;
  char pending_ = 0;
  bool has_pending_ = false;
};

// ([^0-9])([\.,]) -> '\1 \2 '
class NonDigitBeforePunctuation {
 public:
  explicit NonDigitBeforePunctuation(PunctuationBeforeNonDigit* next) : next_(next) {}
  void Feed(char c) {
    if (has_pending_ && !IsDigit(pending_) && IsPeriodOrComma(c)) {
      next_->Feed(pending_);
      next_->Feed(' ');
      next_->Feed(c);
      next_->Feed(' ');
      has_pending_ = false;
      return;
    }
    if (has_pending_) next_->Feed(pending_);
    pending_ = c;
    has_pending_ = true;
  }
  void Finish() {
    if (has_pending_) next_->Feed(pending_);
    next_->Finish();
  }

 private:
  PunctuationBeforeNonDigit* next_;
  char pending_ = 0;
  bool has_pending_ = false;
};

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

// Tokenizer13a.__call__'s replacements, done only when one could apply. Returns the line
// to tokenize: `line` itself or `*a`.
std::string_view Preprocess(std::string_view line, std::string* a, std::string* b) {
  const bool has_angle = line.find('<') != std::string_view::npos;
  const bool has_newline = line.find('\n') != std::string_view::npos;
  const bool has_ampersand = line.find('&') != std::string_view::npos;
  if (!has_angle && !has_newline && !has_ampersand) return line;
  a->assign(line);
  ReplaceAll(a, "<skipped>", "", b);
  ReplaceAll(a, "-\n", "", b);
  ReplaceAll(a, "\n", " ", b);
  if (a->find('&') != std::string::npos) {
    ReplaceAll(a, "&quot;", "\"", b);
    ReplaceAll(a, "&amp;", "&", b);
    ReplaceAll(a, "&lt;", "<", b);
    ReplaceAll(a, "&gt;", ">", b);
  }
  return *a;
}

void Tokenize(std::string_view line, TokenList* tokens) {
  thread_local std::string a;
  thread_local std::string b;
  const std::string_view text = Preprocess(line, &a, &b);

  Splitter splitter(tokens);
  DigitHyphen digit_hyphen(&splitter);
  PunctuationBeforeNonDigit punctuation_before(&digit_hyphen);
  NonDigitBeforePunctuation non_digit_before(&punctuation_before);
  // f' {line} ' and ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> ' \1 '.
  auto feed = [&](char c) {
    if (IsSpacedPunctuation(static_cast<unsigned char>(c))) {
      non_digit_before.Feed(' ');
      non_digit_before.Feed(c);
      non_digit_before.Feed(' ');
    } else {
      non_digit_before.Feed(c);
    }
  };
  feed(' ');
  for (size_t pos = 0; pos < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[pos]);
    if (c < 0x80) {
      feed(IsPythonAsciiSpace(c) ? ' ' : static_cast<char>(c));
      ++pos;
      continue;
    }
    const size_t space = PythonSpaceLength(text, pos);
    if (space > 0) {
      feed(' ');
      pos += space;
    } else {
      feed(static_cast<char>(c));
      ++pos;
    }
  }
  feed(' ');
  non_digit_before.Finish();
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
