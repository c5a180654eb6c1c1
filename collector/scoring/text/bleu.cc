#include "collector/scoring/text/bleu.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "collector/scoring/text/id_pair_table.h"
#include "collector/scoring/text/python_unicode.h"
#include "collector/scoring/text/token_interner.h"
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

// Text bytes per token, about, to size the interner: for the hypothesis and the reference
// it is given first, each token is room for a new one (see TokenInterner::InternPadded).
constexpr size_t kBytesPerToken = 4;

struct BleuScratch {
  TokenInterner interner;
  // Per token position (the hypothesis, then each reference): the id of the n-gram of the
  // current order that starts there. For n == 1 the token ids (from 0); for n >= 2 ids from
  // the pair table (from 1), or IdPairTable::kAbsent (0) for a hypothesis n-gram in no
  // reference, which matches nothing.
  std::vector<uint32_t> grams;
  std::vector<size_t> ends;  // End of the hypothesis and of each reference in grams.
  IdPairTable table;         // Gives n-gram ids for n >= 2.
  // Per n-gram id of the current order: the max count in one reference (as the hypothesis
  // is matched, the copies left), and the count in the reference being counted.
  std::vector<uint32_t> ref_counts;
  std::vector<uint32_t> one_ref;
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

// The number of n-grams in a text of `length` tokens.
size_t NgramCount(size_t length, size_t n) { return length >= n ? length - n + 1 : 0; }

// N-gram ids for n >= 2: the n-gram at position i is identified by the pair (a, b) of the
// ids of the (n-1)-grams at i and i + 1, which overlap in all but their first and last
// tokens. References insert; the hypothesis only looks up, as an n-gram in no reference
// cannot match. (A hypothesis (n-1)-gram not found makes every n-gram that contains it not
// found either, as references never have id kAbsent.)

// Turns the references' (n-1)-gram ids in s->grams into n-gram ids (for n == 1 they are
// already the token ids) and sets s->ref_counts[id] to the max count of n-gram `id` in one
// reference. Ids are below `id_limit`.
void CountReferenceGrams(size_t n, size_t id_limit, BleuScratch* s) {
  const std::vector<size_t>& ends = s->ends;
  uint32_t* const grams = s->grams.data();
  s->ref_counts.assign(id_limit, 0);
  uint32_t* const ref_counts = s->ref_counts.data();
  if (n > 1) s->table.Reset(ends.back() - ends[0]);
  const bool one_reference = ends.size() == 2;
  for (size_t r = 1; r < ends.size(); ++r) {
    const size_t begin = ends[r - 1];
    const size_t end = begin + NgramCount(ends[r] - begin, n);
    if (n > 1) s->table.InsertAdjacent(grams + begin, end - begin);
    // With one reference its counts are the max counts; otherwise count into one_ref.
    if (!one_reference) s->one_ref.assign(id_limit, 0);
    uint32_t* const counts = one_reference ? ref_counts : s->one_ref.data();
    for (size_t i = begin; i < end; ++i) ++counts[grams[i]];
    if (one_reference) break;
    for (size_t i = begin; i < end; ++i) {
      ref_counts[grams[i]] = std::max(ref_counts[grams[i]], counts[grams[i]]);
    }
  }
}

// Turns the hypothesis' (n-1)-gram ids into n-gram ids as above and returns the number
// matched: the sum over n-grams of min(hypothesis count, max count in one reference), as
// each hypothesis n-gram is matched while the references have copies left.
size_t MatchHypothesisGrams(size_t n, BleuScratch* s) {
  const size_t count = NgramCount(s->ends[0], n);
  uint32_t* const grams = s->grams.data();
  if (n > 1) s->table.FindAdjacent(grams, count);
  uint32_t* const ref_counts = s->ref_counts.data();
  size_t correct = 0;
  for (size_t i = 0; i < count; ++i) {
    // Without branches, as whether an n-gram matches is hard to predict. For n >= 2,
    // ref_counts[kAbsent] stays 0, as references only have ids from 1.
    const uint32_t gram = grams[i];
    const uint32_t left = ref_counts[gram];
    const uint32_t match = left > 0 ? 1 : 0;
    ref_counts[gram] = left - match;
    correct += match;
  }
  return correct;
}

double SentenceBleuImpl(std::string_view hypothesis, const std::vector<std::string>& references) {
  if (references.empty()) return 0.0;
  thread_local BleuScratch s;

  // Token ids of the hypothesis, then of each reference, all in s.grams.
  s.interner.Reset((hypothesis.size() + references[0].size()) / kBytesPerToken);
  s.grams.clear();
  s.ends.clear();
  AppendTokenIds13a(PythonRStrip(hypothesis), &s.interner, &s.grams);
  s.ends.push_back(s.grams.size());
  for (const std::string& reference : references) {
    AppendTokenIds13a(PythonRStrip(reference), &s.interner, &s.grams);
    s.ends.push_back(s.grams.size());
  }
  const size_t hyp_len = s.ends[0];

  // t_n, the number of hypothesis n-grams, is hyp_len - n + 1. Once no n-gram matches, no
  // longer one can, and c_n stays 0.
  std::array<size_t, kBleuMaxNgramOrder> correct = {0, 0, 0, 0};
  std::array<size_t, kBleuMaxNgramOrder> total = {0, 0, 0, 0};
  for (size_t n = 1; n <= kBleuMaxNgramOrder; ++n) total[n - 1] = NgramCount(hyp_len, n);
  for (size_t n = 1; n <= kBleuMaxNgramOrder; ++n) {
    // Token ids are below the number of distinct tokens; n-gram ids are at most the number
    // of reference n-grams.
    const size_t id_limit = n == 1 ? s.interner.size() : s.ends.back() - hyp_len + 1;
    CountReferenceGrams(n, id_limit, &s);
    correct[n - 1] = MatchHypothesisGrams(n, &s);
    if (correct[n - 1] == 0) break;
  }
  return ComputeBleu(correct, total, hyp_len, ClosestRefLen(s.ends)) / 100;
}

}  // namespace

double SentenceBleu(std::string_view hypothesis, const std::vector<std::string>& references) {
  return SentenceBleuImpl(hypothesis, references);
}

}  // namespace llmtap::collector::text
