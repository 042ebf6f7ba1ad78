#!/usr/bin/env bash
# Resident memory of the demo's whole stack: runs `./changeflow demo --duration 30` and, every
# second, sums the resident memory of its process tree (the changeflow JVM, which runs Kafka and the
# Flink MiniCluster, plus its child server processes: PostgreSQL, Redis, Elasticsearch, S3Mock, ...)
# from /proc. Reports the peak against the target "the demo's whole stack under 4 GiB of resident
# memory", and writes bench/results/demo-memory.md / .json and the per-second samples.
#   bench/run-demo-memory.sh                     # the demo with --duration 30
#   bench/run-demo-memory.sh --duration 60       # any other demo options (replace the default)
# RSS counts a page shared by two processes (libraries, the JDK's class data) twice; PSS (from
# /proc/PID/smaps_rollup) splits it between them. Both sums are reported; the target is held to RSS.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
WORK="$BENCH/target/demo-memory"
RESULTS="${RESULTS_DIR:-$BENCH/results}"
TARGET_KIB=$((4 * 1024 * 1024))
mkdir -p "$WORK" "$RESULTS"
ARGS=("$@")
if [[ ${#ARGS[@]} -eq 0 ]]; then ARGS=(--duration 30); fi

# all descendants of $1 (and $1): the parent of every process, from /proc through ps
tree() {
  local root=$1
  local -A children=()
  local pid ppid
  while read -r pid ppid; do
    children[$ppid]+="$pid "
  done < <(ps -e -o pid=,ppid=)
  local queue=("$root") out=()
  while [[ ${#queue[@]} -gt 0 ]]; do
    pid=${queue[0]}
    queue=("${queue[@]:1}")
    out+=("$pid")
    for c in ${children[$pid]:-}; do queue+=("$c"); done
  done
  echo "${out[@]}"
}

kib() { # field of /proc/$1/status or smaps_rollup, in KiB (0 if gone)
  awk -v k="$2:" '$1 == k { print $2; found = 1 } END { if (!found) print 0 }' "$3" 2>/dev/null || echo 0
}

name() { # a short name: the Java main class, else the command
  local pid=$1 comm
  comm=$(cat "/proc/$pid/comm" 2>/dev/null || echo '?')
  if [[ "$comm" == java ]]; then
    local main
    main=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null \
      | grep -E '^[a-z]+(\.[A-Za-z0-9_$]+){2,}$' | grep -v -E '^(java|jdk|sun)\.' | tail -1 || true)
    echo "java ${main##*.}"
  else
    echo "$comm"
  fi
}

echo "bench: ./changeflow demo ${ARGS[*]} (log: $WORK/demo.log)" >&2
cd "$ROOT"
START=$(date +%s)
./changeflow demo "${ARGS[@]}" >"$WORK/demo.log" 2>&1 &
DEMO=$!
echo "second,processes,rss_kib,pss_kib" >"$WORK/samples.csv"
PEAK=0 PEAK_PSS=0 PEAK_AT=0 PEAK_N=0
: >"$WORK/peak-processes.txt"
while kill -0 "$DEMO" 2>/dev/null; do
  now=$(( $(date +%s) - START ))
  total=0 total_pss=0 n=0 lines=()
  for pid in $(tree "$DEMO"); do
    rss=$(kib "$pid" VmRSS "/proc/$pid/status")
    pss=$(kib "$pid" Pss "/proc/$pid/smaps_rollup")
    [[ "$rss" -gt 0 ]] || continue
    total=$((total + rss)) total_pss=$((total_pss + pss)) n=$((n + 1))
    lines+=("$(printf '%8d MiB RSS %8d MiB PSS  pid %-7s %s' $((rss / 1024)) $((pss / 1024)) "$pid" "$(name "$pid")")")
  done
  echo "$now,$n,$total,$total_pss" >>"$WORK/samples.csv"
  if [[ $total -gt $PEAK ]]; then
    PEAK=$total PEAK_PSS=$total_pss PEAK_AT=$now PEAK_N=$n
    printf '%s\n' "${lines[@]}" | sort -rn >"$WORK/peak-processes.txt"
  fi
  sleep 1
done
set +e
wait "$DEMO"
RC=$?
set -e
ELAPSED=$(( $(date +%s) - START ))
MAX_PSS=$(awk -F, 'NR > 1 && $4 > m { m = $4 } END { print m + 0 }' "$WORK/samples.csv")

mib() { echo $(( $1 / 1024 )); }
if [[ $PEAK -lt $TARGET_KIB ]]; then
  RESULT="PASS by $(mib $((TARGET_KIB - PEAK))) MiB ($(( 100 * (TARGET_KIB - PEAK) / TARGET_KIB ))%)"
else
  RESULT="MISS missed by $(mib $((PEAK - TARGET_KIB))) MiB ($(( 100 * (PEAK - TARGET_KIB) / TARGET_KIB ))%)"
fi
SAMPLES=$(( $(wc -l <"$WORK/samples.csv") - 1 ))
{
  echo "Demo memory: \`./changeflow demo ${ARGS[*]}\`, exit code $RC, ${ELAPSED} s, $SAMPLES samples (1/s); $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) at the end"
  echo
  echo "| metric | value |"
  echo "| --- | --- |"
  echo "| peak RSS of the process tree (sum) | $(mib $PEAK) MiB, at second $PEAK_AT, $PEAK_N processes |"
  echo "| PSS of the tree at that moment | $(mib $PEAK_PSS) MiB |"
  echo "| peak PSS of the tree | $(mib "$MAX_PSS") MiB |"
  echo
  echo "| target | measured | result |"
  echo "| --- | --- | --- |"
  echo "| the demo's whole stack under 4 GiB of resident memory | $(mib $PEAK) MiB RSS | $RESULT |"
  echo
  echo "Processes at the peak:"
  echo
  echo '```'
  cat "$WORK/peak-processes.txt"
  echo '```'
} | tee "$RESULTS/demo-memory.md"
cat >"$RESULTS/demo-memory.json" <<JSON
{
  "command": "./changeflow demo ${ARGS[*]}",
  "exitCode": $RC,
  "seconds": $ELAPSED,
  "samples": $SAMPLES,
  "peakRssKiB": $PEAK,
  "peakAtSecond": $PEAK_AT,
  "processesAtPeak": $PEAK_N,
  "pssAtPeakKiB": $PEAK_PSS,
  "peakPssKiB": $MAX_PSS,
  "targetKiB": $TARGET_KIB,
  "pass": $([[ $PEAK -lt $TARGET_KIB ]] && echo true || echo false)
}
JSON
cp "$WORK/samples.csv" "$RESULTS/demo-memory-samples.csv"
echo "bench: samples in $RESULTS/demo-memory-samples.csv, the demo's log in $WORK/demo.log" >&2
exit 0
