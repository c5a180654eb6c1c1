#include "collector/scoring/scorers/regex_scorer.h"

#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"

namespace llmtap::collector {
namespace {

constexpr size_t kQuoteBytes = 60;

}  // namespace

absl::StatusOr<std::unique_ptr<Scorer>> RegexScorer::Create(const v1::Rubric& rubric,
                                                            const ScorerEnv&) {
  if (absl::Status s = CheckParamsCase(rubric, v1::Rubric::kRegex, "regex"); !s.ok()) return s;
  const v1::RegexParams& params = rubric.regex();
  if (params.must().empty() && params.must_not().empty()) {
    return RubricFieldError(rubric, "regex", "needs at least one must or must_not pattern");
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(!params.case_insensitive());
  std::unique_ptr<RegexScorer> scorer(new RegexScorer());
  auto compile = [&](const auto& patterns, std::string_view name,
                     std::vector<Pattern>* out) -> absl::Status {
    for (int i = 0; i < patterns.size(); ++i) {
      Pattern p{Cat("regex.", name, "[", i, "]"), std::make_unique<RE2>(patterns[i], options)};
      if (!p.re->ok()) {
        return RubricFieldError(
            rubric, p.field,
            Cat("bad pattern /", Excerpt(patterns[i], kQuoteBytes), "/: ", p.re->error()));
      }
      out->push_back(std::move(p));
    }
    return absl::OkStatus();
  };
  if (absl::Status s = compile(params.must(), "must", &scorer->must_); !s.ok()) return s;
  if (absl::Status s = compile(params.must_not(), "must_not", &scorer->must_not_); !s.ok()) {
    return s;
  }
  return std::unique_ptr<Scorer>(std::move(scorer));
}

absl::StatusOr<ScoreResult> RegexScorer::Score(const v1::Sample& sample,
                                               const ScoreContext&) const {
  const re2::StringPiece response(sample.response().data(), sample.response().size());
  std::string failures;
  auto fail = [&](const Pattern& p, std::string_view what) {
    failures = Cat(failures, failures.empty() ? "" : "; ", p.field, " /",
                   Excerpt(p.re->pattern(), kQuoteBytes), "/ ", what);
  };
  for (const Pattern& p : must_) {
    if (!RE2::PartialMatch(response, *p.re)) fail(p, "did not match");
  }
  for (const Pattern& p : must_not_) {
    if (RE2::PartialMatch(response, *p.re)) fail(p, "matched");
  }
  ScoreResult result;
  result.value = failures.empty() ? 1 : 0;
  result.reasoning = failures.empty()
                         ? Cat("all ", must_.size(), " must patterns matched, none of ",
                               must_not_.size(), " must_not patterns matched")
                         : failures;
  return result;
}

}  // namespace llmtap::collector
