"""The normal family: Normal, HalfNormal, TruncatedNormal, SkewNormal, LogNormal."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import erf, erfc, ndtr, ndtri

from credo.distributions import constraints as C
from credo.distributions._helpers import (
    _LOG_2,
    _LOG_2PI,
    _SQRT_HALF,
    _bcast,
    _check_less,
    _floats,
    _from_precision,
    _full,
    _log_ndtr,
    _log_ndtr_diff,
    _standard,
)
from credo.distributions.base import Continuous, positive

__all__ = ["Normal", "HalfNormal", "TruncatedNormal", "SkewNormal", "LogNormal", "Lognormal"]


class Normal(Continuous):
    """Normal(mu, sigma); ``sd=`` and ``tau=`` (precision) accepted."""

    param_names = ("mu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"mu": 0.0, "sigma": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    support = C.real

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "Normal"))

    @classmethod
    def logp(cls, value: Any, mu: Any, sigma: Any) -> Any:
        z = (value - mu) / sigma
        return -0.5 * z**2 - jnp.log(sigma) - 0.5 * _LOG_2PI

    @classmethod
    def logcdf(cls, value: Any, mu: Any, sigma: Any) -> Any:
        return _log_ndtr((value - mu) / sigma)

    @classmethod
    def icdf(cls, q: Any, mu: Any, sigma: Any) -> Any:
        return mu + sigma * ndtri(q)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any) -> Any:
        mu, sigma = _bcast(shape, mu, sigma)
        return mu + sigma * jax.random.normal(rng_key, shape)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, sigma: Any) -> Any:
        return _full(shape, mu)


class HalfNormal(Continuous):
    """HalfNormal(sigma) on x >= 0; ``sd=`` and ``tau=`` accepted."""

    param_names = ("sigma",)
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"sigma": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    support = C.nonnegative

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "HalfNormal"))

    @classmethod
    def logp(cls, value: Any, sigma: Any) -> Any:
        z = value / sigma
        return 0.5 * np.log(2 / np.pi) - jnp.log(sigma) - 0.5 * z**2

    @classmethod
    def logcdf(cls, value: Any, sigma: Any) -> Any:
        # erf(z / sqrt 2): log erf near 0, log1p(-erfc) in the tail.
        w = value / sigma * _SQRT_HALF
        return jnp.where(w < 1.0, jnp.log(erf(w)), jnp.log1p(-erfc(w)))

    @classmethod
    def icdf(cls, q: Any, sigma: Any) -> Any:
        return sigma * ndtri(0.5 + 0.5 * q)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, sigma: Any) -> Any:
        (sigma,) = _bcast(shape, sigma)
        return sigma * jnp.abs(jax.random.normal(rng_key, shape))

    @classmethod
    def support_point(cls, shape: tuple, sigma: Any) -> Any:
        return _full(shape, sigma * np.sqrt(2 / np.pi))


class TruncatedNormal(Continuous):
    """TruncatedNormal(mu, sigma, lower=None, upper=None); a missing bound is unbounded.

    The default transform follows the bounds given: interval, lower bound, upper bound or
    none. ``sd=`` and ``tau=`` accepted.
    """

    param_names = ("mu", "sigma", "lower", "upper")
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"mu": 0.0, "sigma": 1.0, "lower": -np.inf, "upper": np.inf}
    param_checks = {"sigma": (positive, "positive")}
    support = C.interval("lower", "upper")

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        _check_less("TruncatedNormal", given, "lower", "upper")
        return _floats(_from_precision(given, "TruncatedNormal"))

    @classmethod
    def support_check(cls, value: Any, mu: Any, sigma: Any, lower: Any, upper: Any) -> Any:
        return (value >= lower) & (value <= upper) & jnp.isfinite(value) & (lower < upper)

    @classmethod
    def logp(cls, value: Any, mu: Any, sigma: Any, lower: Any, upper: Any) -> Any:
        a = _standard(lower, mu, sigma, -jnp.inf)
        b = _standard(upper, mu, sigma, jnp.inf)
        z = (value - mu) / sigma
        return -0.5 * z**2 - jnp.log(sigma) - 0.5 * _LOG_2PI - _log_ndtr_diff(a, b)

    @classmethod
    def logcdf(cls, value: Any, mu: Any, sigma: Any, lower: Any, upper: Any) -> Any:
        a = _standard(lower, mu, sigma, -jnp.inf)
        b = _standard(upper, mu, sigma, jnp.inf)
        z = (value - mu) / sigma
        return _log_ndtr_diff(a, z) - _log_ndtr_diff(a, b)

    @classmethod
    def icdf(cls, q: Any, mu: Any, sigma: Any, lower: Any, upper: Any) -> Any:
        a = _standard(lower, mu, sigma, -jnp.inf)
        b = _standard(upper, mu, sigma, jnp.inf)
        flip = a > 0
        lo = ndtr(jnp.where(flip, -b, a))
        hi = ndtr(jnp.where(flip, -a, b))
        u = jnp.where(flip, 1.0 - q, q)
        z = ndtri(lo + u * (hi - lo))
        return jnp.clip(mu + sigma * jnp.where(flip, -z, z), lower, upper)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any, lower: Any, upper: Any) -> Any:
        mu, sigma, lower, upper = _bcast(shape, mu, sigma, lower, upper)
        a = _standard(lower, mu, sigma, -jnp.inf)
        b = _standard(upper, mu, sigma, jnp.inf)
        # Inverse CDF; in the upper tail on the mirrored interval, where Phi keeps digits.
        flip = a > 0
        lo = ndtr(jnp.where(flip, -b, a))
        hi = ndtr(jnp.where(flip, -a, b))
        u = jax.random.uniform(rng_key, shape)
        z = ndtri(lo + u * (hi - lo))
        z = jnp.where(flip, -z, z)
        return jnp.clip(mu + sigma * z, lower, upper)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, sigma: Any, lower: Any, upper: Any) -> Any:
        mu, sigma, lower, upper = _bcast(shape, mu, sigma, lower, upper)
        lo_fin, hi_fin = jnp.isfinite(lower), jnp.isfinite(upper)
        fallback = jnp.where(
            lo_fin & hi_fin,
            0.5 * (jnp.where(lo_fin, lower, 0.0) + jnp.where(hi_fin, upper, 0.0)),
            jnp.where(lo_fin, lower + sigma, upper - sigma),
        )
        # The mode mu where it lies strictly inside, else a central point of the interval.
        return jnp.where((mu > lower) & (mu < upper), mu, fallback)


class SkewNormal(Continuous):
    """SkewNormal(mu, sigma, alpha) (alpha: skewness, default 1 as PyMC); ``tau=`` accepted."""

    param_names = ("mu", "sigma", "alpha")
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"mu": 0.0, "sigma": 1.0, "alpha": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    support = C.real

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "SkewNormal"))

    @classmethod
    def logp(cls, value: Any, mu: Any, sigma: Any, alpha: Any) -> Any:
        z = (value - mu) / sigma
        return _LOG_2 - 0.5 * _LOG_2PI - jnp.log(sigma) - 0.5 * z**2 + _log_ndtr(alpha * z)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any, alpha: Any) -> Any:
        mu, sigma, alpha = _bcast(shape, mu, sigma, alpha)
        # delta |u0| + sqrt(1 - delta^2) v is skew-normal (Azzalini 1985).
        delta = alpha / jnp.sqrt(1 + alpha**2)
        k0, k1 = jax.random.split(rng_key)
        u0 = jnp.abs(jax.random.normal(k0, shape))
        v = jax.random.normal(k1, shape)
        return mu + sigma * (delta * u0 + jnp.sqrt(1 - delta**2) * v)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, sigma: Any, alpha: Any) -> Any:
        delta = alpha / jnp.sqrt(1 + alpha**2)
        return _full(shape, mu + sigma * np.sqrt(2 / np.pi) * delta)


class LogNormal(Continuous):
    """LogNormal(mu, sigma): log(x) ~ Normal(mu, sigma); ``sd=`` and ``tau=`` accepted."""

    param_names = ("mu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"mu": 0.0, "sigma": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    support = C.positive

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "LogNormal"))

    @classmethod
    def logp(cls, value: Any, mu: Any, sigma: Any) -> Any:
        logx = jnp.log(jnp.where(value > 0, value, 1.0))
        z = (logx - mu) / sigma
        return -logx - 0.5 * _LOG_2PI - jnp.log(sigma) - 0.5 * z**2

    @classmethod
    def logcdf(cls, value: Any, mu: Any, sigma: Any) -> Any:
        logx = jnp.log(jnp.where(value > 0, value, 1.0))
        return jnp.where(value > 0, _log_ndtr((logx - mu) / sigma), -jnp.inf)

    @classmethod
    def icdf(cls, q: Any, mu: Any, sigma: Any) -> Any:
        return jnp.exp(mu + sigma * ndtri(q))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any) -> Any:
        mu, sigma = _bcast(shape, mu, sigma)
        return jnp.exp(mu + sigma * jax.random.normal(rng_key, shape))

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, sigma: Any) -> Any:
        return _full(shape, jnp.exp(mu + 0.5 * sigma**2))


# PyMC exports both spellings (its ODE notebook writes pm.Lognormal).
Lognormal = LogNormal
