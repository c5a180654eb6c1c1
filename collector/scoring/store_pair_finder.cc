#include "collector/scoring/store_pair_finder.h"

#include <algorithm>
#include <limits>

namespace llmtap::collector {

absl::StatusOr<std::optional<v1::Sample>> StorePairFinder::FindPartner(
    const v1::Sample& sample, std::string_view variant, absl::Duration window) const {
  if (sample.pair_id().empty()) return std::optional<v1::Sample>();
  const int64_t w = absl::ToInt64Nanoseconds(window);
  const int64_t start = sample.start_time_unix_nano();
  const int64_t from = std::max<int64_t>(1, start - w);
  const int64_t to = start > std::numeric_limits<int64_t>::max() - w - 1
                         ? std::numeric_limits<int64_t>::max()
                         : start + w + 1;
  std::optional<v1::Sample> found;
  uint64_t examined = 0;
  absl::Status s = store_->ScanSamples(
      sample.app(), from, to, "", [&](std::string_view, v1::Sample&& other) {
        if (++examined > kMaxExamined) return false;
        if (other.pair_id() == sample.pair_id() && other.variant() == variant &&
            other.id() != sample.id()) {
          found = std::move(other);
          return false;
        }
        return true;
      });
  if (!s.ok()) return s;
  return found;
}

}  // namespace llmtap::collector
