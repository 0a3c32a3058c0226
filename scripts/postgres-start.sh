#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback for the test suite; idempotent.
#
#   eval "$(scripts/postgres-start.sh)"    # exports CETS_TEST_POSTGRES_URL
#
# Installs Debian's postgresql package if the server binaries are missing (needs root and
# network to the Debian mirror), creates a cluster under $CETS_PG_DIR (default
# /tmp/cets-postgres) listening on 127.0.0.1:$CETS_PG_PORT (default 55432) with trust
# authentication (loopback only, test data only), and a database $CETS_PG_DB (default cets_test).
# Running it again reuses the cluster. Only the export line goes to stdout; progress to stderr.
# Stop it with scripts/registry-postgres-stop.sh.
set -euo pipefail

PG_DIR="${CETS_PG_DIR:-/tmp/cets-postgres}"
PG_PORT="${CETS_PG_PORT:-55432}"
PG_DB="${CETS_PG_DB:-cets_test}"
PG_USER="${CETS_PG_USER:-cets}"
log() { echo "postgres-start: $*" >&2; }

find_bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/postgres" ] && [ -x "$dir/initdb" ]; then echo "$dir"; fi
  done | sort -V | tail -n 1
}

BINDIR="$(find_bindir)"
if [ -z "$BINDIR" ]; then
  log "installing Debian's postgresql package"
  if [ "$(id -u)" -ne 0 ]; then log "need root to apt-get install postgresql"; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
  BINDIR="$(find_bindir)"
fi
[ -n "$BINDIR" ] || { log "no PostgreSQL server binaries found"; exit 1; }

# The server refuses to run as root: run it as the package's postgres user (or the caller).
if [ "$(id -u)" -eq 0 ]; then
  RUN_AS=(runuser -u postgres --)
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
else
  RUN_AS=()
fi

mkdir -p "$PG_DIR"
[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
DATA="$PG_DIR/data"
if [ ! -f "$DATA/PG_VERSION" ]; then
  log "creating a cluster in $DATA"
  "${RUN_AS[@]}" "$BINDIR/initdb" -D "$DATA" -U "$PG_USER" --auth=trust -E UTF8 \
    --locale=C.UTF-8 >&2 || "${RUN_AS[@]}" "$BINDIR/initdb" -D "$DATA" -U "$PG_USER" \
    --auth=trust -E UTF8 --no-locale >&2
fi

if "${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  log "already running"
else
  log "starting on 127.0.0.1:$PG_PORT"
  "${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$DATA" -l "$PG_DIR/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" >&2
fi

for _ in $(seq 1 60); do
  "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
  sleep 0.5
done
PSQL=("$BINDIR/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -v ON_ERROR_STOP=1 -qtA)
if [ "$("${PSQL[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
  log "creating database $PG_DB"
  "${PSQL[@]}" -c "CREATE DATABASE \"$PG_DB\"" >&2
fi

echo "export CETS_TEST_POSTGRES_URL=postgresql+asyncpg://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB"
