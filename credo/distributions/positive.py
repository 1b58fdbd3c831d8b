"""Continuous distributions on the positive half line."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax.scipy.special import gammainc, gammaincc, gammaln, i0e, xlogy

from credo.distributions import constraints as C
from credo.distributions._helpers import (
    _LOG_2,
    _LOG_2PI,
    _bcast,
    _exclusive,
    _floats,
    _full,
    _log1mexp,
    _log_ndtr,
    _mean_sd_params,
)
from credo.distributions.base import Continuous, nonnegative, positive

__all__ = [
    "Exponential",
    "Gamma",
    "InverseGamma",
    "ChiSquared",
    "Weibull",
    "Pareto",
    "Wald",
    "Rice",
]


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


class Pareto(Continuous):
    """Pareto(alpha, m): density alpha m^alpha / x^(alpha + 1) on x >= m."""

    param_names = ("alpha", "m")
    param_checks = {"alpha": (positive, "positive"), "m": (positive, "positive")}
    support = C.greater_than("m")

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, alpha: Any, m: Any) -> Any:
        x = jnp.maximum(value, m)
        return jnp.log(alpha) + alpha * jnp.log(m) - (alpha + 1) * jnp.log(x)

    @classmethod
    def logcdf(cls, value: Any, alpha: Any, m: Any) -> Any:
        return _log1mexp(alpha * (jnp.log(m) - jnp.log(jnp.maximum(value, m))))

    @classmethod
    def icdf(cls, q: Any, alpha: Any, m: Any) -> Any:
        return m * jnp.exp(-jnp.log1p(-q) / alpha)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, alpha: Any, m: Any) -> Any:
        alpha, m = _bcast(shape, alpha, m)
        return m * jnp.exp(jax.random.exponential(rng_key, shape) / alpha)

    @classmethod
    def support_point(cls, shape: tuple, alpha: Any, m: Any) -> Any:
        # The median.
        return _full(shape, m * 2.0 ** (1.0 / alpha))


class Wald(Continuous):
    """Wald(mu, lam, alpha=0): the inverse Gaussian (mean mu, shape lam) shifted by alpha;
    or ``phi=`` (lam = mu phi)."""

    param_names = ("mu", "lam", "alpha")
    alt_params = ("phi",)
    defaults = {"alpha": 0.0}
    param_checks = {"mu": (positive, "positive"), "lam": (positive, "positive")}
    support = C.greater_than("alpha")

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        _exclusive("Wald", given, ("lam",), ("phi",))
        if "phi" in given:
            p = _floats({"mu": given["mu"], "phi": given.pop("phi")})
            given["lam"] = p["mu"] * p["phi"]
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, mu: Any, lam: Any, alpha: Any) -> Any:
        y = jnp.maximum(value - alpha, 1e-300)
        return (
            0.5 * (jnp.log(lam) - _LOG_2PI)
            - 1.5 * jnp.log(y)
            - lam * (y - mu) ** 2 / (2 * mu**2 * y)
        )

    @classmethod
    def logcdf(cls, value: Any, mu: Any, lam: Any, alpha: Any) -> Any:
        y = jnp.maximum(value - alpha, 1e-300)
        r = jnp.sqrt(lam / y)
        return jnp.logaddexp(
            _log_ndtr(r * (y / mu - 1)), 2 * lam / mu + _log_ndtr(-r * (y / mu + 1))
        )

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, lam: Any, alpha: Any) -> Any:
        mu, lam, alpha = _bcast(shape, mu, lam, alpha)
        # Michael, Schucany and Haas (1976).
        k1, k2 = jax.random.split(rng_key)
        v = jax.random.normal(k1, shape) ** 2
        x = mu + mu**2 * v / (2 * lam) - mu / (2 * lam) * jnp.sqrt(4 * mu * lam * v + (mu * v) ** 2)
        u = jax.random.uniform(k2, shape)
        return alpha + jnp.where(u <= mu / (mu + x), x, mu**2 / x)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, lam: Any, alpha: Any) -> Any:
        return _full(shape, alpha + mu + 0 * lam)


class Rice(Continuous):
    """Rice(nu, sigma): the length of a 2-d normal vector with mean length nu; or ``b=``
    (nu = b sigma)."""

    param_names = ("nu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("b",)
    param_checks = {"nu": (nonnegative, "non-negative"), "sigma": (positive, "positive")}
    support = C.nonnegative

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        _exclusive("Rice", given, ("nu",), ("b",))
        if "b" in given:
            p = _floats({"b": given.pop("b"), "sigma": given["sigma"]})
            given["nu"] = p["b"] * p["sigma"]
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, nu: Any, sigma: Any) -> Any:
        s2 = sigma**2
        t = value * nu / s2
        # log I0(t) = log i0e(t) + t (no overflow).
        return xlogy(1.0, value) - jnp.log(s2) - (value - nu) ** 2 / (2 * s2) + jnp.log(i0e(t))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, nu: Any, sigma: Any) -> Any:
        nu, sigma = _bcast(shape, nu, sigma)
        z = jax.random.normal(rng_key, (2, *shape))
        return jnp.sqrt((nu + sigma * z[0]) ** 2 + (sigma * z[1]) ** 2)

    @classmethod
    def support_point(cls, shape: tuple, nu: Any, sigma: Any) -> Any:
        return _full(shape, jnp.sqrt(nu**2 + 2 * sigma**2))
