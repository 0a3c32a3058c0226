#!/usr/bin/env bash
# Stop the throwaway test cluster started by scripts/postgres-start.sh (--purge also deletes it).
set -euo pipefail
PG_DIR="${CETS_PG_DIR:-/tmp/cets-postgres}"
BINDIR="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -f "$PG_DIR/data/PG_VERSION" ] || { echo "no cluster in $PG_DIR" >&2; exit 0; }
if [ "$(id -u)" -eq 0 ]; then RUN_AS=(runuser -u postgres --); else RUN_AS=(); fi
"${RUN_AS[@]}" "$BINDIR/pg_ctl" -D "$PG_DIR/data" -m fast stop >&2 || true
if [ "${1:-}" = "--purge" ]; then rm -rf "$PG_DIR"; echo "removed $PG_DIR" >&2; fi
