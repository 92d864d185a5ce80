#!/usr/bin/env bash
# Builds every module (no tests) when a source or pom is newer than the last build, or with --force.
# Idempotent and quiet when nothing changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STAMP="$ROOT/.tidemark/build.stamp"
cd "$ROOT"

stale() {
  [[ ! -f "$STAMP" || ! -f cli/target/classpath.txt ]] && return 0
  [[ -n "$(find . -path ./.tidemark -prune -o -path '*/target' -prune -o -path ./.git -prune -o \
      \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$STAMP" -print -quit)" ]]
}

# Airflow tasks and parallel backfill days call ./tidemark concurrently: they may skip the build
# (TIDEMARK_SKIP_BUILD=1), and concurrent builds are serialized with a lock.
if [[ "${TIDEMARK_SKIP_BUILD:-0}" == "1" && -f cli/target/classpath.txt ]]; then
  exit 0
fi
mkdir -p "$ROOT/.tidemark"
exec 9>"$ROOT/.tidemark/build.lock"
command -v flock >/dev/null && flock 9

if [[ "${1:-}" == "--force" ]] || stale; then
  command -v mvn >/dev/null || "$ROOT/scripts/install-prereqs.sh"
  echo "tidemark: building (mvn install -DskipTests) ..." >&2
  mkdir -p "$ROOT/.tidemark"
  touch "$STAMP.new"
  if ! mvn -B -q -DskipTests -Dmaven.javadoc.skip=true install >"$ROOT/.tidemark/build.log" 2>&1; then
    grep -E "ERROR|FAIL" "$ROOT/.tidemark/build.log" | head -30 >&2
    echo "tidemark: build failed, full log in .tidemark/build.log" >&2
    exit 1
  fi
  mv "$STAMP.new" "$STAMP"
fi
