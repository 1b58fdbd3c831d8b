"""Continuous distributions on the real line beyond the normal and t families."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from credo.distributions import constraints as C
from credo.distributions._helpers import (
    _LOG_2,
    _bcast,
    _floats,
    _full,
)
from credo.distributions.base import Continuous, positive

__all__ = ["Laplace", "Logistic"]


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
