#include "collector/query/rollup_reader.h"

#include "collector/query/filter.h"

#include "collector/store/keys.h"

namespace llmtap::collector {
namespace {

constexpr int64_t kNanos = 1000000000LL;

bool Aligned(int64_t unix_nano, int64_t width_s) {
  return unix_nano == 0 || unix_nano % (width_s * kNanos) == 0;
}

}  // namespace

bool RollupsCanAnswer(const v1::Filter& f) {
  return f.session_id().empty() && f.prompt_version().empty() && f.metadata().empty() &&
         !f.has_score_below() && !f.has_score_above();
}

char ResolutionFor(const v1::Filter& f, int64_t bucket_s) {
  for (char res : {keys::kDay, keys::kHour}) {
    const int64_t w = keys::BucketSeconds(res);
    if (bucket_s > 0 && bucket_s % w != 0) continue;
    if (Aligned(f.start_unix_nano(), w) && Aligned(f.end_unix_nano(), w)) return res;
  }
  return keys::kMinute;
}

absl::Status ReadRollups(const Store& store, const v1::Filter& filter, char res,
                         const std::function<void(const RollupRow&)>& visit) {
  return ReadRollups(store, filter, res, "", visit);
}

absl::Status ReadRollups(const Store& store, const v1::Filter& filter, char res,
                         std::string_view series_prefix,
                         const std::function<void(const RollupRow&)>& visit) {
  const std::vector<std::string> apps = AppsToRead(store, filter);
  const int64_t width = keys::BucketSeconds(res);
  // Buckets that start inside [start, end); a partial first bucket is left out by alignment.
  const int64_t start_s = (filter.start_unix_nano() / kNanos + width - 1) / width * width;
  const int64_t end_s = filter.end_unix_nano() > 0
                            ? (filter.end_unix_nano() / kNanos + width - 1) / width * width
                            : 0;
  for (const std::string& app : apps) {
    absl::Status s = store.ScanRollups(
        res, app, start_s, end_s, series_prefix,
        [&](std::string_view model, std::string_view variant, std::string_view series,
            int64_t bucket, const Rollup& r) {
          if (!filter.model().empty() && model != filter.model()) return;
          if (!filter.variant().empty() && variant != filter.variant()) return;
          visit(RollupRow{app, model, variant, series, bucket, r});
        });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace llmtap::collector
