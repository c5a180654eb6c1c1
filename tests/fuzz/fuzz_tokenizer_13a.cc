// Fuzz target: sacrebleu's 13a tokenizer (BLEU). Its three forms must agree on any bytes:
// Tokenize13a's string is AppendTokens13a's tokens joined by spaces, and AppendTokenIds13a
// gives equal ids exactly to equal tokens. Sentence BLEU of the text against itself split in
// two must stay in [0, 100].
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collector/common/strings.h"
#include "collector/scoring/text/bleu.h"
#include "collector/scoring/text/token_interner.h"
#include "collector/scoring/text/token_list.h"
#include "collector/scoring/text/tokenizer_13a.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace llmtap::collector;
  namespace fuzz = llmtap::fuzz;
  const std::string_view line(reinterpret_cast<const char*>(data), size);

  text::TokenList tokens;
  text::AppendTokens13a(line, &tokens);
  std::string joined;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].empty()) fuzz::Fail(Cat("empty token at ", i));
    if (i > 0) joined += ' ';
    joined += tokens[i];
  }
  if (joined != text::Tokenize13a(line)) fuzz::Fail("Tokenize13a differs from AppendTokens13a");

  text::TokenInterner interner;
  interner.Reset(16);
  std::vector<uint32_t> ids;
  text::AppendTokenIds13a(line, &interner, &ids);
  if (ids.size() != tokens.size()) {
    fuzz::Fail(Cat(ids.size(), " ids for ", tokens.size(), " tokens"));
  }
  std::unordered_map<uint32_t, std::string_view> token_of;
  std::unordered_map<std::string_view, uint32_t> id_of;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto [t, new_id] = token_of.emplace(ids[i], tokens[i]);
    auto [d, new_token] = id_of.emplace(tokens[i], ids[i]);
    if (t->second != tokens[i] || d->second != ids[i]) fuzz::Fail(Cat("id mismatch at ", i));
  }

  const std::string_view hypothesis = line.substr(0, line.size() / 2);
  const double bleu = text::SentenceBleu(hypothesis, {std::string(line.substr(line.size() / 2))});
  if (!(bleu >= 0 && bleu <= 100)) fuzz::Fail(Cat("BLEU ", bleu));
  return 0;
}
