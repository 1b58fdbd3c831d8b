#!/usr/bin/env bash
# Create .venv-anchors (Python >= 3.12) holding the reference samplers the benchmark compares
# credo against: PyMC, nutpie and NumPyro (newest releases that install), plus ArviZ.
# These are benchmark-only tools; they are never dependencies of credo itself.
# Idempotent: a stamp file records a finished install; delete it (or the venv) to reinstall.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-anchors
STAMP=$VENV/.anchors-installed
PKGS=(pymc nutpie numpyro jax arviz arviz-stats)

source scripts/find_python.sh

if [ -f "$STAMP" ] && [ -x "$VENV/bin/python" ] \
    && "$VENV/bin/python" -c 'import pymc, nutpie, numpyro, jax, arviz, arviz_stats' 2>/dev/null; then
    echo "$VENV already set up ($(cat "$STAMP"))."
    exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
    PYTHON=$(find_python) || {
        echo "The anchors need Python >= 3.12; none found (tried PATH and pyenv)." >&2
        exit 1
    }
    echo "Creating $VENV with $PYTHON ($("$PYTHON" --version))"
    "$PYTHON" -m venv "$VENV"
fi

"$VENV/bin/python" -m pip install -q --upgrade pip
echo "Installing ${PKGS[*]} into $VENV (takes a few minutes the first time)..."
"$VENV/bin/python" -m pip install -q --upgrade "${PKGS[@]}"

"$VENV/bin/python" - <<'EOF' >"$STAMP"
import importlib.metadata as md
print(" ".join(f"{p}=={md.version(p)}" for p in ("pymc", "nutpie", "numpyro", "jax", "arviz", "arviz-stats")))
EOF
echo "Installed: $(cat "$STAMP")"
