#include "collector/scoring/text/token_f1.h"

#include <algorithm>
#include <cstdint>

#include "collector/scoring/text/python_unicode.h"
#include "collector/scoring/text/token_interner.h"

namespace llmtap::collector::text {
namespace {

// string.punctuation.
bool IsAsciiPunctuation(char c) {
  const unsigned char b = static_cast<unsigned char>(c);
  return (b >= 0x21 && b <= 0x2F) || (b >= 0x3A && b <= 0x40) || (b >= 0x5B && b <= 0x60) ||
         (b >= 0x7B && b <= 0x7E);
}

bool IsArticle(std::string_view word) { return word == "a" || word == "an" || word == "the"; }

// Writes the normalised text, words separated by single spaces, to `*out`, using
// `*scratch`.
void Normalize(std::string_view text, std::string* out, std::string* scratch) {
  // lower(), then remove_punc(). Punctuation is ASCII and lower() maps no non-ASCII
  // character onto it, so filtering the lowered bytes is exact.
  scratch->clear();
  AppendPythonLower(text, scratch);
  scratch->erase(std::remove_if(scratch->begin(), scratch->end(), IsAsciiPunctuation),
                 scratch->end());

  // remove_articles(): a match of \b(a|an|the)\b is exactly a maximal run of \w characters
  // equal to one of the articles, since a, n, t, h and e are themselves \w.
  out->clear();
  const std::string_view s = *scratch;
  for (size_t pos = 0; pos < s.size();) {
    const Utf8Char c = DecodeUtf8(s, pos);
    if (!c.valid || !IsPythonWordChar(c.code_point)) {
      out->append(s.substr(pos, c.length));
      pos += c.length;
      continue;
    }
    size_t end = pos + c.length;
    while (end < s.size()) {
      const Utf8Char next = DecodeUtf8(s, end);
      if (!next.valid || !IsPythonWordChar(next.code_point)) break;
      end += next.length;
    }
    const std::string_view word = s.substr(pos, end - pos);
    if (IsArticle(word)) {
      out->push_back(' ');
    } else {
      out->append(word);
    }
    pos = end;
  }

  // white_space_fix().
  scratch->clear();
  ForEachPythonSplit(*out, [&](std::string_view token) {
    if (!scratch->empty()) scratch->push_back(' ');
    scratch->append(token);
  });
  std::swap(*out, *scratch);
}

struct F1Scratch {
  std::string normalized;
  std::string other_normalized;
  std::string scratch;
  TokenList prediction;
  TokenList ground_truth;
  TokenInterner interner;
  std::vector<uint32_t> counts;
};

F1Scratch& Scratch() {
  thread_local F1Scratch s;
  return s;
}

// Normalised tokens are separated by exactly one space.
void AddSpaceSeparated(std::string_view normalized, TokenList* tokens) {
  size_t start = 0;
  while (start < normalized.size()) {
    size_t end = normalized.find(' ', start);
    if (end == std::string_view::npos) end = normalized.size();
    tokens->Add(normalized.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace

std::string SquadNormalize(std::string_view text) {
  std::string out;
  std::string scratch;
  Normalize(text, &out, &scratch);
  return out;
}

void AppendSquadTokens(std::string_view text, TokenList* tokens) {
  F1Scratch& s = Scratch();
  Normalize(text, &s.normalized, &s.scratch);
  AddSpaceSeparated(s.normalized, tokens);
}

std::vector<std::string> Tokenize(std::string_view text) {
  TokenList tokens;
  AppendSquadTokens(text, &tokens);
  return tokens.ToVector();
}

double TokenF1(std::string_view prediction, std::string_view ground_truth) {
  F1Scratch& s = Scratch();
  s.prediction.Clear();
  s.ground_truth.Clear();
  AppendSquadTokens(prediction, &s.prediction);
  AppendSquadTokens(ground_truth, &s.ground_truth);
  if (s.prediction.empty() || s.ground_truth.empty()) return 0.0;

  // Counter(prediction) & Counter(ground_truth), summed.
  s.interner.Reset(s.prediction.size() + s.ground_truth.size());
  s.counts.clear();
  for (size_t i = 0; i < s.ground_truth.size(); ++i) {
    const uint32_t id = s.interner.Intern(s.ground_truth[i]);
    if (id >= s.counts.size()) s.counts.resize(id + 1, 0);
    ++s.counts[id];
  }
  size_t num_same = 0;
  for (size_t i = 0; i < s.prediction.size(); ++i) {
    const uint32_t id = s.interner.Intern(s.prediction[i]);
    if (id < s.counts.size() && s.counts[id] > 0) {
      --s.counts[id];
      ++num_same;
    }
  }
  if (num_same == 0) return 0.0;
  const double precision =
      1.0 * static_cast<double>(num_same) / static_cast<double>(s.prediction.size());
  const double recall =
      1.0 * static_cast<double>(num_same) / static_cast<double>(s.ground_truth.size());
  return (2 * precision * recall) / (precision + recall);
}

bool ExactMatch(std::string_view prediction, std::string_view ground_truth) {
  F1Scratch& s = Scratch();
  Normalize(prediction, &s.normalized, &s.scratch);
  Normalize(ground_truth, &s.other_normalized, &s.scratch);
  return s.normalized == s.other_normalized;
}

}  // namespace llmtap::collector::text
