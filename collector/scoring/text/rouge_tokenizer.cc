#include "collector/scoring/text/rouge_tokenizer.h"

#include "collector/scoring/text/porter_stemmer.h"
#include "collector/scoring/text/python_unicode.h"

namespace llmtap::collector::text {
namespace {

constexpr char32_t kCapitalIWithDot = 0x130;  // lower() -> "i\u0307"
constexpr char32_t kKelvinSign = 0x212A;      // lower() -> "k"
constexpr size_t kMinStemmedLength = 4;       // rouge_score stems only len(x) > 3.

}  // namespace

void AppendRougeTokens(std::string_view text, bool use_stemmer, TokenList* tokens) {
  std::string current;
  auto flush = [&] {
    if (current.empty()) return;
    if (use_stemmer && current.size() >= kMinStemmedLength) PorterStemInPlace(&current);
    if (!current.empty()) tokens->Add(current);
    current.clear();
  };
  for (size_t pos = 0; pos < text.size();) {
    const unsigned char b = static_cast<unsigned char>(text[pos]);
    if (b < 0x80) {
      if ((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')) {
        current.push_back(static_cast<char>(b));
      } else if (b >= 'A' && b <= 'Z') {
        current.push_back(static_cast<char>(b + 32));
      } else {
        flush();
      }
      ++pos;
      continue;
    }
    const Utf8Char c = DecodeUtf8(text, pos);
    if (c.valid && c.code_point == kKelvinSign) {
      current.push_back('k');
    } else if (c.valid && c.code_point == kCapitalIWithDot) {
      current.push_back('i');
      flush();  // The combining dot above is a separator.
    } else {
      flush();
    }
    pos += c.length;
  }
  flush();
}

std::vector<std::string> RougeTokenize(std::string_view text, bool use_stemmer) {
  TokenList tokens;
  AppendRougeTokens(text, use_stemmer, &tokens);
  return tokens.ToVector();
}

}  // namespace llmtap::collector::text
