"""What the tutorial modules share: the stand-in for ``pm`` that adds sampling arguments,
and small posterior helpers for the modules' ``check`` functions.

Each module's ``run(pm)`` holds the tutorial's ``with pm.Model() as ...:`` block
unchanged and returns ``(model, trace, data)``. Called as ``run()`` it runs exactly the
tutorial's code. ``run(pm=tutorial_api(random_seed=1, progressbar=False))`` runs the same code
with those arguments added to its ``pm.sample(...)`` call (overriding the tutorial's where
both give one, e.g. fewer ``draws`` for a quick run); ``run(pm=tutorial_api(sample=False))``
builds the model without sampling (``pm.sample`` then returns ``None``).

The modules (``make_data``, ``run``) import neither credo nor ArviZ until they are used, so
the benchmark's anchors can run the same definitions with PyMC in their own venv.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import xarray as xr


__all__ = [
    "HDI_PROB",
    "tutorial_api",
    "post",
    "hdi",
    "interval",
    "contains",
    "num",
    "mean_sd",
    "mcse",
    "near",
    "pm_sd",
]

HDI_PROB = 0.94  # PyMC3's and ArviZ's default credible mass


class _TutorialAPI:
    """A library (credo by default) with ``sample`` adjusted: extra keyword arguments merged
    into the tutorial's, or only the given ones, or no sampling at all."""

    def __init__(
        self, sample: bool, overrides: dict[str, Any], library: Any, tutorial_args: bool
    ) -> None:
        self._do_sample = sample
        self._overrides = overrides
        self._library = library
        self._tutorial_args = tutorial_args

    def _lib(self) -> Any:
        if self._library is None:
            import credo

            return credo
        return self._library

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lib(), name)

    def sample(self, *args: Any, **kwargs: Any) -> Any:
        if not self._do_sample:
            return None
        lib = self._lib()
        if not self._tutorial_args:
            return lib.sample(**self._overrides)
        bound = inspect.signature(lib.sample).bind_partial(*args, **kwargs)
        return lib.sample(**{**bound.arguments, **self._overrides})


def tutorial_api(
    sample: bool = True, *, library: Any = None, tutorial_args: bool = True, **overrides: Any
) -> Any:
    """``library`` (credo by default) for the tutorial's code: ``pm.sample(...)`` adds
    ``overrides`` to the tutorial's arguments (overrides win), uses ``overrides`` alone with
    ``tutorial_args=False`` (the benchmark's common settings), or returns ``None`` when
    ``sample=False``."""
    return _TutorialAPI(sample, overrides, library, tutorial_args)


def mcse(da: xr.DataArray, method: str = "mean") -> np.ndarray:
    """Monte Carlo standard error of the posterior mean (or ``method="sd"``), per entry."""
    import arviz as az

    return np.asarray(az.mcse(da, method=method).values)


def post(trace: xr.DataTree, name: str) -> xr.DataArray:
    """A posterior variable, dims ``(chain, draw, *shape)``."""
    return trace["posterior"][name]


def hdi(da: xr.DataArray, prob: float = HDI_PROB) -> np.ndarray:
    """The HDI over ``(chain, draw)``: shape ``(*shape, 2)``, lower then upper."""
    import arviz as az

    return np.asarray(az.hdi(da, prob=prob).values)


def contains(interval_: np.ndarray, value: Any) -> np.ndarray:
    """Whether each interval (``(..., 2)``) contains ``value`` (broadcast)."""
    v = np.asarray(value)
    return (interval_[..., 0] <= v) & (v <= interval_[..., 1])


def num(x: Any, digits: int = 3) -> str:
    """A number for a sentence: ``2.01``, ``-0.0004``, ``[0.1, 0.2]``."""
    arr = np.asarray(x, dtype=float)
    if arr.ndim:
        return "[" + ", ".join(num(v, digits) for v in arr) + "]"
    return f"{float(arr):.{digits}g}"


def interval(iv: np.ndarray, digits: int = 3) -> str:
    """``[lo, hi]`` of one interval."""
    return f"[{num(iv[0], digits)}, {num(iv[1], digits)}]"


def mean_sd(da: xr.DataArray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and sd over ``(chain, draw)``."""
    return da.mean(("chain", "draw")).values, da.std(("chain", "draw")).values


def near(da: xr.DataArray, value: Any, k: float = 3.0) -> bool:
    """Whether every entry's posterior mean is within ``k`` posterior sd of ``value``."""
    m, s = mean_sd(da)
    return bool(np.all(np.abs(m - np.asarray(value)) <= k * s))


def pm_sd(da: xr.DataArray, digits: int = 3) -> str:
    """``mean ± sd`` for a sentence (entries joined for arrays)."""
    m, s = mean_sd(da)
    if np.ndim(m):
        return "[" + ", ".join(f"{num(a, digits)} ± {num(b, 2)}" for a, b in zip(m, s)) + "]"
    return f"{num(m, digits)} ± {num(s, 2)}"
