#include "collector/query/trend_query.h"

#include <map>
#include <string>

#include "collector/common/strings.h"
#include "collector/query/filter.h"
#include "collector/query/rollup_reader.h"
#include "collector/query/summary.h"

namespace llmtap::collector {
namespace {

constexpr int64_t kNanos = 1000000000LL;

absl::Status Bad(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(Cat(field, ": ", why));
}

absl::Status Validate(const v1::TrendRequest& r) {
  const v1::Filter& f = r.filter();
  if (absl::Status s = ValidateFilter(f, "filter"); !s.ok()) return s;
  if (f.end_unix_nano() == 0) return Bad("filter.end_unix_nano", "Trend needs a bounded range");
  if (!v1::Metric_IsValid(r.metric())) return Bad("metric", "unknown metric");
  if (!v1::GroupBy_IsValid(r.group_by())) return Bad("group_by", "unknown grouping");
  if (r.bucket_s() % 60 != 0) return Bad("bucket_s", "must be a multiple of 60");
  if (r.group_by() == v1::GROUP_BY_METADATA) {
    if (r.group_key().empty()) return Bad("group_key", "required with GROUP_BY_METADATA");
    if (r.group_key().size() > v1::LIMIT_METADATA_BYTES) return Bad("group_key", "too long");
  } else if (!r.group_key().empty()) {
    return Bad("group_key", "only with GROUP_BY_METADATA");
  }
  if (r.metric() != v1::METRIC_UNSPECIFIED && r.group_by() == v1::GROUP_BY_RUBRIC) {
    return Bad("group_by", "GROUP_BY_RUBRIC trends rubric scores; leave metric unset");
  }
  if (r.metric() == v1::METRIC_UNSPECIFIED && f.rubric().empty() &&
      r.group_by() != v1::GROUP_BY_RUBRIC) {
    return Bad("metric", "set a metric, filter.rubric or group_by GROUP_BY_RUBRIC");
  }
  const int64_t bucket = r.bucket_s() == 0 ? kDefaultTrendBucketS : r.bucket_s();
  const int64_t first_s = f.start_unix_nano() / kNanos / bucket * bucket;
  const int64_t span_ns = f.end_unix_nano() - first_s * kNanos;
  // Rounded up without adding first: span_ns + width_ns could pass INT64_MAX.
  const int64_t width_ns = bucket * kNanos;
  const int64_t buckets = span_ns / width_ns + (span_ns % width_ns != 0 ? 1 : 0);
  if (buckets > kMaxTrendBuckets) {
    return Bad("bucket_s", Cat("the range spans ", buckets, " buckets, at most ",
                               kMaxTrendBuckets));
  }
  return absl::OkStatus();
}

// The group of a sample or rollup row under `group_by` (not GROUP_BY_RUBRIC or _METADATA).
std::string_view GroupOf(v1::GroupBy group_by, std::string_view app, std::string_view model,
                         std::string_view variant) {
  switch (group_by) {
    case v1::GROUP_BY_APP:
      return app;
    case v1::GROUP_BY_MODEL:
      return model;
    case v1::GROUP_BY_VARIANT:
      return variant;
    default:
      return {};
  }
}

// Group -> trend bucket start (seconds) -> rollup of the values in it.
using Buckets = std::map<std::string, std::map<int64_t, Rollup>, std::less<>>;

Rollup& Slot(Buckets& b, std::string_view group, int64_t bucket_s) {
  auto it = b.find(group);
  if (it == b.end()) it = b.emplace(std::string(group), std::map<int64_t, Rollup>()).first;
  return it->second[bucket_s];
}

}  // namespace

absl::StatusOr<v1::TrendResponse> RunTrend(const Store& store, const v1::TrendRequest& r) {
  if (absl::Status s = Validate(r); !s.ok()) return s;
  const v1::Filter& f = r.filter();
  const int64_t width = r.bucket_s() == 0 ? kDefaultTrendBucketS : r.bucket_s();
  auto bucket_of = [width](int64_t start_s) {
    return start_s - ((start_s % width) + width) % width;
  };
  const bool metric_mode = r.metric() != v1::METRIC_UNSPECIFIED;
  const std::string_view metric_series = MetricSeries(r.metric());
  const bool by_rubric = r.group_by() == v1::GROUP_BY_RUBRIC;
  Buckets buckets;

  const bool from_rollups = RollupsCanAnswer(f) && r.group_by() != v1::GROUP_BY_METADATA &&
                            r.group_by() != v1::GROUP_BY_PROMPT_VERSION &&
                            !(metric_mode && !f.rubric().empty());
  if (from_rollups) {
    const std::string prefix =
        metric_mode ? std::string(metric_series) : Cat("r:", f.rubric());
    absl::Status s = ReadRollups(store, f, ResolutionFor(f, width), prefix,
                                 [&](const RollupRow& row) {
      std::string_view group;
      if (metric_mode) {
        if (row.series != metric_series) return;
        group = GroupOf(r.group_by(), row.app, row.model, row.variant);
      } else {
        if (row.series.substr(0, 2) != "r:") return;
        const std::string_view rubric = row.series.substr(2);
        if (!f.rubric().empty() && rubric != f.rubric()) return;
        group = by_rubric ? rubric : GroupOf(r.group_by(), row.app, row.model, row.variant);
      }
      Slot(buckets, group, bucket_of(row.bucket_start_s)).Merge(row.rollup);
    });
    if (!s.ok()) return s;
  } else {
    auto group_of = [&](const v1::Sample& sample) -> std::string_view {
      if (r.group_by() == v1::GROUP_BY_PROMPT_VERSION) return sample.prompt_version();
      if (r.group_by() != v1::GROUP_BY_METADATA) {
        return GroupOf(r.group_by(), sample.app(), sample.model(), sample.variant());
      }
      auto it = sample.metadata().find(r.group_key());
      return it == sample.metadata().end() ? std::string_view() : std::string_view(it->second);
    };
    absl::Status s = ScanFiltered(
        store, f, /*with_scores=*/!metric_mode,
        [&](const v1::Sample& sample, const std::vector<v1::Score>& scores) {
          const int64_t bucket = bucket_of(sample.start_time_unix_nano() / kNanos);
          if (metric_mode) {
            double value;
            if (MetricValue(r.metric(), sample, &value)) {
              Slot(buckets, group_of(sample), bucket).Add(value);
            }
            return;
          }
          for (const v1::Score& score : scores) {
            if (score.state() != v1::SCORE_STATE_SCORED) continue;
            if (!f.rubric().empty() && score.rubric() != f.rubric()) continue;
            Slot(buckets, by_rubric ? std::string_view(score.rubric()) : group_of(sample), bucket)
                .Add(score.value());
          }
        });
    if (!s.ok()) return s;
  }

  v1::TrendResponse response;
  for (const auto& [group, points] : buckets) {
    v1::TrendSeries* series = response.add_series();
    series->set_group(group);
    Rollup total;
    for (const auto& [start_s, rollup] : points) {
      v1::TrendPoint* point = series->add_points();
      point->set_start_unix_nano(start_s * kNanos);
      ToSummary(rollup, point->mutable_summary());
      total.Merge(rollup);
    }
    ToSummary(total, series->mutable_total());
  }
  return response;
}

}  // namespace llmtap::collector
