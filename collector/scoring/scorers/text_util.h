// Helpers shared by the built-in scorers: rubric field errors, required sample fields, word
// tokens and the stop-word list.
//
// Thread-safety: all functions are pure and safe to call concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_SCORERS_TEXT_UTIL_H_
#define LLMTAP_COLLECTOR_SCORING_SCORERS_TEXT_UTIL_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "llmtap/v1/rubric.pb.h"
#include "llmtap/v1/sample.pb.h"

namespace llmtap::collector {

// INVALID_ARGUMENT "rubric '<name>': <field>: <message>", the form every factory error takes.
absl::Status RubricFieldError(const v1::Rubric& rubric, std::string_view field,
                              std::string_view message);

// OK when the rubric's params are of case `expected` or not set at all; otherwise
// INVALID_ARGUMENT naming `field` (e.g. "regex") and the case that was set.
absl::Status CheckParamsCase(const v1::Rubric& rubric, v1::Rubric::ParamsCase expected,
                             std::string_view field);

// FAILED_PRECONDITION "sample has no reference" when sample.reference is empty.
absl::Status RequireReference(const v1::Sample& sample);

// Appends the word tokens of `text` to `*out`: re.findall(r"\w+", text.lower()) in Python,
// i.e. maximal runs of Unicode word characters (letters, digits, '_') after full Unicode
// lowercasing. "Don't panic!" -> ["don", "t", "panic"].
void AppendWordTokens(std::string_view text, std::vector<std::string>* out);
std::vector<std::string> WordTokens(std::string_view text);

// True for a word of the English stop-word list (NLTK's, without the apostrophe forms, which
// word tokens never produce): "the", "is", "of", "t", "don", ...
bool IsStopWord(std::string_view word);

// The word tokens of `text` that are not stop words, in order.
std::vector<std::string> ContentTokens(std::string_view text);

// `text` cut to at most `max_bytes` (at a UTF-8 boundary) with "..." appended when cut, for
// quoting in reasoning.
std::string Excerpt(std::string_view text, size_t max_bytes);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_SCORING_SCORERS_TEXT_UTIL_H_
