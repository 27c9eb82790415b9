#!/usr/bin/env bash
# Makes a Docker engine and docker-compose available: installs Debian's docker.io and
# docker-compose when missing (as root with apt), starts dockerd in the background when no engine
# answers. When it started dockerd, it writes the pid to $KUBETS_DOCKERD_PIDFILE (if set) so the
# caller can stop it again. Prints clear errors where it cannot help.
set -euo pipefail

say() { echo "kubets: $*" >&2; }

engine_answers() { docker info >/dev/null 2>&1; }

if ! command -v docker >/dev/null 2>&1 || ! command -v docker-compose >/dev/null 2>&1 || ! command -v dockerd >/dev/null 2>&1; then
  if engine_answers && { command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1; }; then
    : # An engine runs elsewhere (e.g. Docker Desktop) and compose is there: nothing to install.
  elif [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Docker (Debian packages docker.io, docker-compose)"
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y docker.io docker-compose >&2
  else
    say "Docker is missing. Install it (Debian: sudo apt-get install docker.io docker-compose) and retry."
    exit 1
  fi
fi

if engine_answers; then
  exit 0
fi

if [ "$(id -u)" != "0" ]; then
  say "no Docker engine answers (docker info failed). Start it (sudo systemctl start docker) or add yourself to the docker group, then retry."
  exit 1
fi

log="${KUBETS_DOCKERD_LOG:-/tmp/kubets-dockerd.log}"
say "no Docker engine answers: starting dockerd in the background (log: $log)"
# setsid: dockerd must outlive this script's process group (CI steps run in their own groups).
setsid dockerd >"$log" 2>&1 < /dev/null &
pid=$!
if [ -n "${KUBETS_DOCKERD_PIDFILE:-}" ]; then echo "$pid" > "$KUBETS_DOCKERD_PIDFILE"; fi
for _ in $(seq 1 60); do
  if engine_answers; then
    say "dockerd is up (pid $pid)"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    say "dockerd exited; its log ($log) ends with:"
    tail -n 20 "$log" >&2
    exit 1
  fi
  sleep 0.5
done
say "dockerd did not answer within 30 s; see $log"
exit 1
