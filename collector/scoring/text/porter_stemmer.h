// The Porter stemmer exactly as NLTK's `nltk.stem.porter.PorterStemmer()` runs it in its
// default NLTK_EXTENSIONS mode, which is what rouge_score 0.1.2 uses for `use_stemmer=True`.
//
// NLTK_EXTENSIONS differs from Porter (1980) by: a table of irregular forms (skies -> sky,
// dying -> die, news -> news, ...); words of <= 2 characters left alone; "ies"/"ied" on
// four-letter words -> "ie"; "ied" -> "i" otherwise; y -> i only after a consonant that is
// not the first letter; "bli" -> "ble" (not "abli"); "alli" -> "al" applied recursively;
// "fulli" -> "ful" and "logi" -> "log"; *o also true for two-letter vowel-consonant stems.
//
// Example: PorterStem("running") == "run"; PorterStem("generously") == "gener".
//
// Thread-safety: pure functions; safe to call concurrently.
#ifndef LLMTAP_COLLECTOR_SCORING_TEXT_PORTER_STEMMER_H_
#define LLMTAP_COLLECTOR_SCORING_TEXT_PORTER_STEMMER_H_

#include <string>
#include <string_view>

namespace llmtap::collector::text {

// Replaces `*word` with its stem. ASCII letters are lowercased first (as NLTK's
// `to_lowercase=True` does); other bytes are treated as consonants, which matches NLTK for
// digits. REQUIRES: `*word` is ASCII (rouge_score only stems [a-z0-9]+ tokens).
void PorterStemInPlace(std::string* word);

// Returns the stem of `word`; see PorterStemInPlace.
std::string PorterStem(std::string_view word);

}  // namespace llmtap::collector::text

#endif  // LLMTAP_COLLECTOR_SCORING_TEXT_PORTER_STEMMER_H_
