#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 found on this machine and install credo (editable, test extras).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/find_python.sh

if [ ! -x .venv/bin/python ]; then
    PYTHON=$(find_python) || { echo "credo needs Python >= 3.12; none found (tried PATH and pyenv)." >&2; exit 1; }
    echo "Creating .venv with $PYTHON ($("$PYTHON" --version))"
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

# Graphviz's `dot` renders model graphs; without it credo writes .dot text and says so.
if ! command -v dot >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        SUDO=""
        [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo -n"
        ($SUDO apt-get install -y -q graphviz >/dev/null 2>&1 \
            || ($SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q graphviz >/dev/null 2>&1)) \
            || echo "Could not install graphviz's dot; model graphs will be written as .dot text."
    else
        echo "graphviz's dot not found; install it (e.g. 'apt-get install graphviz') to render model graphs."
    fi
fi
