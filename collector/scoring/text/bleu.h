// Sentence-level BLEU, matching sacrebleu 2.4.3:
//   sacrebleu.sentence_bleu(hypothesis, references).score / 100
// to within 1e-9 (the arithmetic follows sacrebleu's operation order, so in practice bit for
// bit). Defaults reproduced: 13a tokenizer (tokenizer_13a.h) applied after str.rstrip(),
// case-sensitive, n-gram orders 1..4, smooth_method="exp", use_effective_order=True.
//
// With c_n matched n-grams (hypothesis counts clipped by the maximum count in any single
// reference), t_n hypothesis n-grams, h the hypothesis length and r the length of the
// reference closest to h (ties -> the shorter):
//   BP  = 1 if h >= r, else exp(1 - r / h) (0 if h == 0)
//   p_n = 100 c_n / t_n if c_n > 0, else 100 / (2^k t_n) for the k-th order with c_n == 0
//   N   = the largest n <= 4 such that t_1..t_n are all > 0 (effective order)
//   BLEU = BP * exp((log p_1 + ... + log p_N) / N) / 100, and 0 if every c_n is 0.
//
// Example: SentenceBleu("the cat sat on the mat", {"the cat sat on the mat"}) == 1.0.
//
// Thread-safety: safe to call concurrently (scratch memory is thread-local).
#ifndef LLMTAP_COLLECTOR_SCORING_TEXT_BLEU_H_
#define LLMTAP_COLLECTOR_SCORING_TEXT_BLEU_H_

#include <string>
#include <string_view>
#include <vector>

namespace llmtap::collector::text {

inline constexpr int kBleuMaxNgramOrder = 4;

// Returns BLEU in [0, 1]. With no references at all (sacrebleu raises) returns 0.
double SentenceBleu(std::string_view hypothesis, const std::vector<std::string>& references);

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_BLEU_H_
