#include "collector/scoring/text/tokenizer_13a.h"

#include <utility>

#include "collector/scoring/text/python_unicode.h"

namespace llmtap::collector::text {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The character class of TokenizerRegexp's first pattern:
// { | } ~, [ \ ] ^ _ `, space ! " # $ % &, ( ) * +, : ; < = > ? @, and /.
bool IsSpacedPunctuation(char c) {
  const unsigned char b = static_cast<unsigned char>(c);
  return (b >= 0x7B && b <= 0x7E) || (b >= 0x5B && b <= 0x60) || (b >= 0x20 && b <= 0x26) ||
         (b >= 0x28 && b <= 0x2B) || (b >= 0x3A && b <= 0x40) || b == '/';
}

bool IsPeriodOrComma(char c) { return c == '.' || c == ','; }

// Python's str.replace(from, to): all non-overlapping occurrences, left to right.
void ReplaceAll(const std::string& in, std::string_view from, std::string_view to,
                std::string* out) {
  out->clear();
  size_t start = 0;
  for (size_t hit = in.find(from); hit != std::string::npos; hit = in.find(from, start)) {
    out->append(in, start, hit - start);
    out->append(to);
    start = hit + from.size();
  }
  out->append(in, start, std::string::npos);
}

// Applies ReplaceAll to `*text` in place if `from` occurs, using `*scratch`.
void Replace(std::string* text, std::string_view from, std::string_view to,
             std::string* scratch) {
  if (text->find(from) == std::string::npos) return;
  ReplaceAll(*text, from, to, scratch);
  std::swap(*text, *scratch);
}

// Leaves the tokenized (not yet split) line in `*a`; `*b` is scratch.
void Tokenize(std::string_view line, std::string* a, std::string* b) {
  a->assign(line);
  Replace(a, "<skipped>", "", b);
  Replace(a, "-\n", "", b);
  Replace(a, "\n", " ", b);
  if (a->find('&') != std::string::npos) {
    Replace(a, "&quot;", "\"", b);
    Replace(a, "&amp;", "&", b);
    Replace(a, "&lt;", "<", b);
    Replace(a, "&gt;", ">", b);
  }

  // f' {line} ', then ([\{-\~\[-\` -\&\(-\+\:-\@\/]) -> ' \1 ' (the pad spaces match too).
  b->assign("   ");
  for (char c : *a) {
    if (IsSpacedPunctuation(c)) {
      b->push_back(' ');
      b->push_back(c);
      b->push_back(' ');
    } else {
      b->push_back(c);
    }
  }
  b->append("   ");

  // ([^0-9])([\.,]) -> '\1 \2 '
  a->clear();
  for (size_t i = 0; i < b->size();) {
    const char c = (*b)[i];
    if (i + 1 < b->size() && !IsDigit(c) && IsPeriodOrComma((*b)[i + 1])) {
      a->push_back(c);
      a->push_back(' ');
      a->push_back((*b)[i + 1]);
      a->push_back(' ');
      i += 2;
    } else {
      a->push_back(c);
      ++i;
    }
  }

  // ([\.,])([^0-9]) -> ' \1 \2'
  b->clear();
  for (size_t i = 0; i < a->size();) {
    const char c = (*a)[i];
    if (i + 1 < a->size() && IsPeriodOrComma(c) && !IsDigit((*a)[i + 1])) {
      b->push_back(' ');
      b->push_back(c);
      b->push_back(' ');
      b->push_back((*a)[i + 1]);
      i += 2;
    } else {
      b->push_back(c);
      ++i;
    }
  }

  // ([0-9])(-) -> '\1 \2 '
  a->clear();
  for (size_t i = 0; i < b->size();) {
    const char c = (*b)[i];
    if (i + 1 < b->size() && IsDigit(c) && (*b)[i + 1] == '-') {
      a->push_back(c);
      a->push_back(' ');
      a->push_back('-');
      a->push_back(' ');
      i += 2;
    } else {
      a->push_back(c);
      ++i;
    }
  }
}

struct Buffers {
  std::string a;
  std::string b;
};

Buffers& ThreadBuffers() {
  thread_local Buffers buffers;
  return buffers;
}

}  // namespace

void AppendTokens13a(std::string_view line, TokenList* tokens) {
  Buffers& buffers = ThreadBuffers();
  Tokenize(line, &buffers.a, &buffers.b);
  ForEachPythonSplit(buffers.a, [&](std::string_view token) { tokens->Add(token); });
}

std::string Tokenize13a(std::string_view line) {
  Buffers& buffers = ThreadBuffers();
  Tokenize(line, &buffers.a, &buffers.b);
  std::string joined;
  ForEachPythonSplit(buffers.a, [&](std::string_view token) {
    if (!joined.empty()) joined.push_back(' ');
    joined.append(token);
  });
  return joined;
}

}  // namespace llmtap::collector::text
