#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright's own browser download fails offline).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
else
  echo "The browser tests need Debian's chromium: run 'sudo apt-get install -y chromium'." >&2
  exit 1
fi
