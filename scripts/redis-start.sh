#!/usr/bin/env bash
# Start a throwaway Redis server on loopback for the test suite; idempotent.
#
#   eval "$(scripts/redis-start.sh)"    # exports CETS_TEST_REDIS_URL
#
# Installs Debian's redis-server package if the binary is missing (needs root and network to
# the Debian mirror), starts it on 127.0.0.1:$CETS_REDIS_PORT (default 56379) with its files
# under $CETS_REDIS_DIR (default /tmp/cets-redis), no persistence, loopback only (test data
# only). Running it again reuses the running server. Only the export line goes to stdout;
# progress to stderr. Stop it with: redis-cli -p 56379 shutdown nosave
set -euo pipefail

REDIS_DIR="${CETS_REDIS_DIR:-/tmp/cets-redis}"
REDIS_PORT="${CETS_REDIS_PORT:-56379}"
REDIS_DB="${CETS_REDIS_DB:-0}"
log() { echo "redis-start: $*" >&2; }

if ! command -v redis-server >/dev/null 2>&1; then
  log "installing Debian's redis-server package"
  if [ "$(id -u)" -ne 0 ]; then log "need root to apt-get install redis-server"; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # The package's own service is not started in a container (no systemd); ours is below.
  apt-get install -y -qq --no-install-recommends redis-server >&2
fi
command -v redis-server >/dev/null 2>&1 || { log "no redis-server found"; exit 1; }

mkdir -p "$REDIS_DIR"
if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  log "already running on 127.0.0.1:$REDIS_PORT"
else
  log "starting on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" \
    --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
    --save "" --appendonly no --protected-mode yes >&2
  for _ in $(seq 1 60); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.25
  done
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 \
    || { log "redis did not start; see $REDIS_DIR/redis.log"; exit 1; }
fi

echo "export CETS_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/$REDIS_DB"
