#!/usr/bin/env bash
# PostgreSQL -> Kafka ingest benchmark: builds the bench module (and what it needs) if needed, then
# runs dev.changeflow.bench.PostgresIngestBenchmark. Options: --help. A smoke run: --quick.
#   bench/run-postgres-ingest.sh                 # the full run, a few minutes
#   bench/run-postgres-ingest.sh --quick         # a few seconds per phase
set -euo pipefail

# shellcheck source=bench/build.sh
source "$(dirname "${BASH_SOURCE[0]}")/build.sh"

# the peer: PostgreSQL's pg_recvlogical (zonky's embedded binaries do not ship it)
if [[ -z "${PG_RECVLOGICAL:-}" ]] && ! [[ -x /usr/lib/postgresql/15/bin/pg_recvlogical ]] \
    && ! command -v pg_recvlogical >/dev/null; then
  echo "bench: installing postgresql-client-15 for pg_recvlogical ..." >&2
  if [[ "$(id -u)" == 0 ]]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -q >&2 && $SUDO apt-get install -y -q postgresql-client-15 >&2
fi

# Flink's Java 17 flags, kept once in the parent pom (flink.add-opens) and filtered into local-stack
read -r -a FLINK_OPENS < "$ROOT/local-stack/target/classes/META-INF/changeflow/java17.options"

CLASSES="$BENCH/target/classes:$ROOT/jobs/target/classes:$ROOT/cdc-connectors/target/classes"
CLASSES="$CLASSES:$ROOT/common-schemas/target/classes:$ROOT/local-stack/target/classes"
WORK="$BENCH/target/bench-run"
mkdir -p "$WORK/tmp"
cd "$ROOT"
ARGS=("$@")
if [[ -n "${PG_RECVLOGICAL:-}" ]]; then ARGS+=(--pg-recvlogical "$PG_RECVLOGICAL"); fi
# shellcheck disable=SC2086
exec java ${BENCH_JAVA_OPTS:--Xmx1g} "${FLINK_OPENS[@]}" \
  -Djava.io.tmpdir="$WORK/tmp" -Dbench.log.file="$WORK/harness.log" \
  -cp "$CLASSES:$(cat "$CP_FILE")" dev.changeflow.bench.PostgresIngestBenchmark "${ARGS[@]}"
