#include "collector/store/rocks_plugins.h"

#include <chrono>
#include <deque>

#include "collector/store/keys.h"
#include "collector/store/sketch.h"

namespace llmtap::collector {
namespace {

// Parses the base value (if any) and each operand once, merges them all, serialises once: a
// read of a key with many pending updates costs one parse per update, not one parse and one
// serialisation per pair.
class RollupMergeOperator final : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    Rollup acc;
    // An unparseable value or operand is skipped rather than failing the whole key.
    if (in.existing_value != nullptr) {
      acc.Parse(std::string_view(in.existing_value->data(), in.existing_value->size()));
    }
    MergeAll(in.operand_list, &acc);
    out->new_value = acc.Serialize();
    return true;
  }
  bool PartialMergeMulti(const rocksdb::Slice& key,
                         const std::deque<rocksdb::Slice>& operands, std::string* new_value,
                         rocksdb::Logger* logger) const override {
    Rollup acc;
    MergeAll(operands, &acc);
    *new_value = acc.Serialize();
    return true;
  }
  const char* Name() const override { return "llmtap.RollupMerge"; }

 private:
  template <typename Slices>
  static void MergeAll(const Slices& operands, Rollup* acc) {
    Rollup add;
    for (const rocksdb::Slice& operand : operands) {
      if (add.Parse(std::string_view(operand.data(), operand.size()))) acc->Merge(add);
    }
  }
};

constexpr int64_t kDayNanos = 86400LL * 1000000000LL;

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RetentionFilter final : public rocksdb::CompactionFilter {
 public:
  RetentionFilter(KeyTime kind, const v1::StorageConfig& config) : kind_(kind), config_(config) {}

  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& value,
              std::string* new_value, bool* value_changed) const override {
    const std::string_view k(key.data(), key.size());
    const int64_t now = NowNanos();
    switch (kind_) {
      case KeyTime::kSample: {
        auto parts = keys::ParseSampleKey(k);
        if (!parts) return false;
        const int64_t days = RetentionDays(parts->app);
        return days > 0 && parts->start_unix_nano < now - days * kDayNanos;
      }
      case KeyTime::kId: {
        // Keep ids a day longer than any sample so a late retry is still recognised.
        const int64_t days = MaxRetentionDays();
        if (days <= 0 || k.size() < 6) return false;
        return keys::IdMillis(k) * 1000000 < now - (days + 1) * kDayNanos;
      }
      case KeyTime::kRollup: {
        auto parts = keys::ParseRollupKey(k);
        if (!parts) return false;
        int64_t days = RollupRetentionDays();
        if (days <= 0) return false;
        if (parts->res != keys::kMinute) days *= 10;
        return parts->bucket_start_s * 1000000000LL < now - days * kDayNanos;
      }
      case KeyTime::kMeta: {
        // Only alert events age out; they are kept as long as the minute rollups they
        // were raised from.
        if (!k.starts_with(keys::kAlertPrefix) || k.size() < keys::kAlertPrefix.size() + 8) {
          return false;
        }
        const int64_t days = RollupRetentionDays();
        const auto at = static_cast<int64_t>(keys::GetBE64(k.substr(keys::kAlertPrefix.size())));
        return days > 0 && at < now - days * kDayNanos;
      }
    }
    return false;
  }
  // Rollups are kept by merge: their keys may hold only merge operands until a compaction
  // folds them, so the same decision applies to operands.
  bool FilterMergeOperand(int level, const rocksdb::Slice& key,
                          const rocksdb::Slice& operand) const override {
    std::string unused_value;
    bool unused_changed = false;
    return Filter(level, key, operand, &unused_value, &unused_changed);
  }
  // Sample values may live in blob files: every decision here is made from the key alone, so
  // RocksDB need not read a blob to let a compaction keep or drop it.
  Decision FilterBlobByKey(int level, const rocksdb::Slice& key, std::string* new_value,
                           std::string* /*skip_until*/) const override {
    bool unused_changed = false;
    return Filter(level, key, rocksdb::Slice(), new_value, &unused_changed) ? Decision::kRemove
                                                                            : Decision::kKeep;
  }
  const char* Name() const override { return "llmtap.Retention"; }

 private:
  int64_t RetentionDays(std::string_view app) const {
    auto it = config_.app_retention_days().find(std::string(app));
    if (it != config_.app_retention_days().end()) return it->second;
    return config_.has_retention_days() ? config_.retention_days() : 30;
  }
  // Of minute rollups (default 90 days; 0 keeps them forever).
  int64_t RollupRetentionDays() const {
    return config_.has_rollup_retention_days() ? config_.rollup_retention_days() : 90;
  }
  // The longest retention of any app; 0 when some app (or the default) keeps samples forever.
  int64_t MaxRetentionDays() const {
    int64_t days = config_.has_retention_days() ? config_.retention_days() : 30;
    if (days == 0) return 0;
    for (const auto& [app, d] : config_.app_retention_days()) {
      if (d == 0) return 0;
      days = std::max<int64_t>(days, d);
    }
    return days;
  }

  const KeyTime kind_;
  const v1::StorageConfig config_;
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewRollupMergeOperator() {
  return std::make_shared<RollupMergeOperator>();
}

std::unique_ptr<rocksdb::CompactionFilter> NewRetentionFilter(KeyTime kind,
                                                              const v1::StorageConfig& config) {
  return std::make_unique<RetentionFilter>(kind, config);
}

}  // namespace llmtap::collector
