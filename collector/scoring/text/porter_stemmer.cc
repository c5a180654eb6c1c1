#include "collector/scoring/text/porter_stemmer.h"

#include <cstddef>
#include <initializer_list>

// The structure follows nltk/stem/porter.py step by step, so that each rule can be checked
// against it; in particular a rule list stops at the first suffix that matches, whether or
// not its condition then holds.

namespace llmtap::collector::text {
namespace {

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// Compares from the last character, which rejects most suffixes at once, without a call
// to memcmp (these strings are a few bytes long).
bool EndsWith(std::string_view w, std::string_view suffix) {
  if (w.size() < suffix.size()) return false;
  const char* end = w.data() + w.size();
  for (size_t i = 1; i <= suffix.size(); ++i) {
    if (end[-static_cast<ptrdiff_t>(i)] != suffix[suffix.size() - i]) return false;
  }
  return true;
}

// NLTK's _is_consonant: 'y' is a consonant unless preceded by a consonant.
bool IsConsonant(std::string_view w, size_t i) {
  if (IsVowel(w[i])) return false;
  if (w[i] != 'y') return true;
  bool negate = false;
  while (i > 0 && w[i] == 'y') {
    negate = !negate;
    --i;
  }
  return !IsVowel(w[i]) != negate;
}

// The m in [C](VC){m}[V] of the first `len` characters of `w`.
int Measure(std::string_view w, size_t len) {
  int m = 0;
  bool prev_consonant = true;  // Only a vowel -> consonant transition counts.
  bool prev_vowel = false;
  for (size_t i = 0; i < len; ++i) {
    bool consonant;
    if (IsVowel(w[i])) {
      consonant = false;
    } else if (w[i] == 'y') {
      consonant = (i == 0) ? true : !prev_consonant;
    } else {
      consonant = true;
    }
    if (consonant && prev_vowel) ++m;
    prev_vowel = !consonant;
    prev_consonant = consonant;
  }
  return m;
}

bool ContainsVowel(std::string_view w, size_t len) {
  bool prev_consonant = true;
  for (size_t i = 0; i < len; ++i) {
    bool consonant;
    if (IsVowel(w[i])) {
      consonant = false;
    } else if (w[i] == 'y') {
      consonant = (i == 0) ? true : !prev_consonant;
    } else {
      consonant = true;
    }
    if (!consonant) return true;
    prev_consonant = consonant;
  }
  return false;
}

// *d: ends with a double consonant.
bool EndsDoubleConsonant(std::string_view w) {
  const size_t n = w.size();
  return n >= 2 && w[n - 1] == w[n - 2] && IsConsonant(w, n - 1);
}

// *o: ends consonant-vowel-consonant, the last not w, x or y; or (NLTK) is vowel-consonant.
bool EndsCvc(std::string_view w) {
  const size_t n = w.size();
  if (n >= 3 && IsConsonant(w, n - 3) && !IsConsonant(w, n - 2) && IsConsonant(w, n - 1) &&
      w[n - 1] != 'w' && w[n - 1] != 'x' && w[n - 1] != 'y') {
    return true;
  }
  return n == 2 && !IsConsonant(w, 0) && IsConsonant(w, 1);
}

enum class Cond { kNone, kMeasureGt0, kMeasureGt1, kLogi, kIon };

struct Rule {
  std::string_view suffix;
  std::string_view replacement;
  Cond cond;
};

bool Holds(Cond cond, const std::string& w, size_t stem_len) {
  switch (cond) {
    case Cond::kNone:
      return true;
    case Cond::kMeasureGt0:
      return Measure(w, stem_len) > 0;
    case Cond::kMeasureGt1:
      return Measure(w, stem_len) > 1;
    case Cond::kLogi:  // NLTK tests word[:-3], i.e. the stem plus its "l".
      return Measure(w, w.size() - 3) > 0;
    case Cond::kIon:
      return Measure(w, stem_len) > 1 && (w[stem_len - 1] == 's' || w[stem_len - 1] == 't');
  }
  return false;
}

// _apply_rule_list without the "*d" pseudo-rule (handled in Step1b).
void ApplyRules(std::string* w, std::initializer_list<Rule> rules) {
  for (const Rule& rule : rules) {
    if (!EndsWith(*w, rule.suffix)) continue;
    const size_t stem_len = w->size() - rule.suffix.size();
    if (Holds(rule.cond, *w, stem_len)) {
      w->resize(stem_len);
      w->append(rule.replacement);
    }
    return;
  }
}

void Step1a(std::string* w) {
  if (EndsWith(*w, "ies") && w->size() == 4) {
    w->resize(1);
    w->append("ie");
    return;
  }
  ApplyRules(w, {{"sses", "ss", Cond::kNone},
                 {"ies", "i", Cond::kNone},
                 {"ss", "ss", Cond::kNone},
                 {"s", "", Cond::kNone}});
}

void Step1b(std::string* w) {
  if (EndsWith(*w, "ied")) {
    const bool four = w->size() == 4;
    w->resize(w->size() - 3);
    w->append(four ? "ie" : "i");
    return;
  }
  if (EndsWith(*w, "eed")) {
    if (Measure(*w, w->size() - 3) > 0) w->resize(w->size() - 1);
    return;
  }
  size_t stem_len = 0;
  bool removed = false;
  for (std::string_view suffix : {std::string_view("ed"), std::string_view("ing")}) {
    if (EndsWith(*w, suffix) && ContainsVowel(*w, w->size() - suffix.size())) {
      stem_len = w->size() - suffix.size();
      removed = true;
      break;
    }
  }
  if (!removed) return;
  w->resize(stem_len);
  for (std::string_view suffix : {std::string_view("at"), std::string_view("bl"),
                                  std::string_view("iz")}) {
    if (EndsWith(*w, suffix)) {
      w->push_back('e');
      return;
    }
  }
  if (EndsDoubleConsonant(*w)) {
    const char last = w->back();
    if (last != 'l' && last != 's' && last != 'z') w->pop_back();
    return;
  }
  if (Measure(*w, w->size()) == 1 && EndsCvc(*w)) w->push_back('e');
}

void Step1c(std::string* w) {
  if (!EndsWith(*w, "y")) return;
  const size_t stem_len = w->size() - 1;
  if (stem_len > 1 && IsConsonant(*w, stem_len - 1)) w->back() = 'i';
}

void Step2(std::string* w) {
  if (EndsWith(*w, "alli") && Measure(*w, w->size() - 4) > 0) {
    w->resize(w->size() - 2);  // "alli" -> "al"
    Step2(w);
    return;
  }
  constexpr Cond kM0 = Cond::kMeasureGt0;
  ApplyRules(w, {{"ational", "ate", kM0},  {"tional", "tion", kM0}, {"enci", "ence", kM0},
                 {"anci", "ance", kM0},    {"izer", "ize", kM0},    {"bli", "ble", kM0},
                 {"alli", "al", kM0},      {"entli", "ent", kM0},   {"eli", "e", kM0},
                 {"ousli", "ous", kM0},    {"ization", "ize", kM0}, {"ation", "ate", kM0},
                 {"ator", "ate", kM0},     {"alism", "al", kM0},    {"iveness", "ive", kM0},
                 {"fulness", "ful", kM0},  {"ousness", "ous", kM0}, {"aliti", "al", kM0},
                 {"iviti", "ive", kM0},    {"biliti", "ble", kM0},  {"fulli", "ful", kM0},
                 {"logi", "log", Cond::kLogi}});
}

void Step3(std::string* w) {
  constexpr Cond kM0 = Cond::kMeasureGt0;
  ApplyRules(w, {{"icate", "ic", kM0},
                 {"ative", "", kM0},
                 {"alize", "al", kM0},
                 {"iciti", "ic", kM0},
                 {"ical", "ic", kM0},
                 {"ful", "", kM0},
                 {"ness", "", kM0}});
}

void Step4(std::string* w) {
  constexpr Cond kM1 = Cond::kMeasureGt1;
  ApplyRules(w, {{"al", "", kM1},   {"ance", "", kM1},       {"ence", "", kM1},
                 {"er", "", kM1},   {"ic", "", kM1},         {"able", "", kM1},
                 {"ible", "", kM1}, {"ant", "", kM1},        {"ement", "", kM1},
                 {"ment", "", kM1}, {"ent", "", kM1},        {"ion", "", Cond::kIon},
                 {"ou", "", kM1},   {"ism", "", kM1},        {"ate", "", kM1},
                 {"iti", "", kM1},  {"ous", "", kM1},        {"ive", "", kM1},
                 {"ize", "", kM1}});
}

void Step5a(std::string* w) {
  if (!EndsWith(*w, "e")) return;
  const std::string_view stem = std::string_view(*w).substr(0, w->size() - 1);
  const int m = Measure(stem, stem.size());
  if (m > 1 || (m == 1 && !EndsCvc(stem))) w->pop_back();
}

void Step5b(std::string* w) {
  if (EndsWith(*w, "ll") && Measure(*w, w->size() - 1) > 1) w->pop_back();
}

// NLTK_EXTENSIONS' irregular forms, as word -> stem.
bool LookupIrregular(std::string* w) {
  struct Irregular {
    std::string_view word;
    std::string_view stem;
  };
  static constexpr Irregular kIrregular[] = {
      {"sky", "sky"},         {"skies", "sky"},      {"dying", "die"},
      {"lying", "lie"},       {"tying", "tie"},      {"news", "news"},
      {"innings", "inning"},  {"inning", "inning"},  {"outings", "outing"},
      {"outing", "outing"},   {"cannings", "canning"}, {"canning", "canning"},
      {"howe", "howe"},       {"proceed", "proceed"}, {"exceed", "exceed"},
      {"succeed", "succeed"},
  };
  for (const Irregular& entry : kIrregular) {
    if (w->size() == entry.word.size() && EndsWith(*w, entry.word)) {
      w->assign(entry.stem);
      return true;
    }
  }
  return false;
}

}  // namespace

void PorterStemInPlace(std::string* word) {
  for (char& c : *word) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  if (LookupIrregular(word)) return;
  if (word->size() <= 2) return;
  Step1a(word);
  Step1b(word);
  Step1c(word);
  Step2(word);
  Step3(word);
  Step4(word);
  Step5a(word);
  Step5b(word);
}

std::string PorterStem(std::string_view word) {
  std::string stem(word);
  PorterStemInPlace(&stem);
  return stem;
}

}  // namespace llmtap::collector::text
