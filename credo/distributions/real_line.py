"""Continuous distributions on the real line beyond the normal and t families."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import betainc, gammaln, ndtri

from credo.distributions import constraints as C
from credo.distributions._helpers import (
    _LOG_2,
    _LOG_2PI,
    _bcast,
    _exclusive,
    _floats,
    _from_precision,
    _full,
    _log1mexp,
    _log_ndtr,
)
from credo.distributions.base import Continuous, positive

__all__ = [
    "Laplace",
    "Logistic",
    "AsymmetricLaplace",
    "Gumbel",
    "Moyal",
    "ExGaussian",
    "SkewStudentT",
]


class Laplace(Continuous):
    """Laplace(mu, b): location mu, scale b."""

    param_names = ("mu", "b")
    param_checks = {"b": (positive, "positive")}
    support = C.real

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, mu: Any, b: Any) -> Any:
        return -_LOG_2 - jnp.log(b) - jnp.abs(value - mu) / b

    @classmethod
    def logcdf(cls, value: Any, mu: Any, b: Any) -> Any:
        z = (value - mu) / b
        return jnp.where(z < 0, z - _LOG_2, jnp.log1p(-0.5 * jnp.exp(-jnp.abs(z))))

    @classmethod
    def icdf(cls, q: Any, mu: Any, b: Any) -> Any:
        d = q - 0.5
        return mu - b * jnp.sign(d) * jnp.log1p(-2.0 * jnp.abs(d))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, b: Any) -> Any:
        mu, b = _bcast(shape, mu, b)
        return mu + b * jax.random.laplace(rng_key, shape)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, b: Any) -> Any:
        return _full(shape, jnp.broadcast_arrays(mu, b)[0])


class Logistic(Continuous):
    """Logistic(mu, s): location mu, scale s (defaults 0, 1)."""

    param_names = ("mu", "s")
    defaults = {"mu": 0.0, "s": 1.0}
    param_checks = {"s": (positive, "positive")}
    support = C.real

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, mu: Any, s: Any) -> Any:
        # Symmetric in z; written in |z| so that exp never overflows.
        az = jnp.abs((value - mu) / s)
        return -az - jnp.log(s) - 2 * jnp.log1p(jnp.exp(-az))

    @classmethod
    def logcdf(cls, value: Any, mu: Any, s: Any) -> Any:
        return -jax.nn.softplus(-(value - mu) / s)

    @classmethod
    def icdf(cls, q: Any, mu: Any, s: Any) -> Any:
        return mu + s * (jnp.log(q) - jnp.log1p(-q))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, s: Any) -> Any:
        mu, s = _bcast(shape, mu, s)
        return mu + s * jax.random.logistic(rng_key, shape)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, s: Any) -> Any:
        return _full(shape, jnp.broadcast_arrays(mu, s)[0])


class AsymmetricLaplace(Continuous):
    """AsymmetricLaplace(b, kappa, mu=0): scale 1/b, asymmetry kappa; or ``q=`` (the
    quantile at mu: kappa = sqrt(q / (1 - q)))."""

    param_names = ("b", "kappa", "mu")
    alt_params = ("q",)
    defaults = {"mu": 0.0}
    param_checks = {"b": (positive, "positive"), "kappa": (positive, "positive")}
    support = C.real

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        _exclusive("AsymmetricLaplace", given, ("kappa",), ("q",))
        if "q" in given:
            q = _floats({"q": given.pop("q")})["q"]
            given["kappa"] = (q / (1 - q)) ** 0.5
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, b: Any, kappa: Any, mu: Any) -> Any:
        d = value - mu
        rate = jnp.where(d >= 0, b * kappa, b / kappa)
        return jnp.log(b) - jnp.log(kappa + 1 / kappa) - jnp.abs(d) * rate

    @classmethod
    def logcdf(cls, value: Any, b: Any, kappa: Any, mu: Any) -> Any:
        d = value - mu
        k2 = kappa**2
        left = jnp.log(k2) - jnp.log1p(k2) + b * jnp.minimum(d, 0.0) / kappa
        right = jnp.log1p(-jnp.exp(-b * kappa * jnp.maximum(d, 0.0)) / (1 + k2))
        return jnp.where(d < 0, left, right)

    @classmethod
    def icdf(cls, q: Any, b: Any, kappa: Any, mu: Any) -> Any:
        k2 = kappa**2
        split = k2 / (1 + k2)
        left = mu + kappa / b * jnp.log(jnp.maximum(q, 1e-300) / split)
        right = mu - jnp.log((1 - q) * (1 + k2)) / (b * kappa)
        return jnp.where(q <= split, left, right)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, b: Any, kappa: Any, mu: Any) -> Any:
        b, kappa, mu = _bcast(shape, b, kappa, mu)
        return cls.icdf(jax.random.uniform(rng_key, shape, minval=1e-300), b, kappa, mu)

    @classmethod
    def support_point(cls, shape: tuple, b: Any, kappa: Any, mu: Any) -> Any:
        return _full(shape, mu + (1 / kappa - kappa) / b)


class Gumbel(Continuous):
    """Gumbel(mu, beta): the (right-skewed) extreme value distribution."""

    param_names = ("mu", "beta")
    param_checks = {"beta": (positive, "positive")}
    support = C.real

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, mu: Any, beta: Any) -> Any:
        z = (value - mu) / beta
        return -jnp.log(beta) - z - jnp.exp(-z)

    @classmethod
    def logcdf(cls, value: Any, mu: Any, beta: Any) -> Any:
        return -jnp.exp(-(value - mu) / beta)

    @classmethod
    def icdf(cls, q: Any, mu: Any, beta: Any) -> Any:
        return mu - beta * jnp.log(-jnp.log(q))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, beta: Any) -> Any:
        mu, beta = _bcast(shape, mu, beta)
        return mu + beta * jax.random.gumbel(rng_key, shape)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, beta: Any) -> Any:
        return _full(shape, mu + beta * np.euler_gamma)


class Moyal(Continuous):
    """Moyal(mu=0, sigma=1): density exp(-(z + e^-z) / 2) / (sigma sqrt(2 pi))."""

    param_names = ("mu", "sigma")
    defaults = {"mu": 0.0, "sigma": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    support = C.real

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, mu: Any, sigma: Any) -> Any:
        z = (value - mu) / sigma
        return -0.5 * (z + jnp.exp(-z)) - jnp.log(sigma) - 0.5 * _LOG_2PI

    @classmethod
    def logcdf(cls, value: Any, mu: Any, sigma: Any) -> Any:
        # F = erfc(exp(-z/2) / sqrt 2) = 2 Phi(-exp(-z/2)).
        z = (value - mu) / sigma
        return _LOG_2 + _log_ndtr(-jnp.exp(-0.5 * z))

    @classmethod
    def icdf(cls, q: Any, mu: Any, sigma: Any) -> Any:
        return mu - 2.0 * sigma * jnp.log(-ndtri(0.5 * q))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any) -> Any:
        mu, sigma = _bcast(shape, mu, sigma)
        # exp(-z) ~ chi^2_1: z = -log(N^2).
        n = jax.random.normal(rng_key, shape)
        return mu - sigma * jnp.log(n**2)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, sigma: Any) -> Any:
        return _full(shape, mu + sigma * (np.euler_gamma + np.log(2.0)))


class ExGaussian(Continuous):
    """ExGaussian(mu, sigma, nu): Normal(mu, sigma) plus an Exponential of mean nu."""

    param_names = ("mu", "sigma", "nu")
    aliases = {"sd": "sigma"}
    defaults = {"mu": 0.0}
    param_checks = {"sigma": (positive, "positive"), "nu": (positive, "positive")}
    support = C.real

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def _tail(cls, value: Any, mu: Any, sigma: Any, nu: Any) -> tuple[Any, Any]:
        u = (value - mu) / sigma
        return u, -(value - mu) / nu + 0.5 * (sigma / nu) ** 2 + _log_ndtr(u - sigma / nu)

    @classmethod
    def logp(cls, value: Any, mu: Any, sigma: Any, nu: Any) -> Any:
        _, t = cls._tail(value, mu, sigma, nu)
        return -jnp.log(nu) + t

    @classmethod
    def logcdf(cls, value: Any, mu: Any, sigma: Any, nu: Any) -> Any:
        u, t = cls._tail(value, mu, sigma, nu)
        lphi = _log_ndtr(u)
        return lphi + _log1mexp(jnp.minimum(t - lphi, 0.0))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any, nu: Any) -> Any:
        mu, sigma, nu = _bcast(shape, mu, sigma, nu)
        k1, k2 = jax.random.split(rng_key)
        return mu + sigma * jax.random.normal(k1, shape) + nu * jax.random.exponential(k2, shape)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, sigma: Any, nu: Any) -> Any:
        return _full(shape, mu + nu + 0 * sigma)


class SkewStudentT(Continuous):
    """SkewStudentT(a, b, mu=0, sigma=1) of Jones and Faddy (2003); ``lam=`` (precision).
    a = b is Student's t with 2a degrees of freedom (scaled)."""

    param_names = ("a", "b", "mu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("lam",)
    defaults = {"mu": 0.0, "sigma": 1.0}
    param_checks = {
        "a": (positive, "positive"),
        "b": (positive, "positive"),
        "sigma": (positive, "positive"),
    }
    support = C.real

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "SkewStudentT", "lam"))

    @classmethod
    def logp(cls, value: Any, a: Any, b: Any, mu: Any, sigma: Any) -> Any:
        t = (value - mu) / sigma
        r = jnp.sqrt(a + b + t**2)
        lbeta = gammaln(a) + gammaln(b) - gammaln(a + b)
        norm = -(a + b - 1) * _LOG_2 - lbeta - 0.5 * jnp.log(a + b) - jnp.log(sigma)
        # log(1 + t/r) and log(1 - t/r), each without cancellation: 1 +- t/r = (r +- t)/r,
        # and (r + t)(r - t) = a + b.
        ab, at = jnp.log(a + b), jnp.abs(t)
        big = jnp.log(r + at)  # the side without cancellation
        plus = jnp.where(t >= 0, big, ab - big) - jnp.log(r)
        minus = jnp.where(t <= 0, big, ab - big) - jnp.log(r)
        return norm + (a + 0.5) * plus + (b + 0.5) * minus

    @classmethod
    def logcdf(cls, value: Any, a: Any, b: Any, mu: Any, sigma: Any) -> Any:
        t = (value - mu) / sigma
        x = 0.5 * (1 + t / jnp.sqrt(a + b + t**2))
        return jnp.log(betainc(a, b, x))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, a: Any, b: Any, mu: Any, sigma: Any) -> Any:
        a, b, mu, sigma = _bcast(shape, a, b, mu, sigma)
        y = jax.random.beta(rng_key, a, b, shape)
        t = (2 * y - 1) * jnp.sqrt(a + b) / (2 * jnp.sqrt(y * (1 - y)))
        return mu + sigma * t

    @classmethod
    def support_point(cls, shape: tuple, a: Any, b: Any, mu: Any, sigma: Any) -> Any:
        # The mode: t = (a - b) sqrt(a + b) / sqrt((2a + 1)(2b + 1)).
        t = (a - b) * jnp.sqrt(a + b) / jnp.sqrt((2 * a + 1) * (2 * b + 1))
        return _full(shape, mu + sigma * t)
