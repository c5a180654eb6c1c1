// The tokenizer of rouge_score 0.1.2 (`rouge_score.tokenize.tokenize`, used by
// `RougeScorer`'s DefaultTokenizer), reproduced over UTF-8.
//
// The reference does: text.lower(); replace each run of characters outside [a-z0-9] by a
// space; split on whitespace; with a stemmer, stem tokens longer than 3 characters (NLTK
// Porter, see porter_stemmer.h); drop empty tokens. Because only [a-z0-9] survives, every
// non-ASCII character is a separator except the two whose Python lowercase is ASCII:
// U+0130 (capital I with dot, -> "i" + a combining dot, which then separates) and U+212A
// (Kelvin sign, -> "k").
//
// Example: "The Kelvin-scale's 2nd run" -> {"the", "kelvin", "scale", "s", "2nd", "run"}.
//
// Thread-safety: pure; safe to call concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_TEXT_ROUGE_TOKENIZER_H_
#define LLMTAP_COLLECTOR_SCORING_TEXT_ROUGE_TOKENIZER_H_

#include <string>
#include <string_view>
#include <vector>

#include "collector/scoring/text/token_list.h"

namespace llmtap::collector::text {

// Appends the tokens of `text` to `*tokens`, stemmed if `use_stemmer`.
void AppendRougeTokens(std::string_view text, bool use_stemmer, TokenList* tokens);

// Convenience form of AppendRougeTokens returning owning strings.
std::vector<std::string> RougeTokenize(std::string_view text, bool use_stemmer);

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_ROUGE_TOKENIZER_H_
