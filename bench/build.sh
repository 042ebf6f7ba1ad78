# Sourced by the bench scripts: sets BENCH, ROOT and CP_FILE, and builds the bench module (and the
# modules it needs) when there is no build yet or a source changed since (CHANGEFLOW_NO_BUILD=1
# skips that).
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
CP_FILE="$BENCH/target/bench.classpath"

needs_build() {
  [[ -f "$CP_FILE" ]] || return 0
  [[ -n "$(find "$ROOT" -path "$ROOT/.git" -prune -o \
      \( -path '*/src/main/*' -o -name pom.xml \) -newer "$CP_FILE" -type f -print -quit)" ]]
}

if [[ "${CHANGEFLOW_NO_BUILD:-}" != "1" ]] && needs_build; then
  echo "bench: building bench and the modules it needs ..." >&2
  mvn -f "$ROOT/pom.xml" -B -q -ntp -o -pl bench -am package -DskipTests -Dspotless.check.skip=true >&2 \
    || mvn -f "$ROOT/pom.xml" -B -q -ntp -pl bench -am package -DskipTests -Dspotless.check.skip=true >&2
  touch "$CP_FILE"
fi
