#!/usr/bin/env bash
# Side-by-side benchmark (`make bench`): sets up the reference samplers if needed, then fits
# every tutorial model with credo, PyMC, nutpie and NumPyro, each fit in a fresh process.
# Extra arguments go to bench/run.py, e.g.:
#   bash bench/run.sh --models coin,heterogeneity --tools credo,numpyro --repeats 3
#   bash bench/run.sh --tools credo --merge      # re-run credo only, keep the anchor numbers
set -euo pipefail
cd "$(dirname "$0")/.."

bash bench/setup_anchors.sh

if [ -x .venv/bin/python ]; then
    PY=.venv/bin/python
else
    PY=$(command -v python3)
fi
exec "$PY" bench/run.py "$@"
