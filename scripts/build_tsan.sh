#!/usr/bin/env bash
# Builds the SDK tests (and the llmtapd they talk to) with ThreadSanitizer into build-tsan/.
# scripts/test.sh runs them with `ctest --test-dir build-tsan -L sdk`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f build-tsan/build.ninja ]]; then
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLLMTAP_TSAN=ON \
    -DLLMTAP_BUILD_PYTHON=OFF
fi
targets=$(sed -n 's/^llmtap_sdk_test(\([a-z_]*\) .*/\1/p' tests/sdk/CMakeLists.txt)
cmake --build build-tsan -- llmtapd $targets
