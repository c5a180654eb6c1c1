#include "collector/scoring/text/token_f1.h"

#include <array>
#include <cstdint>

#include "collector/scoring/text/python_unicode.h"
#include "collector/scoring/text/token_interner.h"

namespace llmtap::collector::text {
namespace {

enum class AsciiClass : uint8_t { kPunctuation, kWord, kSpace, kOther };

// Per byte: how an ASCII byte takes part in normalize_answer, its lowercase, and whether it
// continues a \w run (a letter or digit, or punctuation, which is dropped before \b is
// applied). Bytes >= 0x80 are kOther and do not continue a run; callers decode them.
struct ByteInfo {
  AsciiClass cls;
  char lower;
  bool is_word;
  bool continues_run;
};

constexpr std::array<ByteInfo, 256> MakeByteInfo() {
  std::array<ByteInfo, 256> info{};
  for (int b = 0; b < 256; ++b) {
    const unsigned char c = static_cast<unsigned char>(b);
    ByteInfo& i = info[b];
    i.lower = static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
    if (c >= 0x80) {
      i.cls = AsciiClass::kOther;
    } else if ((c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) ||
               (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E)) {
      i.cls = AsciiClass::kPunctuation;  // string.punctuation, '_' included.
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      i.cls = AsciiClass::kWord;
    } else if (IsPythonAsciiSpace(c)) {
      i.cls = AsciiClass::kSpace;
    } else {
      i.cls = AsciiClass::kOther;
    }
    i.is_word = i.cls == AsciiClass::kWord;
    i.continues_run = i.cls == AsciiClass::kWord || i.cls == AsciiClass::kPunctuation;
  }
  return info;
}
constexpr std::array<ByteInfo, 256> kByteInfo = MakeByteInfo();

bool IsArticle(const char* p, size_t n) {
  switch (n) {
    case 1:
      return p[0] == 'a';
    case 2:
      return p[0] == 'a' && p[1] == 'n';
    case 3:
      return p[0] == 't' && p[1] == 'h' && p[2] == 'e';
    default:
      return false;
  }
}

// Streams normalize_answer(text).split() into a TokenList in one pass, lowercasing each
// character as it goes. The steps fuse exactly: punctuation is dropped before articles are
// looked for, so a dropped character joins its neighbours into one \w run; a match of
// \b(a|an|the)\b is a maximal run of \w characters equal to an article (a, n, t, h and e
// are \w themselves), and replacing it by ' ' just ends the token; whitespace ends the token.
class SquadTokenizer {
 public:
  SquadTokenizer(std::string_view text, TokenList* tokens)
      : text_(text), tokens_(tokens), p_(text.data()), end_(text.data() + text.size()) {
    tokens_->FinishToken();
    w_ = tokens_->BeginWrite(text.size() * kPythonLowerMaxGrowth + 1);
  }

  // Tokenizes all of the text.
  void Run() {
    while (p_ < end_) Step();
    Finish();
  }

  // Tokenizes until at least one more token is complete. Returns false if the text ended
  // without completing one.
  bool Advance() {
    const size_t before = tokens_->size();
    while (p_ < end_ && tokens_->size() == before) Step();
    if (tokens_->size() == before) Finish();
    return tokens_->size() != before;
  }

 private:
  void Finish() {
    if (finished_) return;
    Space();
    tokens_->FinishWrite(w_);
    finished_ = true;
  }

  // Consumes one character, or a run of ASCII word characters.
  [[gnu::always_inline]] void Step() {
    const char* p = p_;
    unsigned char b = static_cast<unsigned char>(*p);
    // Fast path for the common case: a run of ASCII letters and digits, possibly with
    // punctuation inside ("don't" -> "dont"). Punctuation is written but not kept.
    if (kByteInfo[b].is_word) {
      if (run_start_ == nullptr) run_start_ = w_;
      char* w = w_;  // Locals, so the byte stores cannot alias them.
      const char* const end = end_;
      do {
        *w = kByteInfo[b].lower;
        w += kByteInfo[b].is_word;
        if (++p == end) break;
        b = static_cast<unsigned char>(*p);
      } while (kByteInfo[b].continues_run);
      w_ = w;
      p_ = p;
      return;
    }
    if (b < 0x80) {
      Ascii(b);
      p_ = p + 1;
      return;
    }
    const size_t pos = static_cast<size_t>(p - text_.data());
    const Utf8Char c = DecodeUtf8(text_, pos);
    p_ = p + c.length;
    if (!c.valid) {
      Other(static_cast<char32_t>(b), /*raw=*/true);
      return;
    }
    char32_t lowered[2];
    const int n = PythonLowerAt(text_, pos, c.code_point, lowered);
    for (int i = 0; i < n; ++i) NonAscii(lowered[i]);
  }

