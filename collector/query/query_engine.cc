#include "collector/query/query_engine.h"

#include <algorithm>
#include <cmath>

#include "collector/common/strings.h"
#include "collector/query/rollup_reader.h"
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

// Filters that Store::ScanSamples does not apply itself.
bool Matches(const v1::Filter& f, const v1::Sample& s) {
  if (!f.model().empty() && s.model() != f.model()) return false;
  if (!f.variant().empty() && s.variant() != f.variant()) return false;
  if (!f.session_id().empty() && s.session_id() != f.session_id()) return false;
  for (const auto& [k, v] : f.metadata()) {
    auto it = s.metadata().find(k);
    if (it == s.metadata().end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

absl::Status ValidateFilter(const v1::Filter& f, std::string_view field) {
  auto at = [&](std::string_view name) { return std::string(field) + "." + std::string(name); };
  if (f.start_unix_nano() < 0) return Bad(at("start_unix_nano"), "must be >= 0");
  if (f.end_unix_nano() < 0) return Bad(at("end_unix_nano"), "must be >= 0");
  if (f.end_unix_nano() > 0 && f.end_unix_nano() <= f.start_unix_nano()) {
    return Bad(at("end_unix_nano"), "must be after start_unix_nano");
  }
  for (std::string_view name : {f.app(), f.model(), f.variant(), f.session_id(), f.rubric()}) {
    if (name.size() > v1::LIMIT_NAME_BYTES || name.find('\0') != std::string_view::npos) {
      return Bad(field, "a name is too long or holds NUL");
    }
  }
  if ((f.has_score_below() || f.has_score_above()) && f.rubric().empty()) {
    return Bad(at("rubric"), "required with score_below or score_above");
  }
  if (f.has_score_below() && !std::isfinite(f.score_below())) {
    return Bad(at("score_below"), "must be finite");
  }
  if (f.has_score_above() && !std::isfinite(f.score_above())) {
    return Bad(at("score_above"), "must be finite");
  }
  return absl::OkStatus();
}

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
  struct Candidate {
    int64_t start;
    std::string id16;
    v1::Sample sample;
    std::vector<v1::Score> scores;
  };
  std::vector<Candidate> candidates;
  std::vector<std::string> apps;
  if (filter.app().empty()) {
    apps = store_->ListApps();
  } else {
    apps.push_back(filter.app());
  }
  for (const std::string& app : apps) {
    std::string after_key;
    if (after) after_key = keys::SampleKey(app, after->start_unix_nano, after->id16);
    size_t taken = 0;
    absl::Status s = store_->ScanSamples(
        app, filter.start_unix_nano(), filter.end_unix_nano(), after_key,
        [&](std::string_view key, v1::Sample&& sample) {
          if (!Matches(filter, sample)) return true;
          auto parts = keys::ParseSampleKey(key);
          Candidate c{parts->start_unix_nano, std::string(parts->id16), std::move(sample), {}};
          if (need_scores) {
            auto scores = store_->GetScores(c.sample.id());
            if (scores.ok()) c.scores = std::move(*scores);
            if (!filter.rubric().empty()) {
              auto it = std::find_if(c.scores.begin(), c.scores.end(), [&](const v1::Score& sc) {
                return sc.rubric() == filter.rubric() && sc.state() == v1::SCORE_STATE_SCORED;
              });
              if (it == c.scores.end()) return true;
              if (filter.has_score_below() && !(it->value() < filter.score_below())) return true;
              if (filter.has_score_above() && !(it->value() > filter.score_above())) return true;
            }
          }
          candidates.push_back(std::move(c));
          return ++taken <= page_size;
        });
    if (!s.ok()) return s;
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.start != b.start ? a.start > b.start : a.id16 > b.id16;
  });

  v1::ListSamplesResponse response;
  for (size_t i = 0; i < candidates.size() && i < page_size; ++i) {
    auto* out = response.add_samples();
    *out->mutable_sample() = std::move(candidates[i].sample);
    if (request.with_scores()) {
      for (auto& sc : candidates[i].scores) *out->add_scores() = std::move(sc);
    }
  }
  if (candidates.size() > page_size) {
    const Candidate& last = candidates[page_size - 1];
    response.set_next_page_token(MakePageToken(last.start, last.id16));
  }
  return response;
}

void ToSummary(const Rollup& r, v1::Summary* out) {
  out->set_count(r.count());
  out->set_sum(r.sum());
  out->set_mean(r.Mean());
  out->set_stddev(r.StdDev());
  out->set_min(r.min());
  out->set_max(r.max());
  out->set_p50(r.Quantile(0.5));
  out->set_p95(r.Quantile(0.95));
  out->set_p99(r.Quantile(0.99));
}

absl::StatusOr<v1::StatsResponse> QueryEngine::Stats(const v1::StatsRequest& request) const {
  const v1::Filter& filter = request.filter();
  if (absl::Status s = ValidateFilter(filter, "filter"); !s.ok()) return s;
  if (filter.has_score_below() || filter.has_score_above()) {
    return Bad("filter.score_below", "not supported by Stats");
  }
  Rollup latency, ttft, input, output, cost, errors;
  auto add = [&](std::string_view series, const Rollup& r) {
    if (series == kLatencySeries) latency.Merge(r);
    else if (series == kTtftSeries) ttft.Merge(r);
    else if (series == kInputTokensSeries) input.Merge(r);
    else if (series == kOutputTokensSeries) output.Merge(r);
    else if (series == kCostSeries) cost.Merge(r);
    else if (series == kErrorSeries) errors.Merge(r);
  };
  if (RollupsCanAnswer(filter)) {
    absl::Status s = ReadRollups(*store_, filter, ResolutionFor(filter, 0),
                                 [&](const RollupRow& row) { add(row.series, row.rollup); });
    if (!s.ok()) return s;
  } else {
    // Session and metadata filters are not in rollup keys: summarise the raw samples.
    std::vector<std::string> apps =
        filter.app().empty() ? store_->ListApps() : std::vector<std::string>{filter.app()};
    for (const auto& app : apps) {
      absl::Status s = store_->ScanSamples(
          app, filter.start_unix_nano(), filter.end_unix_nano(), "",
          [&](std::string_view, v1::Sample&& sample) {
            if (!Matches(filter, sample)) return true;
            const bool error = sample.status() == v1::CALL_STATUS_ERROR;
            latency.Add(sample.latency_ms());
            errors.Add(error ? 1 : 0);
            if (sample.time_to_first_token_ms() > 0) ttft.Add(sample.time_to_first_token_ms());
            if (!error) {
              input.Add(static_cast<double>(sample.input_tokens()));
              output.Add(static_cast<double>(sample.output_tokens()));
              cost.Add(sample.cost_usd());
            }
            return true;
          });
      if (!s.ok()) return s;
    }
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

absl::StatusOr<v1::CompletenessResponse> QueryEngine::Completeness(
    const v1::CompletenessRequest& request) const {
  const v1::Filter& filter = request.filter();
  if (absl::Status s = ValidateFilter(filter, "filter"); !s.ok()) return s;
  if (!RollupsCanAnswer(filter)) {
    return Bad("filter", "Completeness takes app, model, variant and time range only");
  }
  v1::CompletenessResponse response;
  std::map<std::string, v1::RubricSkips> rubrics;
  absl::Status s = ReadRollups(
      *store_, filter, ResolutionFor(filter, 0), [&](const RollupRow& row) {
        std::string_view series = row.series;
        if (series == kErrorSeries) {
          response.set_stored(response.stored() + row.rollup.count());
        } else if (series.substr(0, 2) == "r:") {
          auto& r = rubrics[std::string(series.substr(2))];
          r.set_scored(r.scored() + row.rollup.count());
        } else if (series.substr(0, 2) == "s:") {
          const size_t colon = series.rfind(':');
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
  const std::string prefix =
      filter.app().empty() ? std::string(keys::kClientPrefix)
                           : Cat(keys::kClientPrefix, filter.app(), std::string_view("\0", 1));
  s = store_->ScanMeta(prefix, [&](std::string_view, std::string_view value) {
    v1::ClientStats c;
    if (!c.ParseFromArray(value.data(), static_cast<int>(value.size()))) return;
    response.set_sdk_recorded(response.sdk_recorded() + c.recorded());
    response.set_sdk_sampled_out(response.sdk_sampled_out() + c.sampled_out());
    response.set_sdk_dropped(response.sdk_dropped() + c.dropped());
    response.set_sdk_acked(response.sdk_acked() + c.acked());
    response.set_sdk_rejected(response.sdk_rejected() + c.rejected());
    response.set_sdk_retried(response.sdk_retried() + c.retried());
  });
  if (!s.ok()) return s;
  return response;
}

}  // namespace llmtap::collector
