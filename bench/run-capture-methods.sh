#!/usr/bin/env bash
# Capture methods benchmark (log, trigger and query-based capture of one PostgreSQL workload):
# builds the bench module (and what it needs) if needed, then runs
# dev.changeflow.bench.CaptureMethodsBenchmark. Options: --help.
#   bench/run-capture-methods.sh                   # the full run, about 8 minutes on 2 cores
#   bench/run-capture-methods.sh --quick           # a few seconds per phase
#   bench/run-capture-methods.sh --methods log     # one method
set -euo pipefail

# shellcheck source=bench/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/build.sh"

# Flink's Java 17 flags, kept once in the parent pom (flink.add-opens) and filtered into local-stack
read -r -a FLINK_OPENS < "$ROOT/local-stack/target/classes/META-INF/changeflow/java17.options"

CLASSES="$BENCH/target/classes:$ROOT/jobs/target/classes:$ROOT/cdc-connectors/target/classes"
CLASSES="$CLASSES:$ROOT/common-schemas/target/classes:$ROOT/local-stack/target/classes"
WORK="$BENCH/target/capture-run"
mkdir -p "$WORK/tmp"
cd "$ROOT"
# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:--Xmx1g} "${FLINK_OPENS[@]}" \
  -Djava.io.tmpdir="$WORK/tmp" -Dbench.log.file="$WORK/harness.log" \
  -cp "$CLASSES:$(cat "$CP_FILE")" dev.changeflow.bench.CaptureMethodsBenchmark "$@"
