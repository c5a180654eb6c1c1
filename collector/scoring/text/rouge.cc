#include "collector/scoring/text/rouge.h"

#include <cstdint>
#include <vector>

#include "collector/scoring/text/lcs.h"
#include "collector/scoring/text/rouge_tokenizer.h"
#include "collector/scoring/text/token_interner.h"
#include "collector/scoring/text/token_list.h"

namespace llmtap::collector::text {
namespace {

struct RougeScratch {
  TokenList target;
  TokenList prediction;
  TokenInterner interner;
  std::vector<uint32_t> target_ids;
  std::vector<uint32_t> prediction_ids;
};

void ToIds(const TokenList& tokens, TokenInterner* interner, std::vector<uint32_t>* ids) {
  ids->clear();
  for (size_t i = 0; i < tokens.size(); ++i) ids->push_back(interner->Intern(tokens[i]));
}

}  // namespace

double RougeLF1(std::string_view target, std::string_view prediction, bool use_stemmer) {
  thread_local RougeScratch s;
  s.target.Clear();
  s.prediction.Clear();
  AppendRougeTokens(target, use_stemmer, &s.target);
  AppendRougeTokens(prediction, use_stemmer, &s.prediction);
  if (s.target.empty() || s.prediction.empty()) return 0.0;

  s.interner.Reset(s.target.size() + s.prediction.size());
  ToIds(s.target, &s.interner, &s.target_ids);
  ToIds(s.prediction, &s.interner, &s.prediction_ids);
  const size_t lcs = LcsLength(s.target_ids, s.prediction_ids, s.interner.size());

  const double precision = static_cast<double>(lcs) / static_cast<double>(s.prediction.size());
  const double recall = static_cast<double>(lcs) / static_cast<double>(s.target.size());
  if (precision + recall > 0) return 2 * precision * recall / (precision + recall);
  return 0.0;
}

}  // namespace llmtap::collector::text
