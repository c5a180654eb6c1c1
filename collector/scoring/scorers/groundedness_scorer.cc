#include "collector/scoring/scorers/groundedness_scorer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "collector/common/strings.h"
#include "collector/scoring/scorers/text_util.h"

namespace llmtap::collector {
namespace {

constexpr uint32_t kUnknown = 0xFFFFFFFF;

// An m-gram of token ids packed into bytes, so that it hashes and compares as a string.
std::string Key(const std::vector<uint32_t>& ids, size_t begin, size_t m) {
  return std::string(reinterpret_cast<const char*>(ids.data() + begin), m * sizeof(uint32_t));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Scorer>> GroundednessScorer::Create(const v1::Rubric& rubric,
                                                                   const ScorerEnv&) {
  if (absl::Status s = CheckParamsCase(rubric, v1::Rubric::kText, "text"); !s.ok()) return s;
  const uint32_t ngram = rubric.text().ngram();
  if (ngram > kMaxNgram) {
    return RubricFieldError(rubric, "text.ngram", Cat("must be <= ", kMaxNgram, ", got ", ngram));
  }
  return std::unique_ptr<Scorer>(new GroundednessScorer(std::max<uint32_t>(ngram, 1)));
}

absl::StatusOr<ScoreResult> GroundednessScorer::Score(const v1::Sample& sample,
                                                      const ScoreContext&) const {
  if (std::all_of(sample.contexts().begin(), sample.contexts().end(),
                  [](const std::string& c) { return c.empty(); })) {
    return absl::FailedPreconditionError("sample has no contexts");
  }
  const std::vector<std::string> response = ContentTokens(sample.response());
  ScoreResult result;
  if (response.empty()) {
    result.value = 1;
    result.reasoning = "response has no content words, so nothing is unsupported";
    return result;
  }
  const size_t m = std::min<size_t>(ngram_, response.size());

  // Intern the context tokens; a response token never seen in a context cannot be supported.
  absl::flat_hash_map<std::string, uint32_t> ids;
  absl::flat_hash_set<std::string> supported;
  std::vector<uint32_t> context_ids;
  for (const std::string& context : sample.contexts()) {
    context_ids.clear();
    for (std::string& token : ContentTokens(context)) {
      auto [it, inserted] = ids.try_emplace(std::move(token), static_cast<uint32_t>(ids.size()));
      context_ids.push_back(it->second);
    }
    for (size_t i = 0; i + m <= context_ids.size(); ++i) supported.insert(Key(context_ids, i, m));
  }

  std::vector<uint32_t> response_ids;
  response_ids.reserve(response.size());
  for (const std::string& token : response) {
    auto it = ids.find(token);
    response_ids.push_back(it == ids.end() ? kUnknown : it->second);
  }
  const size_t total = response_ids.size() - m + 1;
  size_t hits = 0;
  std::string first_unsupported;
  for (size_t i = 0; i < total; ++i) {
    const bool known = std::none_of(response_ids.begin() + i, response_ids.begin() + i + m,
                                    [](uint32_t id) { return id == kUnknown; });
    if (known && supported.contains(Key(response_ids, i, m))) {
      ++hits;
    } else if (first_unsupported.empty()) {
      for (size_t j = i; j < i + m; ++j) {
        first_unsupported = Cat(first_unsupported, j > i ? " " : "", response[j]);
      }
    }
  }
  result.value = static_cast<double>(hits) / static_cast<double>(total);
  result.reasoning = Cat(hits, " of ", total, " response content ", m, "-grams found in contexts");
  if (!first_unsupported.empty()) {
    result.reasoning =
        Cat(result.reasoning, "; first unsupported: '", Excerpt(first_unsupported, 80), "'");
  }
  return result;
}

}  // namespace llmtap::collector
