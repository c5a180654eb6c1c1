#include "collector/scoring/scorers/text_util.h"

#include <algorithm>
#include <array>

#include "collector/common/strings.h"
#include "collector/scoring/text/python_unicode.h"

namespace llmtap::collector {
namespace {

// NLTK english stop words (179) minus the forms with an apostrophe. Sorted for binary search.
constexpr auto kStopWords = std::to_array<std::string_view>({
    "a",          "about",   "above",   "after",      "again", "against", "ain",       "all",
    "am",         "an",      "and",     "any",        "are",   "aren",    "as",        "at",
    "be",         "because", "been",    "before",     "being", "below",   "between",   "both",
    "but",        "by",      "can",     "couldn",     "d",     "did",     "didn",      "do",
    "does",       "doesn",   "doing",   "don",        "down",  "during",  "each",      "few",
    "for",        "from",    "further", "had",        "hadn",  "has",     "hasn",      "have",
    "haven",      "having",  "he",      "her",        "here",  "hers",    "herself",   "him",
    "himself",    "his",     "how",     "i",          "if",    "in",      "into",      "is",
    "isn",        "it",      "its",     "itself",     "just",  "ll",      "m",         "ma",
    "me",         "mightn",  "more",    "most",       "mustn", "my",      "myself",    "needn",
    "no",         "nor",     "not",     "now",        "o",     "of",      "off",       "on",
    "once",       "only",    "or",      "other",      "our",   "ours",    "ourselves", "out",
    "over",       "own",     "re",      "s",          "same",  "shan",    "she",       "should",
    "shouldn",    "so",      "some",    "such",       "t",     "than",    "that",      "the",
    "their",      "theirs",  "them",    "themselves", "then",  "there",   "these",     "they",
    "this",       "those",   "through", "to",         "too",   "under",   "until",     "up",
    "ve",         "very",    "was",     "wasn",       "we",    "were",    "weren",     "what",
    "when",       "where",   "which",   "while",      "who",   "whom",    "why",       "will",
    "with",       "won",     "wouldn",  "y",          "you",   "your",    "yours",     "yourself",
    "yourselves",
});

}  // namespace

absl::Status RubricFieldError(const v1::Rubric& rubric, std::string_view field,
                              std::string_view message) {
  return absl::InvalidArgumentError(Cat("rubric '", rubric.name(), "': ", field, ": ", message));
}

absl::Status CheckParamsCase(const v1::Rubric& rubric, v1::Rubric::ParamsCase expected,
                             std::string_view field) {
  if (rubric.params_case() == v1::Rubric::PARAMS_NOT_SET || rubric.params_case() == expected) {
    return absl::OkStatus();
  }
  const auto* descriptor = v1::Rubric::descriptor()->FindFieldByNumber(rubric.params_case());
  return RubricFieldError(
      rubric, field,
      Cat("expected params '", field, "' for kind ", v1::RubricKind_Name(rubric.kind()), ", got '",
          descriptor != nullptr ? descriptor->name() : std::string("?"), "'"));
}

absl::Status RequireReference(const v1::Sample& sample) {
  if (sample.reference().empty()) {
    return absl::FailedPreconditionError("sample has no reference");
  }
  return absl::OkStatus();
}

void AppendWordTokens(std::string_view text, std::vector<std::string>* out) {
  std::string lower;
  lower.reserve(text.size());
  text::AppendPythonLower(text, &lower);
  const std::string_view view = lower;
  size_t pos = 0;
  size_t start = 0;
  bool in_word = false;
  while (pos < view.size()) {
    const text::Utf8Char c = text::DecodeUtf8(view, pos);
    const bool word = c.valid && text::IsPythonWordChar(c.code_point);
    if (word && !in_word) start = pos;
    if (!word && in_word) out->emplace_back(view.substr(start, pos - start));
    in_word = word;
    pos += c.length;
  }
  if (in_word) out->emplace_back(view.substr(start));
}

std::vector<std::string> WordTokens(std::string_view text) {
  std::vector<std::string> out;
  AppendWordTokens(text, &out);
  return out;
}

bool IsStopWord(std::string_view word) {
  return std::binary_search(kStopWords.begin(), kStopWords.end(), word);
}

std::vector<std::string> ContentTokens(std::string_view text) {
  std::vector<std::string> words = WordTokens(text);
  std::erase_if(words, [](const std::string& w) { return IsStopWord(w); });
  return words;
}

std::string Excerpt(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return Cat(text.substr(0, end), "...");
}

}  // namespace llmtap::collector
