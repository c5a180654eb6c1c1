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
enum class KeyTime { kSample, kId, kRollup };

// Drops entries older than the storage config's retention when compaction visits them.
// Thread-safe; `config` is copied.
std::unique_ptr<rocksdb::CompactionFilter> NewRetentionFilter(KeyTime kind,
                                                              const v1::StorageConfig& config);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_STORE_ROCKS_PLUGINS_H_
