#!/usr/bin/env bash
# Measure the embedded NLU engine against Rasa DIET and refresh the figures in docs/nlu.md.
# Needs the Rasa environment (scripts/install-rasa.sh); pass --no-rasa to skip Rasa.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m nlu.benchmark --write docs/nlu.md "$@"
