"""Convergence diagnostics for sample()'s warnings, from arviz-stats: rank-normalised split
R-hat and bulk effective sample size (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021).

Importing arviz-stats takes about 1.5 s (it loads SciPy's statistics and xarray-einstats),
longer than sampling a small model; :func:`preload` imports it on a thread while XLA
compiles the sampler, so the diagnostics after sampling find it loaded.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

__all__ = ["rhat", "ess_bulk", "ess_mean", "preload"]

_preload_lock = threading.Lock()
_preload_thread: threading.Thread | None = None


def _import_array_stats() -> None:
    from arviz_stats.base import array_stats  # noqa: F401


def preload() -> None:
    """Start importing arviz-stats in the background (once per process)."""
    global _preload_thread
    with _preload_lock:
        if _preload_thread is None:
            _preload_thread = threading.Thread(
                target=_import_array_stats, name="credo-import-arviz-stats", daemon=True
            )
            _preload_thread.start()


def _array_stats() -> Any:
    from arviz_stats.base import array_stats  # waits for preload's import, if under way

    return array_stats


def _apply(fn: str, x: Any, **kwargs: Any) -> Any:
    """``x``: (chain, draw, *shape) -> diagnostic of shape ``shape`` (a float for 2-D x).
    NaN where the draws are constant or not finite (nothing to diagnose)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.asarray(getattr(_array_stats(), fn)(x, chain_axis=0, draw_axis=1, **kwargs))
    flat = x.reshape(x.shape[0] * x.shape[1], -1)
    bad = ~np.all(np.isfinite(flat), axis=0) | (np.ptp(flat, axis=0) == 0)
    out = np.where(bad.reshape(x.shape[2:]), np.nan, out)
    return float(out) if out.ndim == 0 else out


def rhat(x: Any) -> Any:
    """Rank-normalised split R-hat (the larger of bulk and folded); x: (chain, draw, ...)."""
    return _apply("rhat", x, method="rank")


def ess_bulk(x: Any) -> Any:
    """Bulk effective sample size (rank-normalised, split chains); x: (chain, draw, ...)."""
    return _apply("ess", x, method="bulk")


def ess_mean(x: Any) -> Any:
    """Effective sample size of the mean (for its MCSE); x: (chain, draw, ...)."""
    return _apply("ess", x, method="mean")
