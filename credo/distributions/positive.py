"""Continuous distributions on the positive half line."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax.scipy.special import (
    gammainc,
    gammaincc,
    gammaln,
    xlogy,
)

from credo.distributions import constraints as C
from credo.distributions._helpers import (
    _LOG_2,
    _bcast,
    _exclusive,
    _floats,
    _full,
    _log1mexp,
    _mean_sd_params,
)
from credo.distributions.base import Continuous, positive

__all__ = ["Exponential", "Gamma", "InverseGamma", "ChiSquared", "Weibull"]


class Exponential(Continuous):
    """Exponential(lam) with rate ``lam``; ``scale=`` accepted (lam = 1/scale)."""

    param_names = ("lam",)
    alt_params = ("scale",)
    param_checks = {"lam": (positive, "positive")}
    support = C.nonnegative

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        _exclusive("Exponential", given, ("lam",), ("scale",))
        if "scale" in given:
            scale = _floats({"scale": given.pop("scale")})["scale"]
            given["lam"] = 1.0 / scale
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, lam: Any) -> Any:
        return jnp.log(lam) - lam * value

    @classmethod
    def logcdf(cls, value: Any, lam: Any) -> Any:
        return _log1mexp(-lam * value)

    @classmethod
    def icdf(cls, q: Any, lam: Any) -> Any:
        return -jnp.log1p(-q) / lam

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, lam: Any) -> Any:
        (lam,) = _bcast(shape, lam)
        return jax.random.exponential(rng_key, shape) / lam

    @classmethod
    def support_point(cls, shape: tuple, lam: Any) -> Any:
        return _full(shape, 1.0 / lam)


class Gamma(Continuous):
    """Gamma(alpha, beta) with shape alpha and rate beta; or ``mu``/``sigma`` (mean, sd)."""

    param_names = ("alpha", "beta")
    aliases = {"sd": "sigma"}
    alt_params = ("mu", "sigma")
    param_checks = {"alpha": (positive, "positive"), "beta": (positive, "positive")}
    support = C.nonnegative

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        ms = _mean_sd_params("Gamma", given, ("alpha", "beta"))
        if ms is not None:
            mu, sigma = ms
            given["alpha"], given["beta"] = mu**2 / sigma**2, mu / sigma**2
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, alpha: Any, beta: Any) -> Any:
        return alpha * jnp.log(beta) - gammaln(alpha) + xlogy(alpha - 1, value) - beta * value

    @classmethod
    def logcdf(cls, value: Any, alpha: Any, beta: Any) -> Any:
        return jnp.log(gammainc(alpha, beta * value))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, alpha: Any, beta: Any) -> Any:
        alpha, beta = _bcast(shape, alpha, beta)
        return jax.random.gamma(rng_key, alpha, shape) / beta

    @classmethod
    def support_point(cls, shape: tuple, alpha: Any, beta: Any) -> Any:
        return _full(shape, alpha / beta)


class InverseGamma(Continuous):
    """InverseGamma(alpha, beta) with shape alpha and scale beta; or ``mu``/``sigma``."""

    param_names = ("alpha", "beta")
    aliases = {"sd": "sigma"}
    alt_params = ("mu", "sigma")
    param_checks = {"alpha": (positive, "positive"), "beta": (positive, "positive")}
    support = C.positive

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        ms = _mean_sd_params("InverseGamma", given, ("alpha", "beta"))
        if ms is not None:
            mu, sigma = ms
            # mean = beta / (alpha - 1), var = mean^2 / (alpha - 2).
            ratio = mu**2 / sigma**2
            given["alpha"], given["beta"] = ratio + 2, mu * (ratio + 1)
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, alpha: Any, beta: Any) -> Any:
        x = jnp.where(value > 0, value, 1.0)
        return alpha * jnp.log(beta) - gammaln(alpha) - (alpha + 1) * jnp.log(x) - beta / x

    @classmethod
    def logcdf(cls, value: Any, alpha: Any, beta: Any) -> Any:
        x = jnp.where(value > 0, value, 1.0)
        return jnp.where(value > 0, jnp.log(gammaincc(alpha, beta / x)), -jnp.inf)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, alpha: Any, beta: Any) -> Any:
        alpha, beta = _bcast(shape, alpha, beta)
        return beta / jax.random.gamma(rng_key, alpha, shape)

    @classmethod
    def support_point(cls, shape: tuple, alpha: Any, beta: Any) -> Any:
        # The mean where it exists, else the mode.
        return _full(shape, jnp.where(alpha > 1, beta / (alpha - 1), beta / (alpha + 1)))


class ChiSquared(Continuous):
    """ChiSquared(nu): Gamma(nu / 2, rate 1 / 2)."""

    param_names = ("nu",)
    param_checks = {"nu": (positive, "positive")}
    support = C.nonnegative

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, nu: Any) -> Any:
        k = 0.5 * nu
        return -k * _LOG_2 - gammaln(k) + xlogy(k - 1, value) - 0.5 * value

    @classmethod
    def logcdf(cls, value: Any, nu: Any) -> Any:
        return jnp.log(gammainc(0.5 * nu, 0.5 * value))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, nu: Any) -> Any:
        (nu,) = _bcast(shape, nu)
        return 2.0 * jax.random.gamma(rng_key, 0.5 * nu, shape)

    @classmethod
    def support_point(cls, shape: tuple, nu: Any) -> Any:
        return _full(shape, nu)


class Weibull(Continuous):
    """Weibull(alpha, beta) with shape alpha and scale beta."""

    param_names = ("alpha", "beta")
    param_checks = {"alpha": (positive, "positive"), "beta": (positive, "positive")}
    support = C.nonnegative

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, alpha: Any, beta: Any) -> Any:
        z = value / beta
        return jnp.log(alpha) - jnp.log(beta) + xlogy(alpha - 1, z) - z**alpha

    @classmethod
    def logcdf(cls, value: Any, alpha: Any, beta: Any) -> Any:
        return _log1mexp(-((value / beta) ** alpha))

    @classmethod
    def icdf(cls, q: Any, alpha: Any, beta: Any) -> Any:
        return beta * (-jnp.log1p(-q)) ** (1.0 / alpha)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, alpha: Any, beta: Any) -> Any:
        alpha, beta = _bcast(shape, alpha, beta)
        return jax.random.weibull_min(rng_key, beta, alpha, shape)

    @classmethod
    def support_point(cls, shape: tuple, alpha: Any, beta: Any) -> Any:
        return _full(shape, beta * jnp.exp(gammaln(1 + 1 / alpha)))
