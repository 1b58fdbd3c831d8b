"""Discrete distributions. Log-probabilities match ``scipy.stats``."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from jax.scipy.special import gammaln, xlog1py, xlogy

from credo.distributions.base import Discrete, nonnegative, unit

__all__ = ["Bernoulli", "Binomial"]


def _logit_to_p(given: dict, label: str) -> dict:
    if "logit_p" in given:
        from credo.errors import ParameterError
        from credo.math import sigmoid

        if "p" in given:
            raise ParameterError(f"{label}: give either 'p' or 'logit_p', not both")
        given["p"] = sigmoid(given.pop("logit_p"))
    return given


class Bernoulli(Discrete):
    """Bernoulli(p) on {0, 1}; or ``logit_p=``."""

    param_names = ("p",)
    alt_params = ("logit_p",)
    param_checks = {"p": (unit, "in [0, 1]")}
    support = "binary"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _logit_to_p(given, "Bernoulli")

    @classmethod
    def logp(cls, value: Any, p: Any) -> Any:
        return xlogy(value, p) + xlog1py(1 - value, -p)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, p: Any) -> Any:
        return jax.random.bernoulli(rng_key, p, shape).astype(jnp.int64)

    @classmethod
    def support_point(cls, shape: tuple, p: Any) -> Any:
        return jnp.broadcast_to(jnp.round(p), shape).astype(jnp.int64)


class Binomial(Discrete):
    """Binomial(n, p) on {0, ..., n}; or ``logit_p=``."""

    param_names = ("n", "p")
    alt_params = ("logit_p",)
    param_checks = {"n": (nonnegative, "a non-negative integer"), "p": (unit, "in [0, 1]")}
    support = "integer_interval"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _logit_to_p(given, "Binomial")

    @classmethod
    def bounds(cls, n: Any, p: Any) -> tuple[Any, Any]:
        return 0, n

    @classmethod
    def logp(cls, value: Any, n: Any, p: Any) -> Any:
        comb = gammaln(n + 1) - gammaln(value + 1) - gammaln(n - value + 1)
        return comb + xlogy(value, p) + xlog1py(n - value, -p)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, n: Any, p: Any) -> Any:
        return jax.random.binomial(rng_key, n, p, shape).astype(jnp.int64)

    @classmethod
    def support_point(cls, shape: tuple, n: Any, p: Any) -> Any:
        return jnp.broadcast_to(jnp.round(n * p), shape).astype(jnp.int64)
