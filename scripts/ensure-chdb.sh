#!/usr/bin/env bash
# Ensures, idempotently, a project-local Python venv with a pinned chdb-core: an embedded current
# ClickHouse engine that ClickHouseDdlCurrentEngineIT runs Tidemark's DDL against (the server
# this project runs is ClickHouse 18.16; users run current ClickHouse; the DDL must work on both).
#
#   venv:   $TIDEMARK_HOME/.tidemark/venv   (TIDEMARK_HOME defaults to the repository root)
#   stdout: the venv's python executable, and nothing else; progress goes to stderr.
#
# A second run with the pinned version already installed does nothing. Concurrent runs are
# serialized with flock when it is available.
set -euo pipefail

CHDB_CORE_VERSION="26.9.0"

ROOT="${TIDEMARK_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
VENV="$ROOT/.tidemark/venv"
PY="$VENV/bin/python"
mkdir -p "$ROOT/.tidemark"

installed() {
  [[ -x "$PY" ]] && "$PY" - "$CHDB_CORE_VERSION" <<'PYEOF' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if version("chdb-core") == sys.argv[1] else 1)
PYEOF
}

if installed; then
  echo "$PY"
  exit 0
fi

if command -v flock >/dev/null; then
  exec 9>"$ROOT/.tidemark/venv.lock"
  flock 9
  if installed; then
    echo "$PY"
    exit 0
  fi
fi

if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "ensure-chdb: installing python3-venv (apt)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq python3 python3-venv >&2
  else
    echo "ensure-chdb: python3 with the venv module is required (apt-get install python3-venv)" >&2
    exit 1
  fi
fi

if [[ ! -x "$PY" ]]; then
  echo "ensure-chdb: creating $VENV" >&2
  python3 -m venv "$VENV" >&2
fi
echo "ensure-chdb: installing chdb-core==$CHDB_CORE_VERSION into $VENV" >&2
"$PY" -m pip install --quiet --disable-pip-version-check "chdb-core==$CHDB_CORE_VERSION" >&2
installed || { echo "ensure-chdb: chdb-core $CHDB_CORE_VERSION did not install into $VENV" >&2; exit 1; }
echo "$PY"
