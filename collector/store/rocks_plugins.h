// RocksDB plug-ins: the rollup merge operator and the retention compaction filters.
#ifndef LLMTAP_COLLECTOR_STORE_ROCKS_PLUGINS_H_
#define LLMTAP_COLLECTOR_STORE_ROCKS_PLUGINS_H_

#include <memory>

#include "llmtap/v1/config.pb.h"
#include "rocksdb/compaction_filter.h"
#include "rocksdb/merge_operator.h"

namespace llmtap::collector {

// Merges store.RollupValue operands (see sketch.h). Associative: partial merges are exact.
std::shared_ptr<rocksdb::MergeOperator> NewRollupMergeOperator();

// What each column family's retention filter parses out of its keys.
enum class KeyTime { kSample, kId, kRollup, kMeta };

// Drops entries older than the storage config's retention when compaction visits them, by the
// system clock at that moment (retention is enforced lazily: data stays until compaction
// reaches its files; Store::CompactAll forces it):
//   kSample  samples whose start time is older than their app's retention (app_retention_days,
//            else retention_days, default 30 days; 0 keeps them forever);
//   kId      ids and scores (keyed by sample id, whose first 48 bits are its time), one day
//            after the longest retention of any app, or never when any app keeps samples
//            forever, so that a late retry is still recognised as a duplicate;
//   kRollup  minute rollups older than rollup_retention_days (default 90), hour and day
//            rollups older than 10 times that; merge operands too;
//   kMeta    alert events older than rollup_retention_days (other metadata is kept).
// Thread-safe; `config` is copied.
std::unique_ptr<rocksdb::CompactionFilter> NewRetentionFilter(KeyTime kind,
                                                              const v1::StorageConfig& config);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_STORE_ROCKS_PLUGINS_H_
