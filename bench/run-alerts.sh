#!/usr/bin/env bash
# Alerts benchmark (issue #16): the alerts job (Flink CEP) vs sql/alerts.sql (MATCH_RECOGNIZE) on
# one pre-filled orders change topic. Builds the bench module if needed, then runs
# dev.changeflow.bench.AlertsBenchmark. Options: --help. A smoke run: --quick.
#   bench/run-alerts.sh               # the full run: 300,000 order slots, 3 runs per engine
#   bench/run-alerts.sh --quick       # 5,000 order slots, 1 run
set -euo pipefail

# shellcheck source=bench/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/build.sh"

# Flink's Java 17 flags, kept once in the parent pom (flink.add-opens) and filtered into local-stack
read -r -a FLINK_OPENS < "$ROOT/local-stack/target/classes/META-INF/changeflow/java17.options"

CLASSES="$BENCH/target/classes:$ROOT/jobs/target/classes:$ROOT/cdc-connectors/target/classes"
CLASSES="$CLASSES:$ROOT/common-schemas/target/classes:$ROOT/local-stack/target/classes"
WORK="$BENCH/target/alerts-run"
mkdir -p "$WORK/tmp"
cd "$ROOT"
# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:--Xmx1g} "${FLINK_OPENS[@]}" \
  -Djava.io.tmpdir="$WORK/tmp" -Dbench.log.file="$WORK/harness.log" \
  -cp "$CLASSES:$(cat "$CP_FILE")" dev.changeflow.bench.AlertsBenchmark "$@"
