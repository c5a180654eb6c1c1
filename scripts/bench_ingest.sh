#!/usr/bin/env bash
# Ingest benchmark: a real llmtapd on a temp data folder, driven by llmtap-loadgen (the SDK, in
# its own process, several streams, ~1 KB samples), once with the WAL on and sync off and once
# with sync on (group commit); then the store's write path alone (llmtap-store-bench: one
# thread calling Store::Ingest in batches of 4096, as the committer does, with no gRPC, parsing
# or validation in front), the ceiling of the nosync run and the store's share of its CPU.
#
#   scripts/bench_ingest.sh [BUILD_DIR]        # default build dir: build
#
# Environment: BENCH_AUTH=1 (API keys on: the loadgen sends an ingest key scoped to its app;
# side by side with BENCH_AUTH=0 this is the cost of authentication and scoping),
# BENCH_SECONDS (60), BENCH_STREAMS (4), BENCH_SAMPLE_BYTES (1024),
# BENCH_MODES ("nosync sync store"), BENCH_REPEAT (1), BENCH_LOADGEN_FLAGS (extra loadgen flags),
# BENCH_STORAGE (extra fields of the config's storage block, e.g. "compression:
# COMPRESSION_LZ4"), BENCH_DAEMON and BENCH_LOADGEN (other binaries to compare, e.g. copies of
# an older build), BENCH_FINAL_COMPACTION=0 (skip the final compaction, for quicker side by
# side runs; bytes_per_sample is then 0), BENCH_KEEP_LOG=FILE (keep the daemon's RocksDB LOG,
# whose compaction events show where background work went).
#
# Runs last a minute because a short one flatters: for its first ~10 s RocksDB defers most
# compaction (files pile up in level 0), so a 10 s run reported 80-95k samples/s where the
# sustained rate was 63k (same build, same day).
#
# Per run it prints one line:
#   mode=nosync samples_per_s=N daemon_cpu_s_per_100k=X loadgen_cpu_s_per_100k=Y
#   final_compaction_cpu_s_per_100k=Z bytes_per_sample=B samples=S end_l0_files=F
#   end_pending_compaction_gb=P stall_s=T write_amp=W
# F and P are the samples family's compaction backlog when the load stopped (RocksDB slows
# writes at 40 level-0 files and at 64 GB pending), T the time writes were slowed or stopped,
# W what flushes and compactions had written by then per byte written: a rate that left a
# backlog growing is higher than the one the daemon can keep up for hours.
# bytes_per_sample is the size of the live SST and blob files (all column families) after a
# flush and a full compaction (to the last level, ZSTD unless BENCH_STORAGE says otherwise;
# sample bodies in blob files, LZ4, unless it says "sample_blob_files: false") divided by the
# samples stored (a du of the folder right then would also count compaction inputs not yet
# deleted); Z is the CPU that compaction took (work a long-running daemon does in the
# background sooner or later).
# The store run prints `mode=store samples_per_s=N store_cpu_s_per_100k=X` (X: that process's
# CPU less the time it spent building samples, RocksDB's background work included). It always
# runs this build's llmtap-store-bench, whatever BENCH_DAEMON says.
# daemon CPU is utime+stime of llmtapd from /proc/<pid>/stat, from the loadgen's start to its
# end (so it includes RocksDB's background flushes and compactions during the run).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${BENCH_SECONDS:-60}
streams=${BENCH_STREAMS:-4}
sample_bytes=${BENCH_SAMPLE_BYTES:-1024}
modes=${BENCH_MODES:-nosync sync store}
repeat=${BENCH_REPEAT:-1}

targets=(llmtapd llmtap-loadgen llmtap-compact llmtap-store-bench)
if [[ $build == build ]]; then
  # Measured against the release RocksDB, built on the first benchmark run (scripts/build.sh).
  echo "building (the first benchmark run also compiles the release RocksDB, ~7 min)" >&2
  scripts/build.sh --release-rocksdb "${targets[@]}" >/dev/null
else
  ninja -C "$build" -j2 "${targets[@]}" >/dev/null
fi
bin=$build/bin
daemon=${BENCH_DAEMON:-$bin/llmtapd}
loadgen=${BENCH_LOADGEN:-$bin/llmtap-loadgen}
tck=$(getconf CLK_TCK)

