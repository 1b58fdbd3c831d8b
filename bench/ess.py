"""Bulk effective sample size and R-hat, one implementation for every tool in the benchmark.

arviz-stats' rank-normalised split-chain bulk ESS and R-hat (Vehtari, Gelman, Simpson,
Carpenter, Buerkner, 2021), the same functions credo's diagnostics and tests use. The
anchors' venv installs arviz-stats too, so every venv computes identical numbers from
identical draws.
"""

from __future__ import annotations

import numpy as np
from arviz_stats.base import array_stats


def _valid(x):
    return np.all(np.isfinite(x)) and not np.all(x == x.flat[0])


def ess_bulk(x):
    """Bulk ESS of one scalar quantity; ``x`` has shape (chain, draw). NaN if constant."""
    x = np.asarray(x, dtype=float)
    if not _valid(x):
        return float("nan")
    return float(array_stats.ess(x, chain_axis=0, draw_axis=1, method="bulk"))


def rhat(x):
    """Rank-normalised split R-hat (max of bulk and folded); ``x`` is (chain, draw)."""
    x = np.asarray(x, dtype=float)
    if not _valid(x):
        return float("nan")
    return float(array_stats.rhat(x, chain_axis=0, draw_axis=1, method="rank"))


def summarize(draws: dict) -> dict:
    """Per-variable min bulk ESS and max R-hat over the scalar elements of each array.

    ``draws`` maps a name to an array shaped (chain, draw, *event). Elements that are constant
    across every draw (e.g. a structural zero) are skipped.
    """
    out = {}
    for name, arr in draws.items():
        arr = np.asarray(arr, dtype=float)
        flat = arr.reshape(arr.shape[0], arr.shape[1], -1)
        esses, rhats = [], []
        for i in range(flat.shape[2]):
            e = ess_bulk(flat[:, :, i])
            if np.isfinite(e):
                esses.append(e)
                rhats.append(rhat(flat[:, :, i]))
        out[name] = {
            "min_ess_bulk": min(esses) if esses else float("nan"),
            "max_rhat": max(rhats) if rhats else float("nan"),
        }
    return out
