#!/usr/bin/env bash
# Builds Debian's RocksDB (the librocksdb-dev version installed, from its Debian source package
# with Debian's patches) as a release library: the same code, compiled with -DNDEBUG, plus the
# upstream fixes in scripts/rocksdb-patches (each file says what it fixes and where upstream
# fixed it). The install folder's name carries a digest of those patches, so a new or changed
# patch builds a new library, and the folder lists them in llmtap-patches.txt, where CMake
# looks for the fixes the collector relies on.
#
#   scripts/build_rocksdb.sh               # build once into the cache folder (idempotent)
#   scripts/build_rocksdb.sh --cmake-dir   # print its RocksDB_DIR, or fail if not built
#
# Why: Debian builds RocksDB with CMAKE_BUILD_TYPE=None, which leaves assertions and test
# sync points compiled in (5,391 __assert_fail calls in llmtapd, against none in a release
# build), some on every memtable insert and compaction step. Against the release library, the
# collector took 7-10% less CPU per sample and ingested 7-8% more (scripts/bench_ingest.sh,
# side by side). scripts/build.sh links it when it is here and falls back to Debian's otherwise.
#
# Environment: LLMTAP_DEPS_DIR (default ~/.cache/llmtap), where the library is installed.
set -euo pipefail

version=$(dpkg-query -W -f='${Version}' librocksdb-dev)  # e.g. 7.8.3-2
upstream=${version%-*}
patches=$(cd "$(dirname "$0")/rocksdb-patches" && pwd)
digest=$(cat "$patches"/*.patch | sha256sum | cut -c1-8)
prefix=${LLMTAP_DEPS_DIR:-$HOME/.cache/llmtap}/rocksdb-$version-release-$digest
cmake_dir=$prefix/lib/cmake/rocksdb

if [[ ${1:-} == --cmake-dir ]]; then
  [[ -f $prefix/.complete ]] || exit 1
  echo "$cmake_dir"
  exit 0
fi
if [[ -f $prefix/.complete ]]; then
  echo "present: $prefix"
  exit 0
fi

pool=https://deb.debian.org/debian/pool/main/r/rocksdb
work=$(mktemp -d /tmp/llmtap-rocksdb.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
dsc=rocksdb_$version.dsc
curl -fsSLO "$pool/$dsc"
# The .dsc lists each file of the source package with its SHA-256.
for file in "rocksdb_$upstream.orig.tar.gz" "rocksdb_$version.debian.tar.xz"; do
  curl -fsSLO "$pool/$file"
  want=$(awk -v f="$file" '/^Checksums-Sha256:/ {on = 1; next} /^[^ ]/ {on = 0}
                            on && $3 == f {print $1}' "$dsc")
  [[ -n $want ]] || { echo "no SHA-256 for $file in $dsc" >&2; exit 1; }
  echo "$want  $file" | sha256sum -c --quiet -
done
tar xzf "rocksdb_$upstream.orig.tar.gz"
src=$work/rocksdb-$upstream
tar xJf "rocksdb_$version.debian.tar.xz" -C "$src"
while read -r patch; do
  [[ -z $patch || $patch == \#* ]] && continue
  patch -d "$src" -p1 -s <"$src/debian/patches/$patch"
done <"$src/debian/patches/series"
for patch in "$patches"/*.patch; do
  patch -d "$src" -p1 -s <"$patch"
done

# Debian's options (debian/rules), less the tools and tests, in release mode. RTTI stays on:
# the collector's RocksDB plugins derive from its classes.
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DUSE_RTTI=1 \
  -DPORTABLE=ON -DFAIL_ON_WARNINGS=OFF -DWITH_GFLAGS=OFF \
  -DWITH_LZ4=ON -DWITH_ZSTD=ON -DWITH_SNAPPY=ON -DWITH_ZLIB=ON -DWITH_BZ2=ON \
  -DWITH_TESTS=OFF -DWITH_BENCHMARK_TOOLS=OFF -DWITH_CORE_TOOLS=OFF -DWITH_TOOLS=OFF \
  -DROCKSDB_BUILD_SHARED=OFF -DCMAKE_INSTALL_PREFIX="$prefix" >"$work/configure.log" ||
  { cat "$work/configure.log"; exit 1; }
echo "compiling RocksDB $version (release; about 10 minutes on 2 cores)"
ninja -C "$work/build" -j"$(nproc)" rocksdb >"$work/build.log" || { tail -50 "$work/build.log"; exit 1; }
ninja -C "$work/build" install >/dev/null
(cd "$patches" && ls -- *.patch) >"$prefix/llmtap-patches.txt"
touch "$prefix/.complete"
echo "installed: $prefix"
