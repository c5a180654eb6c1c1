#!/usr/bin/env bash
# Fuzz campaigns (`make fuzz`): builds the libFuzzer targets of tests/fuzz with clang, ASan and
# UBSan into build-asan/ (scripts/build_asan.sh, the build the sanitizer tests use too) and
# runs each for FUZZ_SECONDS, one process at a time, then prints one line per target:
#   target=verdict execs=N execs_per_s=R cov=C ft=F corpus=K findings=0
# (cov: code edges covered, ft: libFuzzer's features; both from its last status line).
#
#   scripts/fuzz.sh [TARGET...]    # default: every target (tests/fuzz/CMakeLists.txt)
#
# Environment: FUZZ_SECONDS (60 per target), FUZZ_FLAGS (more libFuzzer flags). Inputs that
# reach new coverage go to build-asan/corpus/<target>/ (the seeds in tests/fuzz/corpus/<target>/
# are read, never written); a crash, leak or timeout is written to build-asan/findings/<target>/
# and the script exits non-zero. Copy such an input into tests/fuzz/corpus/<target>/ with the
# fix, so that CTest replays it from then on. Logs: build-asan/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=("$@")
if ((${#targets[@]} == 0)); then
  read -r -a targets <<<"$(sed -n 's/^set(LLMTAP_FUZZ_TARGETS \(.*\))$/\1/p' tests/fuzz/CMakeLists.txt)"
fi
scripts/build_asan.sh "${targets[@]/#/fuzz_}" >/dev/null

status=0
summary=()
for t in "${targets[@]}"; do
  mkdir -p "build-asan/corpus/$t" "build-asan/findings/$t" build-asan/logs
  log=build-asan/logs/$t.log
  echo "== fuzz_$t for ${seconds}s"
  rc=0
  # shellcheck disable=SC2086
  build-asan/bin/fuzz_"$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="build-asan/findings/$t/" ${FUZZ_FLAGS:-} \
    "build-asan/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  findings=$(find "build-asan/findings/$t" -type f | wc -l)
  if ((rc != 0 || findings > 0)); then
    status=1
    grep -E 'ERROR|SUMMARY|invariant|==[0-9]+==' "$log" | head -5 || true
  fi
  summary+=("target=$t execs=${execs:-?} execs_per_s=${rate:-?} cov=${cov:-?} ft=${ft:-?} corpus=${corpus:-?} findings=$findings")
done
echo
printf '%s\n' "${summary[@]}"
exit $status
