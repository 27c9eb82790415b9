#!/usr/bin/env bash
# What the tests need beyond `npm start`: the official Python client, for the e2e suite.
set -euo pipefail
if ! /usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "kubets: installing the official Python client (Debian package python3-kubernetes)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3-kubernetes >&2 || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-kubernetes >&2; }
  else
    echo "kubets: the e2e tests need the official Python client: sudo apt-get install python3-kubernetes" >&2
    exit 1
  fi
fi
