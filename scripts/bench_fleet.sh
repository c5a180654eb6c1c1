#!/usr/bin/env bash
# Fleet benchmark: a real Kafka broker (tests/fleet/kafka/broker.sh) and llmtapd processes on
# this machine (tests/fleet/fleet_bench.cc says what is measured). Prints one line per run:
#   ingest mode=direct|kafka samples=N seconds=S samples_per_s=R
#   judge scorers=1|2 judge_ms=L concurrency=C verdicts=N seconds=S verdicts_per_s=R
#
#   scripts/bench_fleet.sh [BUILD_DIR] [fleet_bench flags]   # default build dir: build
#   e.g. scripts/bench_fleet.sh build --samples=200000 --judged=3000 --judge_ms=100
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
ninja -C "$build" llmtapd fleet_bench >/dev/null
exec "$build/bin/fleet_bench" "$@"
