#include "collector/scoring/scorers/length_scorer.h"

#include <string>

#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"
#include "collector/scoring/text/python_unicode.h"

namespace llmtap::collector {

absl::StatusOr<std::unique_ptr<Scorer>> LengthScorer::Create(const v1::Rubric& rubric,
                                                             const ScorerEnv&) {
  if (absl::Status s = CheckParamsCase(rubric, v1::Rubric::kLength, "length"); !s.ok()) return s;
  const v1::LengthParams& p = rubric.length();
  if (p.min_chars() == 0 && p.max_chars() == 0 && p.min_words() == 0 && p.max_words() == 0) {
    return RubricFieldError(rubric, "length", "no bound set");
  }
  if (p.max_chars() != 0 && p.max_chars() < p.min_chars()) {
    return RubricFieldError(rubric, "length.max_chars",
                            Cat("must be >= min_chars (", p.min_chars(), "), got ", p.max_chars()));
  }
  if (p.max_words() != 0 && p.max_words() < p.min_words()) {
    return RubricFieldError(rubric, "length.max_words",
                            Cat("must be >= min_words (", p.min_words(), "), got ", p.max_words()));
  }
  return std::unique_ptr<Scorer>(new LengthScorer(p));
}

size_t LengthScorer::CountCodePoints(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

size_t LengthScorer::CountWords(std::string_view text) {
  size_t n = 0;
  text::ForEachPythonSplit(text, [&n](std::string_view) { ++n; });
  return n;
}

absl::StatusOr<ScoreResult> LengthScorer::Score(const v1::Sample& sample,
                                                const ScoreContext&) const {
  const size_t chars = CountCodePoints(sample.response());
  const bool words_needed = params_.min_words() != 0 || params_.max_words() != 0;
  const size_t words = words_needed ? CountWords(sample.response()) : 0;
  std::string failures;
  auto check = [&failures](size_t n, std::string_view unit, uint32_t bound, bool is_max) {
    if (bound == 0 || (is_max ? n <= bound : n >= bound)) return;
    failures = Cat(failures, failures.empty() ? "" : "; ", n, " ", unit, is_max ? " > " : " < ",
                   is_max ? "max_" : "min_", unit, " ", bound);
  };
  check(chars, "chars", params_.min_chars(), false);
  check(chars, "chars", params_.max_chars(), true);
  check(words, "words", params_.min_words(), false);
  check(words, "words", params_.max_words(), true);
  ScoreResult result;
  result.value = failures.empty() ? 1 : 0;
  result.reasoning =
      failures.empty()
          ? Cat(chars, " chars", words_needed ? Cat(", ", words, " words") : "", " within bounds")
          : failures;
  return result;
}

}  // namespace llmtap::collector
