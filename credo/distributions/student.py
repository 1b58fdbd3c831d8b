"""Student t and Cauchy, and their half versions."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import betainc, gammaln

from credo.distributions import constraints as C
from credo.distributions._helpers import (
    _LOG_2,
    _LOG_PI,
    _bcast,
    _floats,
    _from_precision,
    _full,
)
from credo.distributions.base import Continuous, positive

__all__ = ["StudentT", "HalfStudentT", "Cauchy", "HalfCauchy"]


def _t_logp(z: Any, nu: Any, sigma: Any) -> Any:
    norm = gammaln(0.5 * (nu + 1)) - gammaln(0.5 * nu) - 0.5 * (jnp.log(nu) + _LOG_PI)
    return norm - jnp.log(sigma) - 0.5 * (nu + 1) * jnp.log1p(z**2 / nu)


def _t_logcdf(t: Any, nu: Any) -> Any:
    """log F(t) of the standard t: I_x(nu/2, 1/2) / 2 with x = nu / (nu + t^2) on the left."""
    tail = betainc(0.5 * nu, 0.5, nu / (nu + t**2))
    return jnp.where(t < 0, jnp.log(0.5 * tail), jnp.log1p(-0.5 * tail))


class StudentT(Continuous):
    """StudentT(nu, mu, sigma); ``sd=`` and ``lam=`` (precision) accepted."""

    param_names = ("nu", "mu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("lam",)
    defaults = {"mu": 0.0, "sigma": 1.0}
    param_checks = {"nu": (positive, "positive"), "sigma": (positive, "positive")}
    support = C.real

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "StudentT", "lam"))

    @classmethod
    def logp(cls, value: Any, nu: Any, mu: Any, sigma: Any) -> Any:
        return _t_logp((value - mu) / sigma, nu, sigma)

    @classmethod
    def logcdf(cls, value: Any, nu: Any, mu: Any, sigma: Any) -> Any:
        return _t_logcdf((value - mu) / sigma, nu)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, nu: Any, mu: Any, sigma: Any) -> Any:
        nu, mu, sigma = _bcast(shape, nu, mu, sigma)
        return mu + sigma * jax.random.t(rng_key, nu, shape)

    @classmethod
    def support_point(cls, shape: tuple, nu: Any, mu: Any, sigma: Any) -> Any:
        return _full(shape, jnp.broadcast_arrays(mu, nu, sigma)[0])


class HalfStudentT(Continuous):
    """HalfStudentT(nu, sigma) on x >= 0 (nu defaults to 1); ``sd=`` and ``lam=`` accepted."""

    param_names = ("nu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("lam",)
    defaults = {"nu": 1.0, "sigma": 1.0}
    param_checks = {"nu": (positive, "positive"), "sigma": (positive, "positive")}
    support = C.nonnegative

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "HalfStudentT", "lam"))

    @classmethod
    def logp(cls, value: Any, nu: Any, sigma: Any) -> Any:
        return _LOG_2 + _t_logp(value / sigma, nu, sigma)

    @classmethod
    def logcdf(cls, value: Any, nu: Any, sigma: Any) -> Any:
        t = value / sigma
        return jnp.log1p(-betainc(0.5 * nu, 0.5, nu / (nu + t**2)))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, nu: Any, sigma: Any) -> Any:
        nu, sigma = _bcast(shape, nu, sigma)
        return sigma * jnp.abs(jax.random.t(rng_key, nu, shape))

    @classmethod
    def support_point(cls, shape: tuple, nu: Any, sigma: Any) -> Any:
        return _full(shape, jnp.broadcast_arrays(sigma, nu)[0])


class Cauchy(Continuous):
    """Cauchy(alpha, beta): location alpha, scale beta."""

    param_names = ("alpha", "beta")
    param_checks = {"beta": (positive, "positive")}
    support = C.real

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, alpha: Any, beta: Any) -> Any:
        z = (value - alpha) / beta
        return -_LOG_PI - jnp.log(beta) - jnp.log1p(z**2)

    @classmethod
    def logcdf(cls, value: Any, alpha: Any, beta: Any) -> Any:
        # 1/2 + arctan(z)/pi = arctan2(1, -z)/pi, accurate in the left tail too.
        return jnp.log(jnp.arctan2(1.0, -(value - alpha) / beta)) - _LOG_PI

    @classmethod
    def icdf(cls, q: Any, alpha: Any, beta: Any) -> Any:
        x = alpha + beta * jnp.tan(np.pi * (q - 0.5))
        return jnp.where(q == 0, -jnp.inf, jnp.where(q == 1, jnp.inf, x))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, alpha: Any, beta: Any) -> Any:
        alpha, beta = _bcast(shape, alpha, beta)
        return alpha + beta * jax.random.cauchy(rng_key, shape)

    @classmethod
    def support_point(cls, shape: tuple, alpha: Any, beta: Any) -> Any:
        return _full(shape, jnp.broadcast_arrays(alpha, beta)[0])


class HalfCauchy(Continuous):
    """HalfCauchy(beta) on x >= 0."""

    param_names = ("beta",)
    param_checks = {"beta": (positive, "positive")}
    support = C.nonnegative

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, beta: Any) -> Any:
        z = value / beta
        return _LOG_2 - _LOG_PI - jnp.log(beta) - jnp.log1p(z**2)

    @classmethod
    def logcdf(cls, value: Any, beta: Any) -> Any:
        return _LOG_2 - _LOG_PI + jnp.log(jnp.arctan(value / beta))

    @classmethod
    def icdf(cls, q: Any, beta: Any) -> Any:
        return jnp.where(q == 1, jnp.inf, beta * jnp.tan(0.5 * np.pi * q))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, beta: Any) -> Any:
        (beta,) = _bcast(shape, beta)
        return beta * jnp.abs(jax.random.cauchy(rng_key, shape))

    @classmethod
    def support_point(cls, shape: tuple, beta: Any) -> Any:
        return _full(shape, beta)
