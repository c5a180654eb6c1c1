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
# The source package comes through apt (apt-get source) from the archives the machine already
# uses: the script writes deb-src twins of its deb entries to
# /etc/apt/sources.list.d/llmtap-deb-src.sources and refreshes only those indexes.
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

# The source package comes through apt, from the same archive as the binary packages: deb-src
# entries mirroring the machine's own deb entries for this release (see deb_src_entries), in
# a sources file of our own; apt checks the Sources index against the archive's signed
# Release file and each file against the index.
as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
src_list=/etc/apt/sources.list.d/llmtap-deb-src.sources
# Prints a deb-src twin of every enabled deb entry of the apt configuration whose suites are
# this release's (bookworm, bookworm-updates, bookworm-security, ...): the same URIs, suites,
# components and options (Signed-By included), for the distribution's archives, leaving out
# third-party repositories, which may publish no sources.
deb_src_entries() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    # One-line form: deb [options] uri suite component...
    awk -v c="$codename" '$1 == "deb" {
      i = 2
      if ($i ~ /^\[/) while ($i !~ /\]$/) i++
      suite = $(i + 2)
      if (suite == c || index(suite, c "-") == 1) { sub(/^deb[ \t]+/, "deb-src "); print }
    }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f && $f != "$src_list" ]] || continue
    # deb822 form: one stanza per paragraph.
    awk -v c="$codename" 'BEGIN {RS = ""; FS = "\n"} {
      deb = 0; ours = 0; enabled = 1; out = ""
      for (i = 1; i <= NF; i++) {
        line = $i
        if (line ~ /^#/) continue
        if (line ~ /^Types:/) { if ((" " substr(line, 7) " ") ~ /[ \t]deb[ \t]/) deb = 1; line = "Types: deb-src" }
        if (line ~ /^Enabled:[ \t]*no/) enabled = 0
        if (line ~ /^Suites:/) {
          n = split(substr(line, 8), suites, /[ \t]+/)
          for (k = 1; k <= n; k++) if (suites[k] == c || index(suites[k], c "-") == 1) ours = 1
        }
        out = out line "\n"
      }
      if (deb && ours && enabled) printf "%s\n", out
    }' "$f"
  done
}
entries=$(deb_src_entries)
[[ -n $entries ]] || { echo "no deb entry for $codename in the apt configuration" >&2; exit 1; }
wanted="# Written by llmtap's scripts/build_rocksdb.sh: deb-src twins of this machine's deb entries.
$entries"
if [[ ! -f $src_list || $(cat "$src_list") != "$wanted" ]]; then
  printf '%s\n' "$wanted" | as_root tee "$src_list" >/dev/null
fi
source_package=$(dpkg-query -W -f='${source:Package}' librocksdb-dev)
source_version=$(dpkg-query -W -f='${source:Version}' librocksdb-dev)
if ! apt-cache showsrc "$source_package=$source_version" 2>/dev/null | grep -q '^Package:'; then
  # Refresh only our sources file's indexes, leaving the others as they are.
  as_root apt-get update -qq -o Dir::Etc::sourcelist="$src_list" -o Dir::Etc::sourceparts=- \
    -o APT::Get::List-Cleanup=0
fi
work=$(mktemp -d /tmp/llmtap-rocksdb.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get source -qq --download-only "$source_package=$source_version" >/dev/null
dsc=${source_package}_$source_version.dsc
[[ -f $dsc ]] || { echo "apt-get source gave no $dsc" >&2; exit 1; }
# Checked again here, independently of apt: the .dsc lists each file with its SHA-256.
for file in "rocksdb_$upstream.orig.tar.gz" "rocksdb_$version.debian.tar.xz"; do
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
