#!/usr/bin/env bash
# The dashboard at scale: loads bench_query's data set (1,000,000 samples x 3 rubrics over 30
# days, through gRPC ingest; LLMTAP_BENCH_SAMPLES for another size) into a real llmtapd, then
# opens each view in headless Chromium and prints first paint, time to fully drawn, and the
# request times (tests/bench/dashboard_timing.mjs). Takes several minutes, most of it loading.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh llmtapd bench_query
LLMTAP_BENCH_THEN="node $PWD/tests/bench/dashboard_timing.mjs" build/bin/bench_query
