#include "collector/scoring/text/bleu.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "collector/scoring/text/id_pair_table.h"
#include "collector/scoring/text/python_unicode.h"
#include "collector/scoring/text/token_interner.h"
#include "collector/scoring/text/token_list.h"
#include "collector/scoring/text/tokenizer_13a.h"

namespace llmtap::collector::text {
namespace {

// sacrebleu's my_log: log floored at -9999999999 for 0.
double MyLog(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }

// BLEU.compute_bleu with smooth_method="exp", effective_order=True, on a 0..100 scale.
double ComputeBleu(const std::array<size_t, kBleuMaxNgramOrder>& correct,
                   const std::array<size_t, kBleuMaxNgramOrder>& total, size_t sys_len,
                   size_t ref_len) {
  double bp = 1.0;
  if (sys_len < ref_len) {
    bp = sys_len > 0
             ? std::exp(1 - static_cast<double>(ref_len) / static_cast<double>(sys_len))
             : 0.0;
  }
  if (std::all_of(correct.begin(), correct.end(), [](size_t c) { return c == 0; })) {
    return 0.0;
  }
  std::array<double, kBleuMaxNgramOrder> precisions = {0, 0, 0, 0};
  double smooth_mteval = 1.0;
  int eff_order = kBleuMaxNgramOrder;
  for (int n = 1; n <= kBleuMaxNgramOrder; ++n) {
    if (total[n - 1] == 0) break;
    eff_order = n;
    if (correct[n - 1] == 0) {
      smooth_mteval *= 2;
      precisions[n - 1] = 100. / (smooth_mteval * static_cast<double>(total[n - 1]));
    } else {
      precisions[n - 1] =
          100. * static_cast<double>(correct[n - 1]) / static_cast<double>(total[n - 1]);
    }
  }
  double sum = 0.0;
  for (int n = 0; n < eff_order; ++n) sum += MyLog(precisions[n]);
  return bp * std::exp(sum / eff_order);
}

// An n-gram id that matches nothing: a position too close to the end of its text to start
// an n-gram of the current order, or an n-gram that cannot occur on both sides.
constexpr uint32_t kNoGram = 0;

struct BleuScratch {
  TokenList tokens;
  TokenInterner interner;
  // Per token position (the hypothesis, then each reference): the id of the n-gram of the
  // current order that starts there, or kNoGram. Real ids start at 1.
  std::vector<uint32_t> grams;
  std::vector<size_t> ends;  // End of the hypothesis and of each reference in grams.
  IdPairTable table;         // Gives n-gram ids for n >= 2.
  // Per n-gram id of the current order: the max count in one reference (as the hypothesis
  // is matched, the copies left), and the count in the reference being counted.
  std::vector<uint32_t> ref_counts;
  std::vector<uint32_t> one_ref;
  // Per n-gram id of the previous and of the current order: 1 if it occurs both in the
  // hypothesis and in a reference, else 0. (uint32_t, not uint8_t: stores through a
  // character type could alias everything, which would make the loops reload all state.)
  std::vector<uint32_t> shared;
  std::vector<uint32_t> next_shared;
};

// _get_closest_ref_len: smallest |hyp - ref|, ties to the shorter reference.
size_t ClosestRefLen(const std::vector<size_t>& ends) {
  const size_t hyp_len = ends[0];
  size_t ref_len = 0;
  size_t closest_diff = 0;
  for (size_t r = 1; r < ends.size(); ++r) {
    const size_t len = ends[r] - ends[r - 1];
    const size_t diff = len > hyp_len ? len - hyp_len : hyp_len - len;
    if (r == 1 || diff < closest_diff || (diff == closest_diff && len < ref_len)) {
      closest_diff = diff;
      ref_len = len;
    }
  }
  return ref_len;
}

// N-gram ids for n >= 2. The n-gram at position i is identified by the pair (a, b) of the
// ids of the (n-1)-grams at i and i + 1, which overlap in all but their first and last
// tokens. References insert; the hypothesis only looks up, as an n-gram in no reference
// cannot match. An n-gram can occur in both the hypothesis and a reference only if a and b
// both do (`shared`), so references insert only those, and other n-grams get kNoGram.
uint32_t ReferenceGramId(uint32_t a, uint32_t b, const uint32_t* shared, IdPairTable* table) {
  return (shared[a] & shared[b]) != 0 ? table->Insert(a, b) + 1 : kNoGram;
}
// No test of `shared` here: such a pair is not in the table, and testing is slower than
// looking up.
uint32_t HypothesisGramId(uint32_t a, uint32_t b, const IdPairTable& table) {
  const uint32_t id = table.Find(a, b);
  return id == IdPairTable::kAbsent ? kNoGram : id + 1;
}

// Turns the references' (n-1)-gram ids in s->grams into n-gram ids (for n == 1 they are
// already the token ids) and sets s->ref_counts[id] to the max count of n-gram `id` in one
// reference. `max_id` bounds the ids.
void CountReferenceGrams(size_t n, size_t max_id, BleuScratch* s) {
  const std::vector<size_t>& ends = s->ends;
  uint32_t* const grams = s->grams.data();
  const uint32_t* const shared = s->shared.data();
  s->ref_counts.assign(max_id + 1, 0);
  uint32_t* const ref_counts = s->ref_counts.data();
  if (n > 1) s->table.Reset(ends.back() - ends[0]);
  const bool one_reference = ends.size() == 2;
  for (size_t r = 1; r < ends.size(); ++r) {
    // With one reference its counts are the max counts; otherwise count into one_ref.
    if (!one_reference) s->one_ref.assign(max_id + 1, 0);
    uint32_t* const counts = one_reference ? ref_counts : s->one_ref.data();
    for (size_t i = ends[r - 1]; i + n <= ends[r]; ++i) {
      if (n > 1) grams[i] = ReferenceGramId(grams[i], grams[i + 1], shared, &s->table);
      ++counts[grams[i]];
    }
    if (one_reference) break;
    for (size_t i = ends[r - 1]; i + n <= ends[r]; ++i) {
      ref_counts[grams[i]] = std::max(ref_counts[grams[i]], counts[grams[i]]);
    }
  }
  ref_counts[kNoGram] = 0;  // Pruned positions match nothing.
}

// Turns the hypothesis' (n-1)-gram ids into n-gram ids as above and returns the number
// matched: the sum over n-grams of min(hypothesis count, max count in one reference), as
// each hypothesis n-gram is matched while the references have copies left. Marks the ids
// that occur on both sides in s->next_shared, sized like s->ref_counts.
size_t MatchHypothesisGrams(size_t n, BleuScratch* s) {
  const size_t hyp_len = s->ends[0];
  uint32_t* const grams = s->grams.data();
  uint32_t* const ref_counts = s->ref_counts.data();
  s->next_shared.assign(s->ref_counts.size(), 0);
  uint32_t* const next_shared = s->next_shared.data();
  size_t correct = 0;
  for (size_t i = 0; i + n <= hyp_len; ++i) {
    if (n > 1) grams[i] = HypothesisGramId(grams[i], grams[i + 1], s->table);
    // Without branches, as whether an n-gram matches is hard to predict.
    const uint32_t gram = grams[i];
    const uint32_t left = ref_counts[gram];
    const uint32_t match = left > 0 ? 1 : 0;
    ref_counts[gram] = left - match;
    correct += match;
    next_shared[gram] |= match;  // The first occurrence of a shared n-gram always matches.
  }
  return correct;
}

double SentenceBleuImpl(std::string_view hypothesis, const std::vector<std::string>& references) {
  if (references.empty()) return 0.0;
  thread_local BleuScratch s;

  // Tokenize everything into one TokenList so the interner's views stay valid.
  s.tokens.Clear();
  s.ends.clear();
  AppendTokens13a(PythonRStrip(hypothesis), &s.tokens);
  s.ends.push_back(s.tokens.size());
  for (const std::string& reference : references) {
    AppendTokens13a(PythonRStrip(reference), &s.tokens);
    s.ends.push_back(s.tokens.size());
  }
  s.interner.Reset(s.tokens.size());
  s.grams.resize(s.tokens.size());
  for (size_t i = 0; i < s.tokens.size(); ++i) s.grams[i] = s.interner.Intern(s.tokens[i]) + 1;
  const size_t hyp_len = s.ends[0];

  // t_n, the number of hypothesis n-grams, is hyp_len - n + 1. Once no n-gram matches, no
  // longer one can, and c_n stays 0.
  std::array<size_t, kBleuMaxNgramOrder> correct = {0, 0, 0, 0};
  std::array<size_t, kBleuMaxNgramOrder> total = {0, 0, 0, 0};
  for (size_t n = 1; n <= kBleuMaxNgramOrder && n <= hyp_len; ++n) total[n - 1] = hyp_len - n + 1;
  for (size_t n = 1; n <= kBleuMaxNgramOrder; ++n) {
    // Token ids are at most the number of distinct tokens; n-gram ids at most the number of
    // reference n-grams.
    const size_t max_id = n == 1 ? s.interner.size() : s.ends.back() - hyp_len;
    CountReferenceGrams(n, max_id, &s);
    correct[n - 1] = MatchHypothesisGrams(n, &s);
    if (correct[n - 1] == 0) break;
    s.shared.swap(s.next_shared);
  }
  return ComputeBleu(correct, total, hyp_len, ClosestRefLen(s.ends)) / 100;
}

}  // namespace

double SentenceBleu(std::string_view hypothesis, const std::vector<std::string>& references) {
  return SentenceBleuImpl(hypothesis, references);
}

}  // namespace llmtap::collector::text
