// The RocksDB options of the collector's store: the database's, and those of each column
// family (what each family holds is in keys.h). Store::Open uses them; so does nothing else.
#ifndef LLMTAP_COLLECTOR_STORE_STORE_OPTIONS_H_
#define LLMTAP_COLLECTOR_STORE_STORE_OPTIONS_H_

#include <memory>
#include <string>
#include <vector>

#include "llmtap/v1/config.pb.h"
#include "rocksdb/compaction_filter.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/statistics.h"

namespace llmtap::collector {

struct RocksOptions {
  rocksdb::DBOptions db;
  // default, samples, ids, scores, queue, rollups, meta: the order of Store's handles.
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  // The retention filters `families` point to; they must outlive the database.
  std::vector<std::unique_ptr<rocksdb::CompactionFilter>> filters;
};

// Whether the RocksDB linked in can recover a compressed WAL after a crash: a precondition of
// storage.wal_compression.
bool WalCompressionSupported();

// Options for a database in `dir` (created if missing) with `config`, with RocksDB's counters
// going to `statistics`.
RocksOptions MakeRocksOptions(const std::string& dir, const v1::StorageConfig& config,
                              std::shared_ptr<rocksdb::Statistics> statistics);

}  // namespace llmtap::collector

#endif  // LLMTAP_COLLECTOR_STORE_STORE_OPTIONS_H_
