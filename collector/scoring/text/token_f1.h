// SQuAD answer normalisation, token F1 and exact match, matching the official SQuAD v1.1
// evaluation script (evaluate-v1.1.py: normalize_answer, f1_score, exact_match_score).
//
// SquadNormalize(s) is, in order: s.lower() (full Python Unicode lowercasing); remove every
// character of string.punctuation (ASCII !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~); replace each
// whole word "a", "an" or "the" (re.sub(r'\b(a|an|the)\b', ' ', ...) with Unicode \b) by a
// space; split on whitespace and join with single spaces.
//
// With P and G the normalised tokens of prediction and ground truth and
// common = sum over tokens w of min(count_P(w), count_G(w)):
//   TokenF1 = 0 if common == 0, else 2 * precision * recall / (precision + recall),
//   precision = common / |P|, recall = common / |G|.
// Two empty answers score F1 0 (as in v1.1; v2.0 would give 1) but are an exact match.
//
// Example: TokenF1("The Big Apple!", "big apple, NYC") == 0.8; ExactMatch("An apple.",
// "apple") is true.
//
// Thread-safety: safe to call concurrently (scratch memory is thread-local).
#ifndef LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_F1_H_
#define LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_F1_H_

#include <string>
#include <string_view>
#include <vector>

#include "collector/scoring/text/token_list.h"

namespace llmtap::collector::text {

// Returns normalize_answer(text); see above.
std::string SquadNormalize(std::string_view text);

// Appends the SQuAD-normalised tokens of `text` (lowercased words without punctuation or
// articles) to `*tokens`. For scorers that want simple word tokens.
void AppendSquadTokens(std::string_view text, TokenList* tokens);

// Returns SquadNormalize(text).split().
std::vector<std::string> Tokenize(std::string_view text);

// Returns f1_score(prediction, ground_truth) in [0, 1].
double TokenF1(std::string_view prediction, std::string_view ground_truth);

// Returns exact_match_score(prediction, ground_truth). Normalises both texts lazily and
// stops at the first differing token.
bool ExactMatch(std::string_view prediction, std::string_view ground_truth);

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_TOKEN_F1_H_
