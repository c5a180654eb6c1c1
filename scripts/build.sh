#!/usr/bin/env bash
# Configures (once) and builds llmtap with Ninja into build/. Extra arguments are ninja targets.
set -euo pipefail
cd "$(dirname "$0")/.."
# RocksDB: the release build of scripts/build_rocksdb.sh when there is one, else Debian's.
rocksdb_dir=$(scripts/build_rocksdb.sh --cmake-dir 2>/dev/null || true)
if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${rocksdb_dir:+-DRocksDB_DIR=$rocksdb_dir}
elif [[ -n $rocksdb_dir && $(sed -n 's/^RocksDB_DIR:[A-Z]*=//p' build/CMakeCache.txt) != "$rocksdb_dir" ]]; then
  cmake -S . -B build -DRocksDB_DIR="$rocksdb_dir"
fi
cmake --build build -- "$@"
