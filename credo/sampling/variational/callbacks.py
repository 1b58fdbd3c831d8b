"""Callbacks of ``fit``: each is called as ``callback(approx, losses, i)`` after every
block of iterations; raising ``StopIteration`` ends the fit (PyMC's protocol)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["Callback", "CheckParametersConvergence", "Tracker"]


class Callback:
    def __call__(self, approx: Any, losses: np.ndarray, i: int) -> None:
        raise NotImplementedError


class CheckParametersConvergence(Callback):
    """Stop when the approximation's parameters change by less than ``tolerance`` between
    checks ``every`` iterations apart: ``diff="relative"`` (change / |value|) or
    ``"absolute"``, measured in the ``ord`` norm (default: the largest entry)."""

    def __init__(
        self,
        every: int = 100,
        tolerance: float = 1e-3,
        diff: str = "relative",
        ord: Any = np.inf,
    ) -> None:
        if diff not in ("relative", "absolute"):
            raise ValueError(
                f"CheckParametersConvergence: diff must be 'relative' or 'absolute', got {diff!r}"
            )
        self.every = int(every)
        self.tolerance = float(tolerance)
        self.diff = diff
        self.ord = ord
        self._last: np.ndarray | None = None
        self._last_i = 0

    def __call__(self, approx: Any, losses: np.ndarray, i: int) -> None:
        if self._last is not None and i - self._last_i < self.every:
            return
        current = np.concatenate([np.ravel(v) for v in approx.params.values()])
        previous, self._last, self._last_i = self._last, current, i
        if previous is None or previous.shape != current.shape:
            return
        change = current - previous
        if self.diff == "relative":
            change = change / (np.abs(previous) + 1e-10)
        norm = np.linalg.norm(change, self.ord)
        if norm < self.tolerance:
            raise StopIteration(f"Convergence achieved at {i}")


class Tracker(Callback):
    """Record values during the fit: ``Tracker(mean=lambda: approx.mean.eval())`` or
    functions of the approximation; ``tracker["mean"]`` lists what was recorded."""

    def __init__(self, **fns: Callable[..., Any]) -> None:
        self.whatchdict = fns
        self.hist: dict[str, list[Any]] = {k: [] for k in fns}

    def __call__(self, approx: Any, losses: np.ndarray, i: int) -> None:
        for name, fn in self.whatchdict.items():
            try:
                value = fn(approx, losses, i)
            except TypeError:
                value = fn()
            self.hist[name].append(value)

    def __getitem__(self, key: str) -> list[Any]:
        return self.hist[key]
