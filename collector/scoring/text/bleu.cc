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

constexpr uint32_t kNoToken = 0xFFFFFFFF;  // Fills the unused positions of short n-grams.

// An n-gram of token ids, n <= 4, packed so that n-grams of different orders differ.
struct Ngram {
  uint64_t high;
  uint64_t low;
  friend bool operator==(const Ngram&, const Ngram&) = default;
};

Ngram MakeNgram(const uint32_t* ids, int n) {
  uint32_t g[4] = {kNoToken, kNoToken, kNoToken, kNoToken};
  for (int k = 0; k < n; ++k) g[k] = ids[k];
  return {(uint64_t{g[0]} << 32) | g[1], (uint64_t{g[2]} << 32) | g[3]};
}

// Counts of n-grams: an open-addressing hash table, reset per sentence.
class NgramCounts {
 public:
  void Reset(size_t expected) {
    size_t capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
  }

  // The count of `gram`, inserted at 0 if absent. REQUIRES: fewer than capacity / 2 keys.
  uint32_t& operator[](const Ngram& gram) {
    for (size_t i = Hash(gram) & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.used) {
        slot.used = true;
        slot.key = gram;
        return slot.count;
      }
      if (slot.key == gram) return slot.count;
    }
  }

  // The count of `gram`, or nullptr if absent.
  uint32_t* Find(const Ngram& gram) {
    for (size_t i = Hash(gram) & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (!slot.used) return nullptr;
      if (slot.key == gram) return &slot.count;
    }
  }

  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const Slot& slot : slots_) {
      if (slot.used) fn(slot.key, slot.count);
    }
  }

 private:
  struct Slot {
    Ngram key{0, 0};
    uint32_t count = 0;
    bool used = false;
  };

  static size_t Hash(const Ngram& g) {
    uint64_t h = g.high * 0x9e3779b97f4a7c15ULL ^ (g.low + 0x632be59bd9b4e019ULL);
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return static_cast<size_t>(h);
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

// Adds the n-grams (n = 1..4) of `ids` to `*counts`.
void CountNgrams(std::span<const uint32_t> ids, NgramCounts* counts) {
  for (int n = 1; n <= kBleuMaxNgramOrder; ++n) {
    for (size_t i = 0; i + n <= ids.size(); ++i) ++(*counts)[MakeNgram(&ids[i], n)];
  }
}

size_t NgramCount(size_t len) {
  size_t count = 0;
  for (size_t n = 1; n <= kBleuMaxNgramOrder && n <= len; ++n) count += len - n + 1;
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
  std::vector<size_t> ref_ends;
  NgramCounts ref_counts;  // Max over references of each n-gram's count.
  NgramCounts one_ref;
};

double SentenceBleuImpl(std::string_view hypothesis, const std::vector<std::string>& references) {
  if (references.empty()) return 0.0;
  thread_local BleuScratch s;

  // Tokenize everything into one TokenList so the interner's views stay valid.
  s.tokens.Clear();
  AppendTokens13a(PythonRStrip(hypothesis), &s.tokens);
  const size_t hyp_len = s.tokens.size();
  s.ref_ends.clear();
  for (const std::string& reference : references) {
    AppendTokens13a(PythonRStrip(reference), &s.tokens);
    s.ref_ends.push_back(s.tokens.size());
  }
  s.interner.Reset(s.tokens.size());
  s.ids.clear();
  for (size_t i = 0; i < s.tokens.size(); ++i) s.ids.push_back(s.interner.Intern(s.tokens[i]));
  const std::span<const uint32_t> ids(s.ids);

  size_t ref_len = 0;
  size_t closest_diff = 0;
  size_t begin = hyp_len;
  for (size_t r = 0; r < references.size(); ++r) {
    const size_t len = s.ref_ends[r] - begin;
    if (references.size() == 1) {
      s.ref_counts.Reset(NgramCount(len));
      CountNgrams(ids.subspan(begin, len), &s.ref_counts);
    } else {
      if (r == 0) s.ref_counts.Reset(NgramCount(s.tokens.size() - hyp_len));
      s.one_ref.Reset(NgramCount(len));
      CountNgrams(ids.subspan(begin, len), &s.one_ref);
      s.one_ref.ForEach([&](const Ngram& gram, uint32_t count) {
        uint32_t& max = s.ref_counts[gram];
        max = std::max(max, count);
      });
    }
    begin = s.ref_ends[r];
    // _get_closest_ref_len: smallest |hyp - ref|, ties to the shorter reference.
    const size_t diff = len > hyp_len ? len - hyp_len : hyp_len - len;
    if (r == 0 || diff < closest_diff || (diff == closest_diff && len < ref_len)) {
      closest_diff = diff;
      ref_len = len;
    }
  }

  // Each hypothesis n-gram is matched while the references have copies left, which sums
  // min(hypothesis count, reference count) over distinct n-grams.
  std::array<size_t, kBleuMaxNgramOrder> correct = {0, 0, 0, 0};
  std::array<size_t, kBleuMaxNgramOrder> total = {0, 0, 0, 0};
  for (int n = 1; n <= kBleuMaxNgramOrder; ++n) {
    for (size_t i = 0; i + n <= hyp_len; ++i) {
      ++total[n - 1];
      uint32_t* left = s.ref_counts.Find(MakeNgram(&ids[i], n));
      if (left != nullptr && *left > 0) {
        --*left;
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
