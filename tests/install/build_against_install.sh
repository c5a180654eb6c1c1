#!/usr/bin/env bash
# build_against_install.sh <llmtap build dir> <outside project dir>
set -euo pipefail
build=$1 project=$2
work=$(mktemp -d /tmp/llmtap-install-XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" > /dev/null
cmake -S "$project" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null
cmake --build "$work/build"
test -x "$work/build/quickstart"
echo "built $project against the installed llmtap"
