#!/usr/bin/env bash
# The records tests start a real PostgreSQL (initdb + pg_ctl in a temporary folder): Debian's postgresql package.
set -euo pipefail
if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
else
  echo "The records tests need PostgreSQL: run 'sudo apt-get install -y postgresql'." >&2
  exit 1
fi
