"""Helpers shared by the distribution families (parameters, broadcasting, stable special
functions)."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np
from jax.scipy.special import erfc, erfcx

from credo import tensor as T
from credo.errors import ParameterError
from credo.special import log1mexp

__all__ = [
    "_LOG_2PI",
    "_LOG_2",
    "_LOG_PI",
    "_SQRT_HALF",
    "_is_node",
    "_floats",
    "_constant",
    "_exclusive",
    "_from_precision",
    "_check_less",
    "_bcast",
    "_full",
    "_log_ndtr",
    "_log1mexp",
    "_log_ndtr_diff",
    "_standard",
    "_mean_sd_params",
]

_LOG_2PI = float(np.log(2 * np.pi))
_LOG_2 = float(np.log(2.0))
_LOG_PI = float(np.log(np.pi))
_SQRT_HALF = float(np.sqrt(0.5))


def _is_node(x: Any) -> bool:
    return isinstance(x, T.TensorVariable)


def _floats(given: dict[str, Any]) -> dict[str, Any]:
    """Constant integer/bool parameters -> float64 arrays (nodes pass through)."""
    out = {}
    for k, v in given.items():
        v = T.as_tensor(v)
        if not _is_node(v) and v.dtype.kind in "biu":
            v = v.astype(np.float64)
        out[k] = v
    return out


def _constant(x: Any) -> np.ndarray | None:
    """A constant parameter as a float array, or None for a node (known only at run time)."""
    return None if _is_node(x) else np.asarray(x, dtype=np.float64)


def _exclusive(name: str, given: dict[str, Any], first: tuple, second: tuple) -> None:
    """Raise if parameters of two parametrisations are mixed."""
    a = [k for k in first if k in given]
    b = [k for k in second if k in given]
    if a and b:
        raise ParameterError(
            f"{name}: give either {' and '.join(map(repr, first))} or "
            f"{' and '.join(map(repr, second))}, not {a[0]!r} together with {b[0]!r}"
        )


def _from_precision(given: dict[str, Any], name: str, key: str = "tau") -> dict[str, Any]:
    """PyMC's precision parametrisation: ``tau`` (or ``lam``) -> ``sigma = tau ** -0.5``."""
    if key in given:
        prec = T.as_tensor(given.pop(key))
        if "sigma" in given:
            raise ParameterError(f"{name}: give either 'sigma' (or 'sd') or '{key}', not both")
        const = _constant(prec)
        if const is not None:
            if np.any(~(const > 0)):
                raise ParameterError(
                    f"{name}: parameter '{key}' must be positive, got {np.ravel(const)[:5]}"
                )
            given["sigma"] = const**-0.5
        else:
            given["sigma"] = prec**-0.5
    return given


def _check_less(name: str, given: dict[str, Any], lo: str, hi: str, strict: bool = True) -> None:
    """Definition-time check that constant bounds are ordered."""
    if lo not in given or hi not in given:
        return
    a, b = _constant(given[lo]), _constant(given[hi])
    if a is None or b is None:
        return
    ok = a < b if strict else a <= b
    if not np.all(ok):
        rel = "less than" if strict else "at most"
        raise ParameterError(
            f"{name}: '{lo}' must be {rel} '{hi}', got {lo}={np.ravel(a)[:5]} "
            f"{hi}={np.ravel(b)[:5]}"
        )


def _bcast(shape: tuple, *params: Any) -> list[Any]:
    """Parameters as float arrays broadcast to the draw shape."""
    return [jnp.broadcast_to(jnp.asarray(p, dtype=float), shape) for p in params]


def _full(shape: tuple, x: Any) -> Any:
    return jnp.broadcast_to(jnp.asarray(x, dtype=float), shape)


def _log_ndtr(x: Any) -> Any:
    """log Phi(x), accurate in both tails (jax's log_ndtr loses digits for x in (6, 8)).

    Left: Phi(x) = erfcx(-x/sqrt2) exp(-x^2/2) / 2; right: log1p(-Phi(-x)).
    """
    xn = jnp.minimum(x, 0.0)
    xp = jnp.maximum(x, 0.0)
    left = jnp.log(0.5 * erfcx(-xn * _SQRT_HALF)) - 0.5 * xn**2
    right = jnp.log1p(-0.5 * erfc(xp * _SQRT_HALF))
    return jnp.where(x < 0, left, right)


def _log1mexp(d: Any) -> Any:
    """log(1 - exp(d)) for d <= 0: ``credo.special.log1mexp(-d)``."""
    return log1mexp(-d)


def _log_ndtr_diff(a: Any, b: Any) -> Any:
    """log(Phi(b) - Phi(a)) for a < b (either may be infinite), without cancellation.

    When both are in the upper tail, use the symmetric form Phi(-a) - Phi(-b).
    """
    flip = a > 0
    lo = jnp.where(flip, -b, a)
    hi = jnp.where(flip, -a, b)
    lhi = _log_ndtr(hi)
    return lhi + _log1mexp(_log_ndtr(lo) - lhi)


def _standard(bound: Any, mu: Any, sigma: Any, fill: float) -> Any:
    """(bound - mu) / sigma; an infinite bound stays the constant +-inf (zero gradient)."""
    fin = jnp.isfinite(bound)
    z = (jnp.where(fin, bound, 0.0) - mu) / sigma
    return jnp.where(fin, z, fill)


def _mean_sd_params(name: str, given: dict, canonical: tuple[str, str]) -> tuple[Any, Any] | None:
    """Pop ``mu`` and ``sigma`` (both needed) of a mean/sd parametrisation, if given."""
    _exclusive(name, given, canonical, ("mu", "sigma"))
    if "mu" not in given and "sigma" not in given:
        return None
    if "mu" not in given or "sigma" not in given:
        raise ParameterError(f"{name}: the mean/sd parametrisation needs both 'mu' and 'sigma'")
    p = _floats({"mu": given.pop("mu"), "sigma": given.pop("sigma")})
    for k in ("mu", "sigma"):
        c = _constant(p[k])
        if c is not None and np.any(~(c > 0)):
            raise ParameterError(f"{name}: parameter '{k}' must be positive, got {np.ravel(c)[:5]}")
    return p["mu"], p["sigma"]
