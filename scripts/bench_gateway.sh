#!/usr/bin/env bash
# Gateway latency benchmark: llmtap-gateway-bench makes calls one at a time to a local upstream
# (a fixed ~1 KB chat completion), alternating a direct call and the same call through
# llmtapd's gateway (recording on), and prints both latency distributions and what the gateway
# adds at p50 and p99:
#   direct_p50_us=.. direct_p99_us=.. proxy_p50_us=.. proxy_p99_us=.. added_p50_us=..
#   added_p99_us=.. calls=N recorded=R
#
#   scripts/bench_gateway.sh [BUILD_DIR]       # default build dir: build
#
# Environment: BENCH_CALLS (5000), BENCH_REPEAT (1).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
ninja -C "$build" -j2 llmtap-gateway-bench >/dev/null
for ((r = 0; r < ${BENCH_REPEAT:-1}; ++r)); do
  "$build/bin/llmtap-gateway-bench" --calls="${BENCH_CALLS:-5000}"
done
