"""Censored and Truncated versions of any univariate distribution with a logcdf.

``Censored(dist, lower, upper)``: values beyond a bound are recorded at the bound, so the
bound carries the base distribution's tail mass. ``Truncated(dist, lower, upper)``: the
base distribution restricted to [lower, upper] and renormalised. A missing bound (None)
is infinite. For discrete bases the truncation is to the integers lower..upper.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo import tensor as T
from credo.distributions import constraints as C
from credo.distributions import transforms as tr
from credo.distributions._helpers import _log1mexp
from credo.distributions.base import BoundDist, Distribution
from credo.errors import ParameterError

__all__ = ["Censored", "Truncated"]


def _is_node(x: Any) -> bool:
    return isinstance(x, T.TensorVariable)


def _finite(x: Any) -> Any:
    return jnp.where(jnp.isfinite(x), x, 0.0)


def _no_bound(x: Any, sign: float) -> bool:
    """Whether a bound is known (not traced) to be sign * inf everywhere: then the CDF
    there is not computed at all (its gradient at a stand-in point could be NaN)."""
    if isinstance(x, jax.core.Tracer):
        return False
    arr = np.asarray(x)
    return bool(np.all(np.isinf(arr) & (np.sign(arr) == sign)))


def _bounds_given(given: dict, who: str) -> dict:
    for k, fill in (("lower", -np.inf), ("upper", np.inf)):
        v = given.get(k)
        given[k] = fill if v is None else v
        v = T.as_tensor(given[k])
        if not _is_node(v) and np.asarray(v).dtype.kind in "biu":
            v = np.asarray(v, dtype=np.float64)
        given[k] = v
    lo, hi = given["lower"], given["upper"]
    if not _is_node(lo) and not _is_node(hi) and not np.all(np.asarray(lo) < np.asarray(hi)):
        raise ParameterError(f"{who}: 'lower' must be less than 'upper', got {lo} and {hi}")
    return given


class _Wrapper(Distribution):
    param_names = ("lower", "upper")
    positional = ("dist", "lower", "upper")
    dist_params = ("dist",)
    support = C.interval("lower", "upper")

    def _post_init(self, label: str) -> None:
        if "dist" not in self.subdists or self.subdists["dist"][0]:
            raise ParameterError(f"{label}: 'dist' must be one distribution, e.g. pm.Normal.dist()")
        base = self.subdists["dist"][1][0]
        if base.ndim_supp != 0:
            raise ParameterError(f"{label}: 'dist' must be univariate")
        if not type(base).has_logcdf():
            raise ParameterError(f"{label}: {type(base).__name__} has no logcdf")
        self.discrete = bool(base.discrete)

    def value_dtype(self) -> Any:
        return np.int64 if self.discrete else np.float64

    def batch_and_event(self, shapes: dict, sub_shapes: dict) -> tuple[tuple, tuple]:
        batch = np.broadcast_shapes(shapes["lower"], shapes["upper"], *sub_shapes["dist"])
        return tuple(batch), ()

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _bounds_given(given, cls.__name__)


class Censored(_Wrapper):
    """Censored(dist, lower, upper): ``dist`` observed through clipping to [lower, upper].

    log p(lower) = log F(lower), log p(upper) = log P(X >= upper), log p(x) = the base's in
    between. No default transform (the bounds carry mass).
    """

    transform_doc = "none"

    def default_transform(self) -> tr.Transform | None:
        return None

    @classmethod
    def logp(cls, value: Any, lower: Any, upper: Any, dist: BoundDist) -> Any:
        inner = dist.logp(value)
        # Infinite bounds are never hit: evaluate the CDF at a finite stand-in, so that
        # no NaN enters the gradient through the unused branch.
        lp = inner
        if not _no_bound(upper, 1.0):
            # P(X >= upper): 1 - F(upper), plus P(X = upper) for a discrete base.
            up = _finite(upper)
            tail = _log1mexp(jnp.minimum(dist.logcdf(up), 0.0))
            if dist.discrete:
                tail = jnp.logaddexp(tail, dist.logp(up))
            lp = jnp.where(value >= upper, tail, lp)
        if not _no_bound(lower, -1.0):
            lp = jnp.where(value <= lower, dist.logcdf(_finite(lower)), lp)
        return lp

    @classmethod
    def logcdf(cls, value: Any, lower: Any, upper: Any, dist: BoundDist) -> Any:
        return jnp.where(value >= upper, 0.0, dist.logcdf(value))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, lower: Any, upper: Any, dist: BoundDist) -> Any:
        return jnp.clip(dist.sample(rng_key, shape), lower, upper)

    @classmethod
    def support_point(cls, shape: tuple, lower: Any, upper: Any, dist: BoundDist) -> Any:
        x = jnp.broadcast_to(dist.support_point(shape), shape)
        # Inside the interval where it is open, so that a free variable starts with a density.
        lo_in = jnp.where(jnp.isfinite(lower), lower, x)
        hi_in = jnp.where(jnp.isfinite(upper), upper, x)
        mid = jnp.where(jnp.isfinite(lower) & jnp.isfinite(upper), 0.5 * (lo_in + hi_in), x)
        inside = (x > lower) & (x < upper)
        fallback = jnp.where(jnp.isfinite(lower) & jnp.isfinite(upper), mid, x)
        fallback = jnp.where(~jnp.isfinite(upper) & (x <= lower), lower + 1.0, fallback)
        fallback = jnp.where(~jnp.isfinite(lower) & (x >= upper), upper - 1.0, fallback)
        out = jnp.where(inside, x, fallback)
        return out.astype(jnp.asarray(x).dtype)


def _log_mass(dist: BoundDist, lower: Any, upper: Any) -> Any:
    """log P(lower <= X <= upper) (for discrete: the integers in between)."""
    lo = lower - 1.0 if dist.discrete else lower
    lc_hi: Any = 0.0
    if not _no_bound(upper, 1.0):
        lc_hi = jnp.where(jnp.isposinf(upper), 0.0, dist.logcdf(_finite(upper)))
    if _no_bound(lower, -1.0):
        return lc_hi, -jnp.inf
    lc_lo = jnp.where(jnp.isneginf(lower), -jnp.inf, dist.logcdf(_finite(lo)))
    return lc_hi + _log1mexp(jnp.minimum(lc_lo - lc_hi, 0.0)), lc_lo


class Truncated(_Wrapper):
    """Truncated(dist, lower=None, upper=None, max_n_steps=10_000): ``dist`` restricted to
    [lower, upper] and renormalised. Draws by the inverse CDF where the base has one, else
    by rejection (at most ``max_n_steps`` rounds)."""

    transform_doc = "interval, lower or upper bound (bounds within the base's support)"

    static_params = ("max_n_steps",)

    def default_transform(self) -> tr.Transform | None:
        if self.discrete:
            return None
        base = self.subdists["dist"][1][0]
        blo, bhi = type(base).support.range(base._bind(base.params))
        lo, hi = self.params["lower"], self.params["upper"]
        if not _is_node(lo) and np.all(np.isneginf(lo)):
            lo = blo
        if not _is_node(hi) and np.all(np.isposinf(hi)):
            hi = bhi
        return C.biject_to(C.interval(lo, hi), {})

    @classmethod
    def support_check(cls, value: Any, lower: Any, upper: Any, dist: BoundDist, **_: Any) -> Any:
        return (value >= lower) & (value <= upper) & dist.in_support(value)

    @classmethod
    def logp(cls, value: Any, lower: Any, upper: Any, dist: BoundDist, **_: Any) -> Any:
        return dist.logp(value) - _log_mass(dist, lower, upper)[0]

    @classmethod
    def logcdf(cls, value: Any, lower: Any, upper: Any, dist: BoundDist, **_: Any) -> Any:
        mass, lc_lo = _log_mass(dist, lower, upper)
        lc = dist.logcdf(value)
        if _no_bound(lower, -1.0):
            return lc - mass
        return lc + _log1mexp(jnp.minimum(lc_lo - lc, 0.0)) - mass

    @classmethod
    def sample(
        cls, rng_key: Any, shape: tuple, lower: Any, upper: Any, dist: BoundDist, **static: Any
    ) -> Any:
        lower = jnp.broadcast_to(lower, shape)
        upper = jnp.broadcast_to(upper, shape)
        if dist.has_icdf:
            lo = lower - 1.0 if dist.discrete else lower
            f_lo = jnp.where(jnp.isneginf(lo), 0.0, jnp.exp(dist.logcdf(lo)))
            f_hi = jnp.where(jnp.isposinf(upper), 1.0, jnp.exp(dist.logcdf(upper)))
            u = jax.random.uniform(rng_key, shape)
            x = dist.icdf(f_lo + u * (f_hi - f_lo))
            return jnp.clip(x, lower, upper)
        max_steps = int(static.get("max_n_steps") or 10_000)

        def cond(state: tuple) -> Any:
            i, _, _, done = state
            return (i < max_steps) & ~jnp.all(done)

        def body(state: tuple) -> tuple:
            i, key, x, done = state
            key, sub = jax.random.split(key)
            prop = dist.sample(sub, shape)
            ok = (prop >= lower) & (prop <= upper)
            return i + 1, key, jnp.where(done, x, prop), done | ok

        x0 = jnp.zeros(shape, jnp.asarray(dist.support_point(shape)).dtype)
        init = (0, rng_key, x0, jnp.zeros(shape, bool))
        _, _, x, _ = jax.lax.while_loop(cond, body, init)
        return x

    @classmethod
    def support_point(cls, shape: tuple, lower: Any, upper: Any, dist: BoundDist, **_: Any) -> Any:
        return Censored.support_point(shape, lower, upper, dist)
