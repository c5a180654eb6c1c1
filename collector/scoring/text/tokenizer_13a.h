// sacrebleu's default "13a" tokenizer (sacrebleu 2.4.3 `Tokenizer13a`, equivalent to
// mteval-v13a.pl as used by WMT), reproduced over UTF-8 without regular expressions.
//
// In order, as the reference does:
//   1. remove "<skipped>"; remove "-\n"; replace "\n" by " ";
//   2. if the line contains '&': "&quot;" -> '"', then "&amp;" -> '&', then "&lt;" -> '<',
//      then "&gt;" -> '>' (one pass each, so "&amp;lt;" becomes "<");
//   3. pad with a space on each side, then apply TokenizerRegexp's four substitutions:
//        ([\{-\~\[-\` -\&\(-\+\:-\@\/])  -> " \1 "   (ASCII punctuation except ' , - .)
//        ([^0-9])([\.,])                 -> "\1 \2 "
//        ([\.,])([^0-9])                 -> " \1 \2"
//        ([0-9])(-)                      -> "\1 \2 "
//   4. split on Python whitespace (str.split()) and join with single spaces.
// Non-ASCII characters pass through untouched (they only ever match [^0-9]).
//
// Example: Tokenize13a("Hello, world! It's 3.5-4 &amp; more.")
//   == "Hello , world ! It's 3.5 - 4 & more ."
//
// Thread-safety: safe to call concurrently (scratch memory is thread-local).
#ifndef LLMTAP_COLLECTOR_SCORING_TEXT_TOKENIZER_13A_H_
#define LLMTAP_COLLECTOR_SCORING_TEXT_TOKENIZER_13A_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/scoring/text/token_interner.h"
#include "collector/scoring/text/token_list.h"

namespace llmtap::collector::text {

// Appends the tokens of `line` to `*tokens`.
void AppendTokens13a(std::string_view line, TokenList* tokens);

// Interns the tokens of `line` (those AppendTokens13a gives) in order and appends their ids
// to `*ids`, without building the tokens as strings: each is a view of one copy of the
// line, interned in one batch (TokenInterner::InternPadded).
void AppendTokenIds13a(std::string_view line, TokenInterner* interner,
                       std::vector<uint32_t>* ids);

// Returns what `sacrebleu.tokenizers.tokenizer_13a.Tokenizer13a()(line)` returns.
std::string Tokenize13a(std::string_view line);

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_TOKENIZER_13A_H_
