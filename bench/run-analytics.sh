#!/usr/bin/env bash
# Analytics benchmark (issue #4): the analytics job vs the same aggregation in Flink SQL vs a bare
# KafkaConsumer, on one pre-filled orders topic. Builds the bench module if needed, then runs
# dev.changeflow.bench.AnalyticsBenchmark. Options: --help. A smoke run: --quick.
#   bench/run-analytics.sh            # the full run: 300,000 orders, a few minutes
#   bench/run-analytics.sh --quick    # 5,000 orders
set -euo pipefail

# shellcheck source=bench/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/build.sh"

# Flink's Java 17 flags, kept once in the parent pom (flink.add-opens) and filtered into local-stack
read -r -a FLINK_OPENS < "$ROOT/local-stack/target/classes/META-INF/changeflow/java17.options"

CLASSES="$BENCH/target/classes:$ROOT/jobs/target/classes:$ROOT/cdc-connectors/target/classes"
CLASSES="$CLASSES:$ROOT/common-schemas/target/classes:$ROOT/local-stack/target/classes"
WORK="$BENCH/target/analytics-run"
mkdir -p "$WORK/tmp"
cd "$ROOT"
# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:--Xmx1g} "${FLINK_OPENS[@]}" \
  -Djava.io.tmpdir="$WORK/tmp" -Dbench.log.file="$WORK/harness.log" \
  -cp "$CLASSES:$(cat "$CP_FILE")" dev.changeflow.bench.AnalyticsBenchmark "$@"
