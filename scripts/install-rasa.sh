#!/usr/bin/env bash
# Install Rasa 3.6.21 into its own Python 3.10 virtual environment, outside the repository.
#
#   scripts/install-rasa.sh            # venv at ${CETS_RASA_VENV:-$HOME/.cache/cets/rasa-3.6.21}
#
# Idempotent: a venv that already runs the pinned Rasa is left alone. Needs pyenv for Python
# 3.10.13 (installed through pyenv when missing). Prints the venv's python on the last line;
# tests find it there by default, or through CETS_RASA_PYTHON.
set -euo pipefail

RASA_VERSION="3.6.21"
PYTHON_VERSION="3.10.13"
VENV="${CETS_RASA_VENV:-$HOME/.cache/cets/rasa-${RASA_VERSION}}"

log() { printf 'install-rasa: %s\n' "$*" >&2; }

installed_version() {
    "$VENV/bin/python" - <<'PY' 2>/dev/null || true
from importlib.metadata import version
print(version("rasa"))
PY
}

if [[ -x "$VENV/bin/python" && "$(installed_version)" == "$RASA_VERSION" ]]; then
    log "rasa $RASA_VERSION already installed in $VENV"
    echo "$VENV/bin/python"
    exit 0
fi

find_python() {
    local root candidate
    if command -v pyenv >/dev/null 2>&1; then
        root="$(pyenv root)"
        candidate="$root/versions/$PYTHON_VERSION/bin/python"
        if [[ ! -x "$candidate" ]]; then
            log "installing Python $PYTHON_VERSION with pyenv"
            pyenv install --skip-existing "$PYTHON_VERSION" >&2
        fi
        if [[ -x "$candidate" ]]; then
            echo "$candidate"
            return 0
        fi
    fi
    # No pyenv: accept a python3.10 on PATH.
    if command -v python3.10 >/dev/null 2>&1; then
        command -v python3.10
        return 0
    fi
    log "need Python $PYTHON_VERSION: install pyenv (https://github.com/pyenv/pyenv) or python3.10"
    return 1
}

PYTHON="$(find_python)"
log "using $PYTHON ($("$PYTHON" --version 2>&1))"

if [[ ! -x "$VENV/bin/python" ]]; then
    mkdir -p "$(dirname "$VENV")"
    "$PYTHON" -m venv "$VENV"
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
# rasa 3.6.21 pins setuptools 70.3 (it still imports pkg_resources) and protobuf 4.23.3.
"$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
"$VENV/bin/python" -m pip install --quiet "rasa==${RASA_VERSION}" >&2

if [[ "$(installed_version)" != "$RASA_VERSION" ]]; then
    log "rasa $RASA_VERSION did not install into $VENV"
    exit 1
fi
log "rasa $RASA_VERSION installed in $VENV"
echo "$VENV/bin/python"
