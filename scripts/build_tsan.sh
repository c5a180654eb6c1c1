#!/usr/bin/env bash
# Builds the SDK and its tests with ThreadSanitizer into build-tsan/. The e2e tests talk to the
# regular build's llmtapd (build/bin, linked into build-tsan/bin): TSan checks the SDK here,
# and a daemon slowed tenfold by TSan would only slow the tests down.
# scripts/test.sh runs them with `ctest --test-dir build-tsan -L sdk`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build-tsan/build.ninja ]]; then
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLLMTAP_TSAN=ON \
    -DLLMTAP_BUILD_PYTHON=OFF -DLLMTAP_SDK_TESTS_BRING_DAEMON=OFF
fi
scripts/build.sh llmtapd
mkdir -p build-tsan/bin
ln -sfn "$PWD/build/bin/llmtapd" build-tsan/bin/llmtapd
targets=$(sed -n 's/^llmtap_sdk_test(\([a-z_]*\) .*/\1/p' tests/sdk/CMakeLists.txt)
cmake --build build-tsan -- $targets
