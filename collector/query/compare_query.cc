#include "collector/query/compare_query.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>

#include "collector/common/strings.h"
#include "collector/query/agreement_math.h"
#include "collector/store/keys.h"
#include "collector/query/filter.h"
#include "collector/query/rollup_reader.h"
#include "collector/query/stats_math.h"
#include "collector/query/summary.h"

namespace llmtap::collector {
namespace {

absl::Status Bad(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(Cat(field, ": ", why));
}

absl::Status Validate(const v1::CompareRequest& r) {
  if (absl::Status s = ValidateFilter(r.baseline(), "baseline"); !s.ok()) return s;
  if (absl::Status s = ValidateFilter(r.candidate(), "candidate"); !s.ok()) return s;
  if (r.rubrics_size() > kMaxCompareRubrics) {
    return Bad("rubrics", Cat("at most ", kMaxCompareRubrics));
  }
  for (const std::string& name : r.rubrics()) {
    if (name.empty() || name.size() > v1::LIMIT_NAME_BYTES ||
        name.find('\0') != std::string::npos) {
      return Bad("rubrics", "a name is empty, too long or holds NUL");
    }
  }
  if (r.has_max_drop() && !(std::isfinite(r.max_drop()) && r.max_drop() >= 0)) {
    return Bad("max_drop", "must be finite and >= 0");
  }
  if (r.has_alpha() && !(r.alpha() > 0 && r.alpha() < 1)) {
    return Bad("alpha", "must be in (0, 1)");
  }
  return absl::OkStatus();
}

using ByRubric = std::map<std::string, Rollup, std::less<>>;

// The scores of one population, per rubric (only `wanted` ones unless it is empty).
absl::StatusOr<ByRubric> Population(const Store& store, const v1::Filter& f,
                                    const std::set<std::string, std::less<>>& wanted) {
  ByRubric out;
  auto want = [&](std::string_view rubric) { return wanted.empty() || wanted.count(rubric); };
  // A rubric filter without thresholds selects the samples that rubric scored; for that same
  // rubric's scores it changes nothing, so rollups still answer.
  const bool only_filter_rubric =
      !wanted.empty() && wanted.size() == 1 && *wanted.begin() == f.rubric();
  if (RollupsCanAnswer(f) && (f.rubric().empty() || only_filter_rubric)) {
    const std::string prefix = wanted.size() == 1 ? Cat("r:", *wanted.begin()) : "r:";
    absl::Status s =
        ReadRollups(store, f, ResolutionFor(f, 0), prefix, [&](const RollupRow& row) {
          if (row.series.substr(0, 2) != "r:") return;
          const std::string_view rubric = row.series.substr(2);
          if (!want(rubric)) return;
          auto it = out.find(rubric);
          if (it == out.end()) it = out.emplace(std::string(rubric), Rollup()).first;
          it->second.Merge(row.rollup);
        });
    if (!s.ok()) return s;
    return out;
  }
  absl::Status s = ScanFiltered(
      store, f, /*with_scores=*/true,
      [&](const v1::Sample&, const std::vector<v1::Score>& scores) {
        for (const v1::Score& score : scores) {
          if (score.state() == v1::SCORE_STATE_SCORED && want(score.rubric())) {
            out[score.rubric()].Add(score.value());
          }
        }
      });
  if (!s.ok()) return s;
  return out;
}

// Names of the stored RUBRIC_KIND_PAIRWISE rubrics.
std::set<std::string, std::less<>> PairwiseRubrics(const Store& store) {
  std::set<std::string, std::less<>> out;
  store
      .ScanMeta(keys::kRubricPrefix,
                [&](std::string_view, std::string_view value) {
                  v1::Rubric rubric;
                  if (rubric.ParseFromArray(value.data(), static_cast<int>(value.size())) &&
                      rubric.kind() == v1::RUBRIC_KIND_PAIRWISE) {
                    out.insert(rubric.name());
                  }
                })
      .IgnoreError();  // Without it, pairwise rubrics are compared like the others.
  return out;
}

void FillOutcome(uint64_t wins, uint64_t losses, uint64_t ties, v1::PairOutcome* out) {
  out->set_wins(wins);
  out->set_losses(losses);
  out->set_ties(ties);
  const uint64_t decided = wins + losses;
  out->set_win_rate(decided ? static_cast<double>(wins) / static_cast<double>(decided) : 0.5);
  const Interval ci = WilsonInterval(wins, decided);
  out->set_win_rate_ci_low(ci.low);
  out->set_win_rate_ci_high(ci.high);
  out->set_sign_test_p(SignTestP(wins, losses));
}

// A pairwise rubric: its scores (1 win, 0.5 tie, 0 loss) are on the candidate's samples.
void ComparePairwise(const std::string& rubric, const Rollup& cand, double max_drop,
                     double alpha, v1::RubricComparison* out) {
  out->set_rubric(rubric);
  ToSummary(cand, out->mutable_candidate());
  out->set_p_value(1);
  const PairCounts c =
      PairCountsFromMoments(Moments{cand.count(), cand.sum(), cand.sum_squares()});
  FillOutcome(c.wins, c.losses, c.ties, out->mutable_pairwise());
  if (cand.count() == 0) {
    out->set_verdict(v1::RubricComparison::VERDICT_INSUFFICIENT_DATA);
    return;
  }
  out->set_delta(cand.Mean() - 0.5);
  out->set_p_value(out->pairwise().sign_test_p());
  const bool regressed = c.losses > c.wins && out->pairwise().sign_test_p() < alpha &&
                         out->delta() < -max_drop;
  out->set_verdict(regressed ? v1::RubricComparison::VERDICT_REGRESSION
                             : v1::RubricComparison::VERDICT_PASS);
}

// Scores by pair_id, then by rubric, of a population's samples that carry a pair_id.
using ByPair = std::map<std::string, std::map<std::string, double, std::less<>>, std::less<>>;

absl::StatusOr<ByPair> PairedScores(const Store& store, const v1::Filter& f) {
  ByPair out;
  absl::Status s = ScanFiltered(
      store, f, /*with_scores=*/true,
      [&](const v1::Sample& sample, const std::vector<v1::Score>& scores) {
        if (sample.pair_id().empty()) return;
        auto& by_rubric = out[sample.pair_id()];
        for (const v1::Score& score : scores) {
          if (score.state() == v1::SCORE_STATE_SCORED) by_rubric[score.rubric()] = score.value();
        }
      });
  if (!s.ok()) return s;
  return out;
}

void ComparePaired(const std::string& rubric, const ByPair& base, const ByPair& cand,
                   v1::PairOutcome* out) {
  uint64_t wins = 0, losses = 0, ties = 0;
  double sum = 0;
  for (const auto& [pair, cand_scores] : cand) {
    auto b = base.find(pair);
    if (b == base.end()) continue;
    auto bv = b->second.find(rubric);
    auto cv = cand_scores.find(rubric);
    if (bv == b->second.end() || cv == cand_scores.end()) continue;
    const double d = cv->second - bv->second;
    sum += d;
    if (d > 0) ++wins;
    if (d < 0) ++losses;
    if (d == 0) ++ties;
  }
  FillOutcome(wins, losses, ties, out);
  const uint64_t n = wins + losses + ties;
  out->set_mean_difference(n ? sum / static_cast<double>(n) : 0);
}

void CompareOne(const std::string& rubric, const Rollup& base, const Rollup& cand,
                double max_drop, double alpha, v1::RubricComparison* out) {
  out->set_rubric(rubric);
  ToSummary(base, out->mutable_baseline());
  ToSummary(cand, out->mutable_candidate());
  out->set_p_value(1);
  if (base.count() > 0 && cand.count() > 0) out->set_delta(cand.Mean() - base.Mean());
  if (base.count() < 2 || cand.count() < 2) {
    out->set_verdict(v1::RubricComparison::VERDICT_INSUFFICIENT_DATA);
    return;
  }
  const WelchResult w = WelchTest(Moments{base.count(), base.sum(), base.sum_squares()},
                                  Moments{cand.count(), cand.sum(), cand.sum_squares()}, 0.95);
  out->set_delta(w.delta);
  out->set_t(w.t);
  out->set_df(w.df);
  out->set_p_value(w.p_value);
  out->set_ci_low(w.ci.low);
  out->set_ci_high(w.ci.high);
  out->set_verdict(w.delta < -max_drop && w.p_value < alpha
                       ? v1::RubricComparison::VERDICT_REGRESSION
                       : v1::RubricComparison::VERDICT_PASS);
}

}  // namespace

absl::StatusOr<v1::CompareResponse> RunCompare(const Store& store,
                                               const v1::CompareRequest& r) {
  if (absl::Status s = Validate(r); !s.ok()) return s;
  const std::set<std::string, std::less<>> wanted(r.rubrics().begin(), r.rubrics().end());
  absl::StatusOr<ByRubric> base = Population(store, r.baseline(), wanted);
  if (!base.ok()) return base.status();
  absl::StatusOr<ByRubric> cand = Population(store, r.candidate(), wanted);
  if (!cand.ok()) return cand.status();

  const std::set<std::string, std::less<>> pairwise = PairwiseRubrics(store);
  std::vector<std::string> rubrics;
  if (r.rubrics_size() > 0) {
    for (const std::string& name : r.rubrics()) {
      if (std::find(rubrics.begin(), rubrics.end(), name) == rubrics.end()) {
        rubrics.push_back(name);
      }
    }
  } else {
    // Every rubric with scores on both sides, and pairwise ones with scores on the candidate's.
    for (const auto& [name, rollup] : *cand) {
      if (base->count(name) || pairwise.count(name)) rubrics.push_back(name);
    }
  }
  ByPair base_pairs, cand_pairs;
  if (r.paired()) {
    absl::StatusOr<ByPair> b = PairedScores(store, r.baseline());
    if (!b.ok()) return b.status();
    absl::StatusOr<ByPair> c = PairedScores(store, r.candidate());
    if (!c.ok()) return c.status();
    base_pairs = std::move(*b);
    cand_pairs = std::move(*c);
  }
  const double max_drop = r.has_max_drop() ? r.max_drop() : kDefaultMaxDrop;
  const double alpha = r.has_alpha() ? r.alpha() : kDefaultAlpha;
  v1::CompareResponse response;
  bool passed = true;
  const Rollup empty;
  for (const std::string& name : rubrics) {
    auto b = base->find(name);
    auto c = cand->find(name);
    v1::RubricComparison* out = response.add_rubrics();
    if (pairwise.count(name)) {
      ComparePairwise(name, c == cand->end() ? empty : c->second, max_drop, alpha, out);
    } else {
      CompareOne(name, b == base->end() ? empty : b->second,
                 c == cand->end() ? empty : c->second, max_drop, alpha, out);
      if (r.paired()) ComparePaired(name, base_pairs, cand_pairs, out->mutable_paired());
    }
    if (out->verdict() == v1::RubricComparison::VERDICT_REGRESSION) passed = false;
  }
  response.set_passed(passed);
  return response;
}

}  // namespace llmtap::collector
