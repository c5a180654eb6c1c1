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

struct BleuScratch {
  TokenList tokens;
  TokenInterner interner;
  std::vector<uint32_t> ids;         // Token ids: the hypothesis, then each reference.
  std::vector<uint32_t> grams;       // Per start position, the id of its n-gram.
  std::vector<size_t> ends;          // End of the hypothesis and of each reference in ids.
  IdPairTable table;                 // n-gram ids for n >= 2.
  std::vector<uint32_t> ref_counts;  // Per n-gram id, the max count over references.
  std::vector<uint32_t> one_ref;     // Per n-gram id, the count in one reference.
};

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
  s.ids.clear();
  for (size_t i = 0; i < s.tokens.size(); ++i) s.ids.push_back(s.interner.Intern(s.tokens[i]));
  const size_t hyp_len = s.ends[0];

  // _get_closest_ref_len: smallest |hyp - ref|, ties to the shorter reference.
  size_t ref_len = 0;
  size_t closest_diff = 0;
  for (size_t r = 0; r < references.size(); ++r) {
    const size_t len = s.ends[r + 1] - s.ends[r];
    const size_t diff = len > hyp_len ? len - hyp_len : hyp_len - len;
    if (r == 0 || diff < closest_diff || (diff == closest_diff && len < ref_len)) {
      closest_diff = diff;
      ref_len = len;
    }
  }

  // Each n-gram's id comes from its (n-1)-gram prefix's id and its last token's id:
  // references insert, the hypothesis only looks up (an n-gram whose prefix no reference
  // has is in no reference). Unigram ids are the token ids, below `num_tokens`; longer
  // n-grams get ids from one table offset by `num_tokens`, so ids of different orders never
  // meet and one count array serves all orders. Each hypothesis n-gram is then matched while
  // the references have copies left, which sums min(hypothesis count, max reference count).
  std::array<size_t, kBleuMaxNgramOrder> correct = {0, 0, 0, 0};
  std::array<size_t, kBleuMaxNgramOrder> total = {0, 0, 0, 0};
  const uint32_t num_tokens = static_cast<uint32_t>(s.interner.size());
  s.table.Reset((kBleuMaxNgramOrder - 1) * (s.ids.size() - hyp_len));
  s.grams = s.ids;
  s.ref_counts.clear();
  for (size_t n = 1; n <= kBleuMaxNgramOrder; ++n) {
    if (n > 1) {
      for (size_t r = 0; r < references.size(); ++r) {
        for (size_t i = s.ends[r]; i + n <= s.ends[r + 1]; ++i) {
          s.grams[i] = num_tokens + s.table.Insert(s.grams[i], s.ids[i + n - 1]);
        }
      }
      for (size_t i = 0; i + n <= hyp_len; ++i) {
        if (s.grams[i] == IdPairTable::kAbsent) continue;
        const uint32_t id = s.table.Find(s.grams[i], s.ids[i + n - 1]);
        s.grams[i] = id == IdPairTable::kAbsent ? id : num_tokens + id;
      }
    }
    const size_t num_grams = num_tokens + s.table.size();
    s.ref_counts.resize(num_grams, 0);
    for (size_t r = 0; r < references.size(); ++r) {
      const size_t begin = s.ends[r];
      const size_t end = s.ends[r + 1];
      if (references.size() == 1) {
        for (size_t i = begin; i + n <= end; ++i) ++s.ref_counts[s.grams[i]];
        continue;
      }
      s.one_ref.assign(num_grams, 0);
      for (size_t i = begin; i + n <= end; ++i) ++s.one_ref[s.grams[i]];
      for (size_t i = begin; i + n <= end; ++i) {
        s.ref_counts[s.grams[i]] = std::max(s.ref_counts[s.grams[i]], s.one_ref[s.grams[i]]);
      }
    }
    for (size_t i = 0; i + n <= hyp_len; ++i) {
      ++total[n - 1];
      const uint32_t gram = s.grams[i];
      if (gram != IdPairTable::kAbsent && s.ref_counts[gram] > 0) {
        --s.ref_counts[gram];
        ++correct[n - 1];
      }
    }
  }
  return ComputeBleu(correct, total, hyp_len, ref_len) / 100;
}

}  // namespace

double SentenceBleu(std::string_view hypothesis, const std::vector<std::string>& references) {
  return SentenceBleuImpl(hypothesis, references);
}

}  // namespace llmtap::collector::text
