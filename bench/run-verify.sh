#!/usr/bin/env bash
# changeflow verify on a large table vs the floor of the same reads: builds the bench module (and
# what it needs) if needed, then runs dev.changeflow.bench.VerifyBenchmark. Options: --help.
#   bench/run-verify.sh              # 1M rows, 3 runs each side, a few minutes
#   bench/run-verify.sh --quick      # 50k rows, one run
set -euo pipefail

# shellcheck source=bench/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/build.sh"

read -r -a FLINK_OPENS < "$ROOT/local-stack/target/classes/META-INF/changeflow/java17.options"
CLASSES="$BENCH/target/classes:$ROOT/cli/target/classes:$ROOT/jobs/target/classes"
CLASSES="$CLASSES:$ROOT/cdc-connectors/target/classes:$ROOT/common-schemas/target/classes"
CLASSES="$CLASSES:$ROOT/local-stack/target/classes"
WORK="$BENCH/target/bench-run"
mkdir -p "$WORK/tmp"
cd "$ROOT"
# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:--Xmx1g} "${FLINK_OPENS[@]}" \
  -Djava.io.tmpdir="$WORK/tmp" -Dbench.log.file="$WORK/harness.log" \
  -cp "$CLASSES:$(cat "$CP_FILE")" dev.changeflow.bench.VerifyBenchmark "$@"
