#!/usr/bin/env bash
# Runs the libFuzzer builds of the fuzz targets (`make fuzz`), each for a
# budget, and prints what each did: executions, coverage, corpus, crashes.
#
#   run_fuzzers.sh BUILD_DIR SECONDS [NAME...]
#
# BUILD_DIR is a MOTIVE_FUZZ=ON build; its tests/fuzz/fuzzers.txt lists the
# targets (motive_add_fuzzer writes it). Without NAMEs, every target runs.
# New inputs go to BUILD_DIR/fuzz/corpus/NAME, never to the repository's
# corpus, which is only read; crashes go to BUILD_DIR/fuzz/crashes/NAME and
# logs to BUILD_DIR/fuzz/logs/NAME.log. Fails when any target crashed.
set -uo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS [NAME...]" >&2
  exit 2
fi
build=$1
seconds=$2
shift 2
list="$build/tests/fuzz/fuzzers.txt"
if [ ! -s "$list" ]; then
  echo "run_fuzzers: no $list; configure with -DMOTIVE_FUZZ=ON" >&2
  exit 2
fi

wanted() {
  [ $# -eq 1 ] && return 0
  local name=$1
  shift
  for w in "$@"; do [ "$w" = "$name" ] && return 0; done
  return 1
}

# The number after `key` on the last line of $2 that has it.
last_stat() {
  grep -o "$1 *[0-9]*" "$2" | tail -1 | grep -o '[0-9]*$'
}

# The snapshot and event log targets write a file per input: in memory, an
# fsync costs nothing.
if [ -z "${TMPDIR:-}" ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
fi

failed=()
summary=$(printf '%-16s %12s %8s %8s %8s %8s  %s\n' \
  target executions exec/s cov ft corpus result)
while read -r name max_len binary corpus regressions; do
  wanted "$name" "$@" || continue
  work="$build/fuzz"
  mkdir -p "$work/corpus/$name" "$work/crashes/$name" "$work/logs"
  log="$work/logs/$name.log"
  seeds=("$corpus")
  [ -d "$regressions" ] && seeds+=("$regressions")
  echo "== $name: $seconds s, -max_len=$max_len (log: $log)"
  # Leaks are reported at exit; -timeout makes a hang a crash.
  "$binary" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/crashes/$name/" \
    "$work/corpus/$name" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  result=ok
  if [ $rc -ne 0 ]; then
    result="CRASH (exit $rc): $(ls -t "$work/crashes/$name" | head -1)"
    failed+=("$name")
    grep -m3 -E '^==[0-9]+==ERROR|runtime error:|^SUMMARY|_fuzz\.(cc|h):[0-9]+:' \
      "$log" | sed 's/^/   /'
  fi
  summary+=$(printf '\n%-16s %12s %8s %8s %8s %8s  %s' "$name" \
    "$(last_stat 'stat::number_of_executed_units:' "$log")" \
    "$(last_stat 'stat::average_exec_per_sec:' "$log")" \
    "$(last_stat 'cov:' "$log")" "$(last_stat 'ft:' "$log")" \
    "$(last_stat 'corp:' "$log")" "$result")
done <"$list"

echo
echo "$summary"
if [ ${#failed[@]} -gt 0 ]; then
  echo "run_fuzzers: crashed: ${failed[*]}; inputs in $build/fuzz/crashes/" >&2
  exit 1
fi
