#!/usr/bin/env bash
# Ensures, idempotently, a project-local virtualenv holding a pinned Apache Airflow 3.x for the
# local stack and the orchestration ITs.
#
#   venv:    $TIDEMARK_AIRFLOW_VENV, else $TIDEMARK_HOME/.tidemark/airflow-venv
#            (TIDEMARK_HOME defaults to the repository root)
#   python:  $TIDEMARK_AIRFLOW_PYTHON, else python3.11, else python3 (3.10 to 3.13)
#   lock:    orchestration/airflow/constraints-<airflow>-py<major.minor>.txt
#
# Airflow's official constraints file lives on raw.githubusercontent.com, which these machines
# cannot reach; the lock committed next to this script plays its role (it was produced by
# `ensure-airflow.sh --write-lock`, a pip freeze of a venv whose Airflow was installed and
# tested here). Without a lock for the running Python, pip resolves freely and says so.
#
# stdout: the venv folder, and nothing else; progress goes to stderr. A second run with the same
# Airflow version and lock does nothing (a stamp file in the venv records both). Concurrent runs
# are serialized with flock when it is available.
set -euo pipefail

AIRFLOW_VERSION="${TIDEMARK_AIRFLOW_VERSION:-3.1.8}"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${TIDEMARK_HOME:-$(cd "$HERE/../.." && pwd)}"
VENV="${TIDEMARK_AIRFLOW_VENV:-$ROOT/.tidemark/airflow-venv}"
WRITE_LOCK=0
[[ "${1:-}" == "--write-lock" ]] && WRITE_LOCK=1

pick_python() {
  if [[ -n "${TIDEMARK_AIRFLOW_PYTHON:-}" ]]; then echo "$TIDEMARK_AIRFLOW_PYTHON"; return; fi
  local p
  for p in python3.11 python3.12 python3.10 python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import sys; sys.exit(0 if (3,10) <= sys.version_info[:2] <= (3,13) else 1)' 2>/dev/null; then
      echo "$p"; return
    fi
  done
  echo "ensure-airflow: Airflow $AIRFLOW_VERSION needs Python 3.10 to 3.13 with the venv module (set TIDEMARK_AIRFLOW_PYTHON)" >&2
  exit 1
}

ensure_venv_module() {
  if ! "$1" -c 'import venv, ensurepip' 2>/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      echo "ensure-airflow: installing python3-venv (apt)" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq python3-venv >&2
    else
      echo "ensure-airflow: $1 lacks the venv module (apt-get install python3-venv)" >&2
      exit 1
    fi
  fi
}

PY="$VENV/bin/python"
if [[ -x "$PY" ]]; then
  PYVER="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
else
  BASE_PY="$(pick_python)"
  PYVER="$("$BASE_PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
fi
LOCK="$HERE/../airflow/constraints-$AIRFLOW_VERSION-py$PYVER.txt"
LOCK_SUM="none"
[[ -f "$LOCK" ]] && LOCK_SUM="$(sha256sum "$LOCK" | cut -c1-16)"
STAMP_WANT="apache-airflow==$AIRFLOW_VERSION lock=$LOCK_SUM"
STAMP="$VENV/.tidemark-airflow"

installed() {
  [[ -x "$VENV/bin/airflow" && -f "$STAMP" && "$(cat "$STAMP")" == "$STAMP_WANT" ]]
}

if installed && ((WRITE_LOCK == 0)); then
  echo "$VENV"
  exit 0
fi

mkdir -p "$(dirname "$VENV")"
if command -v flock >/dev/null; then
  exec 9>"$VENV.lock"
  flock 9
  if installed && ((WRITE_LOCK == 0)); then
    echo "$VENV"
    exit 0
  fi
fi

started=$(date +%s)
if [[ ! -x "$PY" ]]; then
  ensure_venv_module "$BASE_PY"
  echo "ensure-airflow: creating $VENV with $BASE_PY (Python $PYVER)" >&2
  "$BASE_PY" -m venv "$VENV" >&2
fi
rm -f "$STAMP"
"$PY" -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3" >&2 || true
if [[ -f "$LOCK" ]]; then
  echo "ensure-airflow: installing apache-airflow==$AIRFLOW_VERSION with $(basename "$LOCK")" >&2
  "$PY" -m pip install --quiet --disable-pip-version-check "apache-airflow==$AIRFLOW_VERSION" -c "$LOCK" >&2
else
  echo "ensure-airflow: no lock $(basename "$LOCK"); resolving apache-airflow==$AIRFLOW_VERSION freely" >&2
  "$PY" -m pip install --quiet --disable-pip-version-check "apache-airflow==$AIRFLOW_VERSION" >&2
fi
"$VENV/bin/airflow" version >/dev/null 2>&1 || {
  echo "ensure-airflow: $VENV/bin/airflow does not run after the install" >&2
  exit 1
}
if ((WRITE_LOCK)); then
  {
    echo "# Lock for apache-airflow==$AIRFLOW_VERSION on Python $PYVER (stands in for Airflow's"
    echo "# constraints-$AIRFLOW_VERSION/constraints-$PYVER.txt, unreachable here). Regenerate with"
    echo "# orchestration/scripts/ensure-airflow.sh --write-lock"
    "$PY" -m pip freeze --all --exclude-editable | grep -v -E '^(pip|setuptools|wheel)=='
  } >"$LOCK"
  LOCK_SUM="$(sha256sum "$LOCK" | cut -c1-16)"
  STAMP_WANT="apache-airflow==$AIRFLOW_VERSION lock=$LOCK_SUM"
  echo "ensure-airflow: wrote $LOCK" >&2
fi
echo "$STAMP_WANT" >"$STAMP"
echo "ensure-airflow: apache-airflow $AIRFLOW_VERSION ready in $VENV ($(( $(date +%s) - started )) s)" >&2
echo "$VENV"
