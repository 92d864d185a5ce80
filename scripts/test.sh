#!/usr/bin/env bash
# ./tidemark test: installs what is missing, then runs the whole suite (unit tests and tests
# against real services started as local processes on free ports) with mvn -B verify.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export TIDEMARK_HOME="$ROOT"
"$ROOT/scripts/install-prereqs.sh"
cd "$ROOT"
start=$(date +%s)
mvn -B verify "$@"
echo "tidemark: suite passed in $(( $(date +%s) - start )) s"
