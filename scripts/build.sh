#!/usr/bin/env bash
# Configures (once) and builds llmtap with Ninja into build/. Extra arguments are ninja targets.
#
#   scripts/build.sh [TARGET...]                     # links the release RocksDB if built, else Debian's
#   scripts/build.sh --release-rocksdb [TARGET...]   # first builds the release RocksDB (once, ~7 min)
#
# The benchmarks pass --release-rocksdb; the demo and the tests need only Debian's library.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ${1:-} == --release-rocksdb ]]; then
  shift
  if [[ ${LLMTAP_ROCKSDB:-release} != system ]] && ! scripts/build_rocksdb.sh; then
    echo "warning: the RocksDB release build failed; building against Debian's librocksdb" >&2
  fi
fi
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
