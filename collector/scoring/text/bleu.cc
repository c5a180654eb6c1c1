#include "collector/scoring/text/bleu.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "collector/scoring/text/python_unicode.h"
#include "collector/scoring/text/token_interner.h"
#include "collector/scoring/text/token_list.h"
#include "collector/scoring/text/tokenizer_13a.h"

namespace llmtap::collector::text {
namespace {

// An n-gram of token ids, n <= 4, packed for fast comparison. Only n-grams of the same
// order are ever compared, so unused positions can stay 0.
struct Ngram {
  uint64_t high;
  uint64_t low;
  friend bool operator==(const Ngram&, const Ngram&) = default;
  friend bool operator<(const Ngram& x, const Ngram& y) {
    return x.high != y.high ? x.high < y.high : x.low < y.low;
  }
};

using SortedNgrams = std::array<std::vector<Ngram>, kBleuMaxNgramOrder>;

// Fills `(*out)[n - 1]` with the sorted n-grams of `ids`, for n = 1..4.
void SortedNgramsOf(std::span<const uint32_t> ids, SortedNgrams* out) {
  for (int n = 1; n <= kBleuMaxNgramOrder; ++n) {
    std::vector<Ngram>& grams = (*out)[n - 1];
    grams.clear();
    for (size_t i = 0; i + n <= ids.size(); ++i) {
      uint32_t g[4] = {0, 0, 0, 0};
      for (int k = 0; k < n; ++k) g[k] = ids[i + k];
      grams.push_back({(uint64_t{g[0]} << 32) | g[1], (uint64_t{g[2]} << 32) | g[3]});
    }
    std::sort(grams.begin(), grams.end());
  }
}

// Number of elements equal to `gram` in sorted `grams`, starting the search at `*cursor`
// and leaving it there for the next, larger, query.
size_t CountFrom(const std::vector<Ngram>& grams, const Ngram& gram, size_t* cursor) {
  size_t i = *cursor;
  while (i < grams.size() && grams[i] < gram) ++i;
  size_t count = 0;
  while (i < grams.size() && grams[i] == gram) {
    ++i;
    ++count;
  }
  *cursor = i;
  return count;
}

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

struct BleuScratch {
  TokenList tokens;
  TokenInterner interner;
  std::vector<uint32_t> ids;
  SortedNgrams hypothesis;
  std::vector<SortedNgrams> references;
};

double SentenceBleuImpl(std::string_view hypothesis, const std::vector<std::string>& references) {
  if (references.empty()) return 0.0;
  thread_local BleuScratch s;

  // Tokenize everything into one TokenList so the interner's views stay valid.
  s.tokens.Clear();
  AppendTokens13a(PythonRStrip(hypothesis), &s.tokens);
  const size_t hyp_len = s.tokens.size();
  std::vector<size_t> ref_ends;
  ref_ends.reserve(references.size());
  for (const std::string& reference : references) {
    AppendTokens13a(PythonRStrip(reference), &s.tokens);
    ref_ends.push_back(s.tokens.size());
  }
  s.interner.Reset(s.tokens.size());
  s.ids.clear();
  for (size_t i = 0; i < s.tokens.size(); ++i) s.ids.push_back(s.interner.Intern(s.tokens[i]));

  const std::span<const uint32_t> ids(s.ids);
  SortedNgramsOf(ids.subspan(0, hyp_len), &s.hypothesis);
  if (s.references.size() < references.size()) s.references.resize(references.size());
  size_t ref_len = 0;
  size_t closest_diff = 0;
  size_t begin = hyp_len;
  for (size_t r = 0; r < references.size(); ++r) {
    const size_t len = ref_ends[r] - begin;
    SortedNgramsOf(ids.subspan(begin, len), &s.references[r]);
    begin = ref_ends[r];
    // _get_closest_ref_len: smallest |hyp - ref|, ties to the shorter reference.
    const size_t diff = len > hyp_len ? len - hyp_len : hyp_len - len;
    if (r == 0 || diff < closest_diff || (diff == closest_diff && len < ref_len)) {
      closest_diff = diff;
      ref_len = len;
    }
  }

  std::array<size_t, kBleuMaxNgramOrder> correct = {0, 0, 0, 0};
  std::array<size_t, kBleuMaxNgramOrder> total = {0, 0, 0, 0};
  std::vector<size_t> cursors(references.size());
  for (int n = 0; n < kBleuMaxNgramOrder; ++n) {
    const std::vector<Ngram>& hyp = s.hypothesis[n];
    total[n] = hyp.size();
    std::fill(cursors.begin(), cursors.end(), 0);
    for (size_t i = 0; i < hyp.size();) {
      size_t j = i + 1;
      while (j < hyp.size() && hyp[j] == hyp[i]) ++j;
      size_t max_ref_count = 0;
      for (size_t r = 0; r < references.size(); ++r) {
        max_ref_count = std::max(max_ref_count, CountFrom(s.references[r][n], hyp[i], &cursors[r]));
      }
      correct[n] += std::min(j - i, max_ref_count);
      i = j;
    }
  }
  return ComputeBleu(correct, total, hyp_len, ref_len) / 100;
}

}  // namespace

double SentenceBleu(std::string_view hypothesis, const std::vector<std::string>& references) {
  return SentenceBleuImpl(hypothesis, references);
}

}  // namespace llmtap::collector::text
