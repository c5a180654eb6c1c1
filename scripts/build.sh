#!/usr/bin/env bash
# Configures (once) and builds llmtap with Ninja into build/. Extra arguments are ninja targets.
set -euo pipefail
cd "$(dirname "$0")/.."
# RocksDB: the release build of scripts/build_rocksdb.sh when there is one (and
# LLMTAP_ROCKSDB is not "system"), else Debian's.
rocksdb_dir=
[[ ${LLMTAP_ROCKSDB:-release} == system ]] || rocksdb_dir=$(scripts/build_rocksdb.sh --cmake-dir || true)
if [[ -z $rocksdb_dir ]]; then
  rocksdb_dir=$(dirname "$(dpkg -L librocksdb-dev | grep -m1 '/RocksDBConfig.cmake$')")
fi
if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRocksDB_DIR="$rocksdb_dir"
elif [[ $(sed -n 's/^RocksDB_DIR:[A-Z]*=//p' build/CMakeCache.txt) != "$rocksdb_dir" ]]; then
  cmake -S . -B build -DRocksDB_DIR="$rocksdb_dir"
fi
cmake --build build -- "$@"
