#!/usr/bin/env bash
# OTLP ingest benchmark: a real llmtapd on a temp data folder (sync off, no rubrics), driven by
# llmtap-otlp-loadgen: OTLP/gRPC TraceService/Export of GenAI chat spans of about 1 KB each, in
# requests of 512 spans, from BENCH_THREADS connections; every span is a new sample. Prints
#   mode=otlp spans_per_s=N daemon_cpu_s_per_100k=X loadgen_cpu_s_per_100k=Y samples=S
#   bytes_per_span=B
# where S is what the daemon stored (llmtap_ingest_samples_stored_total, which must equal the
# spans acked) and X the daemon's CPU (utime+stime from /proc) per 100k spans over the run.
#
#   scripts/bench_otlp.sh [BUILD_DIR]          # default build dir: build
#
# Environment: BENCH_SECONDS (30), BENCH_THREADS (4), BENCH_SPAN_BYTES (1024), BENCH_REPEAT (1).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${BENCH_SECONDS:-30}
threads=${BENCH_THREADS:-4}
span_bytes=${BENCH_SPAN_BYTES:-1024}
repeat=${BENCH_REPEAT:-1}

ninja -C "$build" -j2 llmtapd llmtap-otlp-loadgen >/dev/null
bin=$build/bin
tck=$(getconf CLK_TCK)

cpu_ticks() {  # utime + stime of a process, in clock ticks
  local stat; stat=$(cat "/proc/$1/stat")
  stat=${stat##*) }
  awk '{print $12 + $13}' <<<"$stat"
}

run_one() {
  local tmp; tmp=$(mktemp -d /tmp/llmtap-bench-otlp.XXXXXX)
  printf 'storage { sync_wal: false }\n' >"$tmp/config.textproto"
  "$bin/llmtapd" --config="$tmp/config.textproto" --data_dir="$tmp/data" \
    --grpc_addr=127.0.0.1:0 --http_addr=127.0.0.1:0 --ready_file="$tmp/ready" \
    --log_level=warn >"$tmp/llmtapd.log" 2>&1 &
  local pid=$!
  trap 'kill -9 '"$pid"' 2>/dev/null || true; rm -rf '"$tmp"'' EXIT
  for _ in $(seq 200); do [[ -s $tmp/ready ]] && break; sleep 0.05; done
  local grpc_port http_port
  grpc_port=$(sed -E 's/.*"grpc_port": ([0-9]+).*/\1/' "$tmp/ready")
  http_port=$(sed -E 's/.*"http_port": ([0-9]+).*/\1/' "$tmp/ready")
  local cpu0 cpu1 out
  cpu0=$(cpu_ticks "$pid")
  out=$("$bin/llmtap-otlp-loadgen" --collector="127.0.0.1:$grpc_port" --threads="$threads" \
    --seconds="$seconds" --span_bytes="$span_bytes")
  cpu1=$(cpu_ticks "$pid")
  local stored
  stored=$(curl -sf "http://127.0.0.1:$http_port/metrics" |
    awk '$1 == "llmtap_ingest_samples_stored_total" {print $2}')
  kill -TERM "$pid"
  wait "$pid" || true
  local rate lg bps
  rate=$(grep -oE '^spans_per_s=[0-9]+' <<<"$out" | cut -d= -f2)
  lg=$(grep -oE 'cpu_s_per_100k=[0-9.]+' <<<"$out" | cut -d= -f2)
  bps=$(grep -oE 'bytes_per_span=[0-9]+' <<<"$out" | cut -d= -f2)
  awk -v rate="$rate" -v c0="$cpu0" -v c1="$cpu1" -v tck="$tck" -v n="$stored" -v lg="$lg" \
    -v bps="$bps" 'BEGIN {
      printf "mode=otlp spans_per_s=%d daemon_cpu_s_per_100k=%.3f loadgen_cpu_s_per_100k=%s " \
             "samples=%d bytes_per_span=%s\n", rate, (c1 - c0) / tck * 1e5 / n, lg, n, bps }'
  rm -rf "$tmp"
  trap - EXIT
}

echo "llmtap OTLP ingest benchmark: $threads connections, ${seconds}s, ~${span_bytes}-byte spans," \
  "$(nproc) cores"
for ((r = 0; r < repeat; ++r)); do run_one; done
