#!/usr/bin/env bash
# Installs Debian's chromium for the serving module's browser test (DashboardBrowserIT), once.
# Idempotent: does nothing when /usr/bin/chromium already runs. Playwright cannot download its
# own browser build on these machines, so the test drives this one (executablePath
# /usr/bin/chromium, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
set -euo pipefail

if [ -x /usr/bin/chromium ] && /usr/bin/chromium --headless --no-sandbox --version >/dev/null 2>&1; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# fonts-liberation: text in screenshots instead of empty boxes.
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-liberation

/usr/bin/chromium --headless --no-sandbox --version
