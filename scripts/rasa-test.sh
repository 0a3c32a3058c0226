#!/usr/bin/env bash
# Install Rasa 3.6.21 (if needed) and run the Rasa integration tests against a real server.
# The first run on a machine trains the model (several minutes on 2 cores); later runs reuse
# it from ~/.cache/cets/rasa-models (or $CETS_RASA_MODEL_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
CETS_RASA_PYTHON="$(bash scripts/install-rasa.sh | tail -n 1)"
export CETS_RASA_PYTHON
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" exec "$PYTHON" -m pytest -m rasa tests/nlu -q "$@"
