#!/usr/bin/env bash
# Installs what kubets needs to run and test, when it is missing: npm dependencies, etcd, the build.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "kubets: installing npm dependencies" >&2
  npm ci --no-audit --no-fund >&2
fi

if ! command -v etcd >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "kubets: installing etcd (Debian packages etcd-server, etcd-client)" >&2
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y etcd-server etcd-client >&2
  else
    echo "kubets: etcd is not on PATH. Install it (Debian: sudo apt-get install etcd-server etcd-client) and retry." >&2
    exit 1
  fi
fi

echo "kubets: building" >&2
npx tsc -p tsconfig.json >&2
