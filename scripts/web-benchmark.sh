#!/usr/bin/env bash
# Run the public register benchmark (/v/ and /search among 10,000 businesses) on SQLite and,
# when CETS_BENCH_POSTGRES_URL is set, on PostgreSQL too (its database is wiped). Figures go in
# docs/web.md.
#
#   scripts/web-benchmark.sh [--requests 2000] [--certified 300]
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
export PYTHONPATH=.:benchmarks
echo "# $(date -u +%FT%TZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$PYTHON" benchmarks/web_register.py "$@" || status=1
if [ -n "${CETS_BENCH_POSTGRES_URL:-}" ]; then
  "$PYTHON" benchmarks/web_register.py --database-url "$CETS_BENCH_POSTGRES_URL" "$@" || status=1
fi
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
