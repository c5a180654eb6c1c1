#include "collector/query/query_engine.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "collector/common/strings.h"
#include "collector/query/agreement_query.h"
#include "collector/query/compare_query.h"
#include "collector/query/rollup_reader.h"
#include "collector/query/scope.h"
#include "collector/query/trend_query.h"
#include "collector/store/keys.h"

namespace llmtap::collector {
namespace {

absl::Status Bad(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(std::string(field) + ": " + std::string(why));
}

// A page token is the position of the last sample returned: be64(start time) and its id,
// 48 hex characters.
std::string MakePageToken(int64_t start_unix_nano, std::string_view id16) {
  std::string raw;
  keys::PutBE64(&raw, static_cast<uint64_t>(start_unix_nano));
  raw.append(id16);
  return keys::EncodeId(raw);
}

struct Position {
  int64_t start_unix_nano;
  std::string id16;
};

absl::StatusOr<Position> ParsePageToken(std::string_view token) {
  auto raw = keys::DecodeHex(token);
  if (!raw || raw->size() != 24) return Bad("page_token", "not a token from a previous page");
  return Position{static_cast<int64_t>(keys::GetBE64(*raw)), raw->substr(8)};
}

}  // namespace

absl::StatusOr<v1::GetSampleResponse> QueryEngine::GetSample(
    const v1::GetSampleRequest& request) const {
  if (!keys::DecodeId(request.id())) return Bad("id", "want 32 lowercase hex characters");
  v1::GetSampleResponse response;
  auto sample = store_->GetSample(request.id());
  if (!sample.ok()) return sample.status();
  *response.mutable_sample() = std::move(*sample);
  auto scores = store_->GetScores(request.id());
  if (!scores.ok()) return scores.status();
  for (auto& s : *scores) *response.add_scores() = std::move(s);
  return response;
}

absl::StatusOr<v1::ListSamplesResponse> QueryEngine::ListSamples(
    const v1::ListSamplesRequest& request) const {
  const v1::Filter& filter = request.filter();
  if (absl::Status s = ValidateFilter(filter, "filter"); !s.ok()) return s;
  if (request.page_size() > kMaxPageSize) {
    return Bad("page_size", Cat("at most ", kMaxPageSize));
  }
  const size_t page_size = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  std::optional<Position> after;
  if (!request.page_token().empty()) {
    auto p = ParsePageToken(request.page_token());
    if (!p.ok()) return p.status();
    after = *p;
  }
  const bool need_scores = request.with_scores() || !filter.rubric().empty();

  // Newest first across apps: take up to page_size + 1 candidates from each app, then merge.
  // Each app may examine its share of kMaxScanSamples; an app that runs out of it has only
  // been searched down to the position where it stopped, so the page ends there.
  struct Candidate {
    Position at;
    v1::Sample sample;
    std::vector<v1::Score> scores;
  };
  auto newer = [](const Position& a, const Position& b) {
    return a.start_unix_nano != b.start_unix_nano ? a.start_unix_nano > b.start_unix_nano
                                                  : a.id16 > b.id16;
  };
  std::vector<Candidate> candidates;
  // The highest last-examined position of an app that ran out of budget.
  std::optional<Position> cutoff;
  const std::vector<std::string> apps = AppsToRead(*store_, filter);
  const uint64_t budget = std::max<uint64_t>(
      page_size + 1, kMaxScanSamples / std::max<size_t>(1, apps.size()));
  for (const std::string& app : apps) {
    std::string after_key;
    if (after) after_key = keys::SampleKey(app, after->start_unix_nano, after->id16);
    size_t taken = 0;
    uint64_t examined = 0;
    Position last;
    absl::Status error;
    absl::Status s = store_->ScanSamples(
        app, filter.start_unix_nano(), filter.end_unix_nano(), after_key,
        [&](std::string_view key, v1::Sample&& sample) {
          if (++examined > budget) {
            if (!cutoff || newer(last, *cutoff)) cutoff = last;
            return false;
          }
          auto parts = keys::ParseSampleKey(key);
          last = Position{parts->start_unix_nano, std::string(parts->id16)};
          if (!SampleMatches(filter, sample)) return true;
          Candidate c{last, std::move(sample), {}};
          if (need_scores) {
            auto scores = store_->GetScores(c.sample.id());
            if (!scores.ok()) {
              error = scores.status();
              return false;
            }
            c.scores = std::move(*scores);
            if (!ScoresMatch(filter, c.scores)) return true;
          }
          candidates.push_back(std::move(c));
          return ++taken <= page_size;
        });
    if (!s.ok()) return s;
    if (!error.ok()) return error;
  }
  std::sort(candidates.begin(), candidates.end(),
            [&](const Candidate& a, const Candidate& b) { return newer(a.at, b.at); });
  size_t usable = std::min(candidates.size(), page_size + 1);
  if (cutoff) {
    // Every app has been searched down to the cutoff (inclusive), not below it.
    usable = 0;
    while (usable < candidates.size() && usable <= page_size &&
           !newer(*cutoff, candidates[usable].at)) {
      ++usable;
    }
  }

  v1::ListSamplesResponse response;
  for (size_t i = 0; i < usable && i < page_size; ++i) {
    auto* out = response.add_samples();
    *out->mutable_sample() = std::move(candidates[i].sample);
    if (request.with_scores()) {
      for (auto& sc : candidates[i].scores) *out->add_scores() = std::move(sc);
    }
  }
  if (usable > page_size) {
    const Candidate& last = candidates[page_size - 1];
    response.set_next_page_token(MakePageToken(last.at.start_unix_nano, last.at.id16));
  } else if (cutoff) {
    response.set_next_page_token(MakePageToken(cutoff->start_unix_nano, cutoff->id16));
  }
  return response;
}

absl::StatusOr<v1::StatsResponse> QueryEngine::Stats(const v1::StatsRequest& request) const {
  const v1::Filter& filter = request.filter();
  if (absl::Status s = ValidateFilter(filter, "filter"); !s.ok()) return s;
  Rollup latency, ttft, input, output, cost, errors;
  if (RollupsCanAnswer(filter) && filter.rubric().empty()) {
    absl::Status s = ReadRollups(
        *store_, filter, ResolutionFor(filter, 0), "m:", [&](const RollupRow& row) {
          const std::string_view series = row.series;
          if (series == kLatencySeries) latency.Merge(row.rollup);
          else if (series == kTtftSeries) ttft.Merge(row.rollup);
          else if (series == kInputTokensSeries) input.Merge(row.rollup);
          else if (series == kOutputTokensSeries) output.Merge(row.rollup);
          else if (series == kCostSeries) cost.Merge(row.rollup);
          else if (series == kErrorSeries) errors.Merge(row.rollup);
        });
    if (!s.ok()) return s;
  } else {
    // Session, metadata and rubric filters are not in rollup keys: summarise the samples.
    absl::Status s = ScanFiltered(
        *store_, filter, /*with_scores=*/false,
        [&](const v1::Sample& sample, const std::vector<v1::Score>&) {
          const std::pair<v1::Metric, Rollup*> metrics[] = {
              {v1::METRIC_LATENCY_MS, &latency},      {v1::METRIC_TTFT_MS, &ttft},
              {v1::METRIC_INPUT_TOKENS, &input},      {v1::METRIC_OUTPUT_TOKENS, &output},
              {v1::METRIC_COST_USD, &cost},           {v1::METRIC_ERROR, &errors}};
          double value;
          for (const auto& [metric, rollup] : metrics) {
            if (MetricValue(metric, sample, &value)) rollup->Add(value);
          }
        });
    if (!s.ok()) return s;
  }
  v1::StatsResponse response;
  response.set_samples(errors.count());
  response.set_errors(static_cast<uint64_t>(errors.sum() + 0.5));
  response.set_error_rate(errors.Mean());
  ToSummary(latency, response.mutable_latency_ms());
  ToSummary(ttft, response.mutable_ttft_ms());
  ToSummary(input, response.mutable_input_tokens());
  ToSummary(output, response.mutable_output_tokens());
  ToSummary(cost, response.mutable_cost_usd());
  return response;
}

absl::StatusOr<v1::TrendResponse> QueryEngine::Trend(const Principal& who,
                                                     const v1::TrendRequest& request) const {
  v1::TrendRequest scoped = request;
  if (absl::Status s = ScopeFilter(who, scoped.mutable_filter(), "filter"); !s.ok()) return s;
  return RunTrend(*store_, scoped);
}

absl::StatusOr<v1::CompareResponse> QueryEngine::Compare(const Principal& who,
                                                         const v1::CompareRequest& request) const {
  v1::CompareRequest scoped = request;
  if (absl::Status s = ScopeFilter(who, scoped.mutable_baseline(), "baseline"); !s.ok()) return s;
  if (absl::Status s = ScopeFilter(who, scoped.mutable_candidate(), "candidate"); !s.ok()) {
    return s;
  }
  return RunCompare(*store_, scoped);
}

absl::StatusOr<v1::GetSampleResponse> QueryEngine::GetSample(
    const Principal& who, const v1::GetSampleRequest& request) const {
  absl::StatusOr<v1::GetSampleResponse> found = GetSample(request);
  if (found.ok() && !who.CanAccessApp(found->sample().app())) {
    // The same answer as for an unknown id: a key never learns that another app's sample exists.
    return absl::NotFoundError(Cat("no sample with id ", request.id()));
  }
  return found;
}

absl::StatusOr<v1::ListSamplesResponse> QueryEngine::ListSamples(
    const Principal& who, const v1::ListSamplesRequest& request) const {
  v1::ListSamplesRequest scoped = request;
  if (absl::Status s = ScopeFilter(who, scoped.mutable_filter(), "filter"); !s.ok()) return s;
  return ListSamples(scoped);
}

absl::StatusOr<v1::StatsResponse> QueryEngine::Stats(const Principal& who,
                                                     const v1::StatsRequest& request) const {
  v1::StatsRequest scoped = request;
  if (absl::Status s = ScopeFilter(who, scoped.mutable_filter(), "filter"); !s.ok()) return s;
  return Stats(scoped);
}

absl::StatusOr<v1::CompletenessResponse> QueryEngine::Completeness(
    const Principal& who, const v1::CompletenessRequest& request) const {
  v1::CompletenessRequest scoped = request;
  if (absl::Status s = ScopeFilter(who, scoped.mutable_filter(), "filter"); !s.ok()) return s;
  return Completeness(scoped);
}

absl::StatusOr<v1::AgreementResponse> QueryEngine::Agreement(
    const Principal& who, const v1::AgreementRequest& request) const {
  v1::AgreementRequest scoped = request;
  if (absl::Status s = ScopeFilter(who, scoped.mutable_filter(), "filter"); !s.ok()) return s;
  return RunAgreement(*store_, scoped);
}

absl::StatusOr<v1::CompletenessResponse> QueryEngine::Completeness(
    const v1::CompletenessRequest& request) const {
  const v1::Filter& filter = request.filter();
  if (absl::Status s = ValidateFilter(filter, "filter"); !s.ok()) return s;
  for (const auto& [set, field] : {std::pair{!filter.session_id().empty(), "session_id"},
                                   std::pair{!filter.prompt_version().empty(), "prompt_version"},
                                   std::pair{filter.metadata_size() > 0, "metadata"},
                                   std::pair{filter.has_score_below(), "score_below"},
                                   std::pair{filter.has_score_above(), "score_above"}}) {
    if (set) return Bad(Cat("filter.", field), "not taken by Completeness (counts are rollups)");
  }
  v1::CompletenessResponse response;
  std::map<std::string, v1::RubricSkips> rubrics;
  absl::Status s = ReadRollups(
      *store_, filter, ResolutionFor(filter, 0), [&](const RollupRow& row) {
        std::string_view series = row.series;
        if (series == kErrorSeries) {
          response.set_stored(response.stored() + row.rollup.count());
        } else if (series.substr(0, 2) == "r:") {
          if (!filter.rubric().empty() && series.substr(2) != filter.rubric()) return;
          auto& r = rubrics[std::string(series.substr(2))];
          r.set_scored(r.scored() + row.rollup.count());
        } else if (series.substr(0, 2) == "s:") {
          const size_t colon = series.rfind(':');
          if (!filter.rubric().empty() && series.substr(2, colon - 2) != filter.rubric()) return;
          auto& r = rubrics[std::string(series.substr(2, colon - 2))];
          const std::string reason(series.substr(colon + 1));
          if (reason == "sampled_out") {
            r.set_sampled_out(r.sampled_out() + row.rollup.count());
          } else if (reason == "error") {
            r.set_errors(r.errors() + row.rollup.count());
          } else {
            (*r.mutable_skipped())[reason] += row.rollup.count();
          }
        }
      });
  if (!s.ok()) return s;
  for (auto& [name, r] : rubrics) {
    r.set_rubric(name);
    *response.add_rubrics() = std::move(r);
  }
  // SDK counters are kept per app; a scoped filter reads only its apps' counters.
  s = store_->ScanMeta(keys::kClientPrefix, [&](std::string_view, std::string_view value) {
    v1::ClientStats c;
    if (!c.ParseFromArray(value.data(), static_cast<int>(value.size()))) return;
    if (!AppMatches(filter, c.app())) return;
    response.set_sdk_recorded(response.sdk_recorded() + c.recorded());
    response.set_sdk_sampled_out(response.sdk_sampled_out() + c.sampled_out());
    response.set_sdk_dropped(response.sdk_dropped() + c.dropped());
    response.set_sdk_acked(response.sdk_acked() + c.acked());
    response.set_sdk_rejected(response.sdk_rejected() + c.rejected());
    response.set_sdk_retried(response.sdk_retried() + c.retried());
  });
  if (!s.ok()) return s;
  if (live_scoring_) {
    live_scoring_([&filter](std::string_view app) { return AppMatches(filter, app); }, &response);
  }
  return response;
}

}  // namespace llmtap::collector