cpu_ticks() {  # utime + stime of a process, in clock ticks
  # Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
  local stat; stat=$(cat "/proc/$1/stat")
  stat=${stat##*) }
  awk '{print $12 + $13}' <<<"$stat"
}

metric() {  # metric <metrics text> <name>
  awk -v m="$2" '$1 == m {print $2}' <<<"$1"
}

run_one() {  # run_one <mode>
  local mode=$1 tmp; tmp=$(mktemp -d /tmp/llmtap-bench.XXXXXX)
  local sync=false
  [[ $mode == sync ]] && sync=true
  printf 'storage { sync_wal: %s %s }\n' "$sync" "${BENCH_STORAGE:-}" >"$tmp/config.textproto"
  local admin_key=
  if [[ ${BENCH_AUTH:-0} == 1 ]]; then  # Keys on: the loadgen sends an ingest key scoped to its app.
    admin_key=$("$daemon" --new_admin_key --data_dir="$tmp/data" --config="$tmp/config.textproto")
  fi
  "$daemon" --config="$tmp/config.textproto" --data_dir="$tmp/data" \
    --grpc_addr=127.0.0.1:0 --http_addr=127.0.0.1:0 --ready_file="$tmp/ready" \
    --log_level=warn >"$tmp/llmtapd.log" 2>&1 &
  local pid=$!
  # The daemon goes with the script, even when a step fails.
  trap 'kill -9 '"$pid"' 2>/dev/null || true; rm -rf '"$tmp"'' EXIT
  for _ in $(seq 200); do [[ -s $tmp/ready ]] && break; sleep 0.05; done
  local grpc_port http_port
  grpc_port=$(sed -E 's/.*"grpc_port": ([0-9]+).*/\1/' "$tmp/ready")
  http_port=$(sed -E 's/.*"http_port": ([0-9]+).*/\1/' "$tmp/ready")

  local auth_flags=
  if [[ -n $admin_key ]]; then
    local ingest_key
    ingest_key=$(curl -sf -H "Authorization: Bearer $admin_key" -d '{"role": "ROLE_INGEST", "apps": ["loadgen"]}' \
      "http://127.0.0.1:$http_port/api/v1/CreateKey" | sed -E 's/.*"secret":"([^"]+)".*/\1/')
    auth_flags="--api_key=$ingest_key --app=loadgen"
  fi

  local cpu0 cpu1 out
  cpu0=$(cpu_ticks "$pid")
  # shellcheck disable=SC2086
  out=$("$loadgen" --collector="127.0.0.1:$grpc_port" --streams="$streams" \
    --seconds="$seconds" --sample_bytes="$sample_bytes" $auth_flags ${BENCH_LOADGEN_FLAGS:-})
  cpu1=$(cpu_ticks "$pid")
  local stored rate lg_cpu_100k l0 pending stall
  local metrics; metrics=$(curl -sf "http://127.0.0.1:$http_port/metrics")
  stored=$(metric "$metrics" llmtap_ingest_samples_stored_total)
  # The compaction backlog when the load stopped, and how long writes were slowed for it.
  l0=$(metric "$metrics" 'llmtap_rocksdb_l0_files{cf="samples"}')
  pending=$(metric "$metrics" 'llmtap_rocksdb_pending_compaction_bytes{cf="samples"}')
  stall=$(metric "$metrics" llmtap_rocksdb_stall_micros_total)
  # Write amplification so far: bytes flushes and compactions wrote per byte the writes put in.
  local write_amp; write_amp=$(awk -v w="$(metric "$metrics" llmtap_rocksdb_bytes_written_total)" \
    -v f="$(metric "$metrics" llmtap_rocksdb_flush_write_bytes_total)" \
    -v c="$(metric "$metrics" llmtap_rocksdb_compaction_write_bytes_total)" \
    'BEGIN { printf "%.2f", (w > 0 ? (f + c) / w : 0) }')
  rate=$(grep -oE '^samples_per_s=[0-9]+' <<<"$out" | cut -d= -f2)
  lg_cpu_100k=$(grep -oE 'cpu_s_per_100k=[0-9.]+' <<<"$out" | cut -d= -f2)

  kill -TERM "$pid"
  wait "$pid" || true
  [[ -n ${BENCH_KEEP_LOG:-} ]] && cp "$tmp/data/LOG" "$BENCH_KEEP_LOG"
  local compact="cpu_s=0 sst_bytes=0" compact_cpu sst_bytes
  if [[ ${BENCH_FINAL_COMPACTION:-1} != 0 ]]; then
    compact=$("$bin/llmtap-compact" --data_dir="$tmp/data" --config="$tmp/config.textproto")
  fi
  compact_cpu=$(grep -oE 'cpu_s=[0-9.]+' <<<"$compact" | cut -d= -f2)
  sst_bytes=$(grep -oE 'sst_bytes=[0-9]+' <<<"$compact" | cut -d= -f2)
  awk -v mode="$mode" -v rate="$rate" -v c0="$cpu0" -v c1="$cpu1" -v tck="$tck" \
    -v n="$stored" -v lg="$lg_cpu_100k" -v du="$sst_bytes" -v cc="$compact_cpu" \
    -v l0="$l0" -v pending="$pending" -v stall="$stall" -v wa="$write_amp" 'BEGIN {
      printf "mode=%s samples_per_s=%d daemon_cpu_s_per_100k=%.3f loadgen_cpu_s_per_100k=%s " \
             "final_compaction_cpu_s_per_100k=%.3f bytes_per_sample=%.0f samples=%d " \
             "end_l0_files=%d end_pending_compaction_gb=%.1f stall_s=%.1f write_amp=%s\n",
             mode, rate, (c1 - c0) / tck * 1e5 / n, lg, cc * 1e5 / n, du / n, n,
             l0, pending / 1e9, stall / 1e6, wa }'
  rm -rf "$tmp"
  trap - EXIT
}

run_store() {  # The store's write path alone, sync off: the ceiling of mode=nosync.
  local tmp; tmp=$(mktemp -d /tmp/llmtap-bench.XXXXXX)
  trap 'rm -rf '"$tmp"'' EXIT
  printf 'storage { sync_wal: false %s }\n' "${BENCH_STORAGE:-}" >"$tmp/config.textproto"
  local out
  out=$("$bin/llmtap-store-bench" --data_dir="$tmp/data" --config="$tmp/config.textproto" \
    --seconds="$seconds" --sample_bytes="$sample_bytes" | tail -1)
  echo "mode=store ${out/cpu_s_per_100k/store_cpu_s_per_100k}"
  rm -rf "$tmp"
  trap - EXIT
}

echo "llmtap ingest benchmark: $streams streams, ${seconds}s, ${sample_bytes}-byte samples," \
  "$(nproc) cores${BENCH_STORAGE:+, storage { $BENCH_STORAGE \}}"
for ((r = 0; r < repeat; ++r)); do
  for mode in $modes; do
    if [[ $mode == store ]]; then run_store; else run_one "$mode"; fi
  done
done
