#include "collector/fleet/sample_scorer.h"

#include <algorithm>
#include <map>

#include "absl/time/clock.h"
#include "collector/scoring/sampler.h"
#include "collector/scoring/score_builder.h"

namespace llmtap::collector::fleet {
namespace {

// As ScoringEngine decides it: the rubric's own conditions.
bool Applies(const v1::Rubric& r, const v1::Sample& s) {
  if (r.requires_contexts() && s.contexts_size() == 0) return false;
  if (r.requires_reference() && s.reference().empty()) return false;
  if (!r.apps().empty() &&
      std::find(r.apps().begin(), r.apps().end(), s.app()) == r.apps().end()) {
    return false;
  }
  return true;
}

}  // namespace

SampleScorer::SampleScorer(const RubricRegistry* rubrics, const v1::ScoringConfig& config,
                           Metrics* metrics)
    : rubrics_(rubrics),
      hash_by_id_(config.hash_key() == v1::ScoringConfig::HASH_KEY_SAMPLE_ID),
      scored_(metrics->AddCounter("llmtap_fleet_scorer_scores_total",
                                  "Scores with a value computed by this scorer.")),
      not_scored_(metrics->AddCounter("llmtap_fleet_scorer_not_scored_total",
                                      "Scores skipped or failed (stored with their reason).")),
      sampled_out_(metrics->AddCounter("llmtap_fleet_scorer_sampled_out_total",
                                       "Sample x rubric pairs left out by the rubric's rate.")) {}

void SampleScorer::Score(const v1::Sample& sample, uint64_t seen_before,
                         ScoreWrite* write) const {
  const std::shared_ptr<const RubricSnapshot> rubrics = rubrics_->Snapshot();
  const double point = SamplePoint(hash_by_id_ ? sample.id() : sample.prompt());
  std::map<std::string, double> earlier;
  std::map<std::string, double> weights;
  for (const CompiledRubric& c : *rubrics) weights[c.rubric.name()] = c.rubric.weight();
  for (const CompiledRubric& c : *rubrics) {  // Composites come last.
    const v1::Rubric& r = c.rubric;
    if (!Applies(r, sample) || !c.scorer->AppliesTo(sample)) continue;
    if (seen_before >= r.full_first_n() && !Sampled(point, r.sample_rate())) {
      write->rollup_values.emplace_back(SkipSeries(r.name(), "sampled_out"), 1);
      sampled_out_->Add();
      continue;
    }
    ScoreContext context;
    const absl::Time started = absl::Now();
    context.deadline = started + absl::Milliseconds(r.timeout_ms());
    context.earlier = &earlier;
    context.weights = &weights;
    v1::Score score =
        BuildScore(r, sample, c.scorer->Score(sample, context), started, context.deadline);
    if (score.state() == v1::SCORE_STATE_SCORED) earlier[r.name()] = score.value();
    (AccountScore(score, write).empty() ? scored_ : not_scored_)->Add();
    write->scores.push_back(std::move(score));
  }
}

}  // namespace llmtap::collector::fleet
