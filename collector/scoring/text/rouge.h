// ROUGE-L F-measure, matching rouge_score 0.1.2:
//   RougeScorer(["rougeL"], use_stemmer=...).score(target, prediction)["rougeL"].fmeasure
// to within 1e-9 (in practice bit for bit).
//
// With T and P the token sequences of `target` and `prediction` (rouge_tokenizer.h) and
// L = |LCS(T, P)|:
//   precision = L / |P|,  recall = L / |T|,
//   F = 2 * precision * recall / (precision + recall), or 0 if precision + recall == 0.
// F is 0 when either sequence is empty (so two empty texts score 0, as in rouge_score).
//
// Example: RougeLF1("the cat sat on the mat", "the cat on the mat", false) == 10.0 / 11.
//
// Thread-safety: safe to call concurrently (scratch memory is thread-local).
#ifndef LLMTAP_COLLECTOR_SCORING_TEXT_ROUGE_H_
#define LLMTAP_COLLECTOR_SCORING_TEXT_ROUGE_H_

#include <string_view>

namespace llmtap::collector::text {

// Returns the ROUGE-L F-measure in [0, 1]. Time O(|T| |P| / 64) for typical lengths, see
// LcsLength.
double RougeLF1(std::string_view target, std::string_view prediction, bool use_stemmer);

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_ROUGE_H_
