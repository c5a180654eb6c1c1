#!/usr/bin/env bash
# Side-by-side Record() latency of several bench_sdk builds: runs them in turn, N rounds, and
# prints per benchmark and binary the medians over the rounds of drop_ratio, p50, p99 and
# p999 (ns). Alternating the binaries spreads this machine's drifting noise over all of them,
# which separate runs minutes apart do not.
#
#   scripts/bench_sdk_compare.sh ROUNDS BENCH_SDK...   # e.g. 4 /tmp/old/bench_sdk build/bin/bench_sdk
#
# Environment: FILTER (benchmark filter, default BM_Record: BM_Record and BM_RecordPaced).
# Copies of bench_sdk must sit in a build's bin/ (they start the llmtapd beside them).
set -euo pipefail
rounds=$1
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((i = 0; i < rounds; ++i)); do
  for bin in "$@"; do
    "$bin" --benchmark_filter="${FILTER:-BM_Record}" --benchmark_format=csv 2>/dev/null |
      grep '^"BM' | sed "s|^|$bin,|" >>"$out"
  done
done
python3 - "$out" <<'PY'
import collections, csv, statistics, sys
runs = collections.defaultdict(lambda: collections.defaultdict(list))
for row in csv.reader(open(sys.argv[1])):
    binary, name = row[0], row[1]
    # bench_sdk's counters, last in each row: drop_ratio, p50_ns, p999_ns, p99_ns.
    drop, p50, p999, p99 = (float(x) for x in row[-4:])
    runs[name][binary].append((drop, p50, p99, p999))
print(f"{'benchmark':55s} {'binary':30s} {'n':>2s} {'drop':>6s} {'p50':>6s} {'p99':>6s} {'p999':>7s}")
for name, by_binary in runs.items():
    for binary, values in by_binary.items():
        med = [statistics.median(v[i] for v in values) for i in range(4)]
        print(f"{name:55s} {binary[-30:]:30s} {len(values):2d} {med[0]:6.3f} "
              f"{med[1]:6.0f} {med[2]:6.0f} {med[3]:7.0f}")
PY
