#!/usr/bin/env bash
# Builds, with clang, AddressSanitizer and UndefinedBehaviorSanitizer, into build-asan/:
# llmtapd, the end-to-end tests, the SDK tests and the libFuzzer targets of tests/fuzz, and
# nothing else. The build is the fuzzing one (LLMTAP_FUZZ: every file also instrumented for
# libFuzzer's coverage), so that one sanitizer build serves the tests and `make fuzz`
# (scripts/fuzz.sh) alike. Unlike the TSan build, the tests here start this build's own
# daemon (build-asan/bin/llmtapd), so the collector is checked as well as the SDK.
# scripts/test.sh runs them with `ctest --test-dir build-asan -L 'e2e|sdk|fuzz'`; the fuzz
# tests replay each target's corpus (tests/fuzz/corpus) once.
#
#   scripts/build_asan.sh [TARGET...]   # default: all of the above
set -euo pipefail
cd "$(dirname "$0")/.."
LLMTAP_SETUP_FUZZ=1 scripts/setup.sh >/dev/null  # clang and libFuzzer, if missing
if [[ ! -f build-asan/build.ninja ]]; then
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLLMTAP_FUZZ=ON -DLLMTAP_BUILD_PYTHON=OFF \
    -DRocksDB_DIR="$(dirname "$(dpkg -L librocksdb-dev | grep -m1 '/RocksDBConfig.cmake$')")" \
    "${launcher[@]}" >/dev/null
fi
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(llmtapd fuzz_targets
    $(sed -n 's/^llmtap_e2e_test(\([a-z_]*\) .*/\1/p' tests/e2e/CMakeLists.txt)
    $(sed -n 's/^llmtap_sdk_test(\([a-z_]*\) .*/\1/p' tests/sdk/CMakeLists.txt))
fi
cmake --build build-asan -- "${targets[@]}"