 private:
  [[gnu::always_inline]] void Ascii(unsigned char b) {
    switch (kByteInfo[b].cls) {
      case AsciiClass::kPunctuation:
        break;
      case AsciiClass::kWord:
        if (run_start_ == nullptr) run_start_ = w_;
        *w_++ = kByteInfo[b].lower;
        break;
      case AsciiClass::kSpace:
        Space();
        break;
      case AsciiClass::kOther:
        EndRun();
        *w_++ = static_cast<char>(b);
        break;
    }
  }

  [[gnu::always_inline]] void NonAscii(char32_t c) {
    if (c < 0x80) {
      Ascii(static_cast<unsigned char>(c));
    } else if (IsPythonSpace(c)) {
      Space();
    } else if (IsPythonWordChar(c)) {
      if (run_start_ == nullptr) run_start_ = w_;
      w_ = EncodeUtf8(c, w_);
    } else {
      Other(c, /*raw=*/false);
    }
  }

  // A character that is neither whitespace nor \w; `raw` writes it as one invalid byte.
  [[gnu::always_inline]] void Other(char32_t c, bool raw) {
    EndRun();
    if (raw) {
      *w_++ = static_cast<char>(c);
    } else {
      w_ = EncodeUtf8(c, w_);
    }
  }

  [[gnu::always_inline]] void Space() {
    EndRun();
    tokens_->EndTokenAt(w_);
  }

  [[gnu::always_inline]] void EndRun() {
    if (run_start_ == nullptr) return;
    if (IsArticle(run_start_, static_cast<size_t>(w_ - run_start_))) {
      w_ = run_start_;
      tokens_->EndTokenAt(w_);
    }
    run_start_ = nullptr;
  }

  const std::string_view text_;
  TokenList* const tokens_;
  const char* p_;               // The next input byte.
  const char* const end_;
  bool finished_ = false;
  char* w_;                     // Where the next byte goes.
  char* run_start_ = nullptr;  // Start of the \w run being written, if any.
};

struct F1Scratch {
  TokenList prediction;
  TokenList ground_truth;
  TokenInterner interner;
  std::vector<uint32_t> counts;
};

F1Scratch& Scratch() {
  thread_local F1Scratch s;
  return s;
}

void Normalize(std::string_view text, TokenList* tokens) { SquadTokenizer(text, tokens).Run(); }

}  // namespace

std::string SquadNormalize(std::string_view text) {
  TokenList tokens;
  Normalize(text, &tokens);
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out.push_back(' ');
    out.append(tokens[i]);
  }
  return out;
}

void AppendSquadTokens(std::string_view text, TokenList* tokens) { Normalize(text, tokens); }

std::vector<std::string> Tokenize(std::string_view text) {
  TokenList tokens;
  Normalize(text, &tokens);
  return tokens.ToVector();
}

double TokenF1(std::string_view prediction, std::string_view ground_truth) {
  F1Scratch& s = Scratch();
  s.prediction.Clear();
  s.ground_truth.Clear();
  Normalize(prediction, &s.prediction);
  Normalize(ground_truth, &s.ground_truth);
  if (s.prediction.empty() || s.ground_truth.empty()) return 0.0;

  // Counter(prediction) & Counter(ground_truth), summed.
  s.interner.Reset(s.prediction.size() + s.ground_truth.size());
  s.counts.clear();
  for (size_t i = 0; i < s.ground_truth.size(); ++i) {
    const uint32_t id = s.interner.Intern(s.ground_truth[i]);
    if (id >= s.counts.size()) s.counts.resize(id + 1, 0);
    ++s.counts[id];
  }
  size_t num_same = 0;
  for (size_t i = 0; i < s.prediction.size(); ++i) {
    const uint32_t id = s.interner.Intern(s.prediction[i]);
    if (id < s.counts.size() && s.counts[id] > 0) {
      --s.counts[id];
      ++num_same;
    }
  }
  if (num_same == 0) return 0.0;
  const double precision =
      1.0 * static_cast<double>(num_same) / static_cast<double>(s.prediction.size());
  const double recall =
      1.0 * static_cast<double>(num_same) / static_cast<double>(s.ground_truth.size());
  return (2 * precision * recall) / (precision + recall);
}

bool ExactMatch(std::string_view prediction, std::string_view ground_truth) {
  // Equal normalised strings means equal token sequences, so compare token by token and
  // stop at the first difference.
  F1Scratch& s = Scratch();
  s.prediction.Clear();
  s.ground_truth.Clear();
  SquadTokenizer a(prediction, &s.prediction);
  SquadTokenizer b(ground_truth, &s.ground_truth);
  for (size_t i = 0;; ++i) {
    const bool a_more = i < s.prediction.size() || a.Advance();
    const bool b_more = i < s.ground_truth.size() || b.Advance();
    if (a_more != b_more) return false;
    if (!a_more) return true;
    if (s.prediction[i] != s.ground_truth[i]) return false;
  }
}

}  // namespace llmtap::collector::text
