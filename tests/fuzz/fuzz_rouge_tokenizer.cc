// Fuzz target: rouge_score's tokenizer (ROUGE-L). With and without the Porter stemmer, the
// owning and the TokenList forms agree, and every token is non-empty [a-z0-9] (all the
// reference keeps). ROUGE-L F1 of the text's two halves stays in [0, 1].
#include <cstdint>
#include <string_view>

#include "collector/common/strings.h"
#include "collector/scoring/text/rouge.h"
#include "collector/scoring/text/rouge_tokenizer.h"
#include "collector/scoring/text/token_list.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace llmtap::collector;
  namespace fuzz = llmtap::fuzz;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (bool stem : {false, true}) {
    text::TokenList tokens;
    text::AppendRougeTokens(input, stem, &tokens);
    if (tokens.ToVector() != text::RougeTokenize(input, stem)) {
      fuzz::Fail("AppendRougeTokens differs from RougeTokenize");
    }
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i].empty()) fuzz::Fail(Cat("empty token at ", i));
      for (char c : tokens[i]) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
          fuzz::Fail(Cat("token ", i, " holds byte ", static_cast<int>(static_cast<unsigned char>(c))));
        }
      }
    }
    const double f1 = text::RougeLF1(input.substr(0, size / 2), input.substr(size / 2), stem);
    if (!(f1 >= 0 && f1 <= 1)) fuzz::Fail(Cat("ROUGE-L F1 ", f1));
  }
  return 0;
}
