#!/usr/bin/env bash
# Ensures, idempotently, that the project venv ($TIDEMARK_HOME/.tidemark/venv, shared with
# ensure-chdb.sh) holds the example Python producer's pinned dependencies
# (examples/python-producer/requirements.txt: confluent-kafka with the schema registry and Avro
# extras, fastavro), so tests can run the producer exactly as a user would.
#
#   stdout: the venv's python executable, and nothing else; progress goes to stderr.
#
# A second run with the pinned versions installed does nothing. Concurrent runs are serialized
# with flock when it is available (the same lock as ensure-chdb.sh).
set -euo pipefail

ROOT="${TIDEMARK_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
REQ="$ROOT/examples/python-producer/requirements.txt"
VENV="$ROOT/.tidemark/venv"
PY="$VENV/bin/python"
mkdir -p "$ROOT/.tidemark"

installed() {
  [[ -x "$PY" ]] && "$PY" - "$REQ" <<'PYEOF' 2>/dev/null
import re, sys
from importlib.metadata import version
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, want = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?==(\S+)", line).groups()
    if version(name) != want:
        sys.exit(1)
import confluent_kafka.schema_registry.avro  # the extras really importable
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

if [[ ! -x "$PY" ]]; then
  if ! command -v python3 >/dev/null || ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      echo "ensure-python-producer: installing python3-venv (apt)" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq python3 python3-venv >&2
    else
      echo "ensure-python-producer: python3 with the venv module is required (apt-get install python3-venv)" >&2
      exit 1
    fi
  fi
  echo "ensure-python-producer: creating $VENV" >&2
  python3 -m venv "$VENV" >&2
fi
echo "ensure-python-producer: installing $(grep -v '^#' "$REQ" | xargs) into $VENV" >&2
"$PY" -m pip install --quiet --disable-pip-version-check -r "$REQ" >&2
installed || { echo "ensure-python-producer: $REQ did not install into $VENV" >&2; exit 1; }
echo "$PY"
