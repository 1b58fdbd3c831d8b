"""Counts over categories and weights on the simplex: DirichletMultinomial,
OrderedMultinomial, StickBreakingWeights."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammaln, xlogy

from credo import tensor as T
from credo.distributions import constraints as C
from credo.distributions.base import Continuous, Discrete, nonnegative, positive
from credo.distributions.bound import ComputeP
from credo.errors import ParameterError

__all__ = ["DirichletMultinomial", "OrderedMultinomial", "StickBreakingWeights"]


def _counts_sum_to_n(value: Any, n: Any) -> Any:
    counts = (value >= 0) & (value == jnp.floor(value))
    return jnp.all(counts, axis=-1) & (jnp.sum(value, axis=-1) == n)


def _multinomial_mode(shape: tuple, n: Any, p: Any) -> Any:
    p = jnp.broadcast_to(p, shape)
    n = jnp.broadcast_to(n, shape[:-1])
    mode = jnp.floor(n[..., None] * p)
    rest = n - jnp.sum(mode, axis=-1)
    top = jax.nn.one_hot(jnp.argmax(p, axis=-1), shape[-1], dtype=mode.dtype)
    return (mode + rest[..., None] * top).astype(int)


class DirichletMultinomial(Discrete):
    """DirichletMultinomial(n, a): Multinomial(n, p) with p ~ Dirichlet(a); a (..., K)."""

    param_names = ("n", "a")
    param_ndims = {"n": 0, "a": 1}
    param_checks = {"n": (nonnegative, "a non-negative integer"), "a": (positive, "positive")}
    ndim_supp = 1
    support = C.multinomial
    support_doc = "counts over K categories summing to n"

    @classmethod
    def event_shape(cls, shapes: dict, static: dict) -> tuple:
        return shapes["a"][-1:]

    @classmethod
    def support_check(cls, value: Any, n: Any, a: Any) -> Any:
        return _counts_sum_to_n(value, n)

    @classmethod
    def logp(cls, value: Any, n: Any, a: Any) -> Any:
        total = jnp.sum(a, axis=-1)
        terms = gammaln(value + a) - gammaln(value + 1.0) - gammaln(a)
        return gammaln(n + 1.0) + gammaln(total) - gammaln(n + total) + jnp.sum(terms, axis=-1)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, n: Any, a: Any) -> Any:
        k1, k2 = jax.random.split(rng_key)
        p = jax.random.dirichlet(k1, jnp.broadcast_to(a, shape), shape[:-1])
        n = jnp.broadcast_to(n, shape[:-1]).astype(float)
        return jax.random.multinomial(k2, n, p, shape=shape[:-1]).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, n: Any, a: Any) -> Any:
        return _multinomial_mode(shape, n, a / jnp.sum(a, axis=-1, keepdims=True))


def _ordered_logistic_probs(eta: Any, cutpoints: Any) -> Any:
    c = jnp.asarray(cutpoints, dtype=float)
    cdf = jax.nn.sigmoid(c - jnp.asarray(eta)[..., None])
    zeros = jnp.zeros(cdf.shape[:-1] + (1,))
    return jnp.clip(jnp.diff(jnp.concatenate([zeros, cdf, zeros + 1.0], -1), axis=-1), 0.0, 1.0)


class OrderedMultinomial(ComputeP, Discrete):
    """OrderedMultinomial(eta, cutpoints, n): counts over the K + 1 ordered categories of
    OrderedLogistic(eta, cutpoints), n trials."""

    param_names = ("eta", "cutpoints", "n")
    param_ndims = {"eta": 0, "cutpoints": 1, "n": 0}
    param_checks = {"n": (nonnegative, "a non-negative integer")}
    ndim_supp = 1
    support = C.multinomial
    support_doc = "counts over K + 1 categories summing to n"

    @classmethod
    def event_shape(cls, shapes: dict, static: dict) -> tuple:
        return (shapes["cutpoints"][-1] + 1,)

    @classmethod
    def _probs(cls, eta: Any, cutpoints: Any, n: Any) -> Any:
        return _ordered_logistic_probs(eta, cutpoints)

    @classmethod
    def support_check(cls, value: Any, eta: Any, cutpoints: Any, n: Any) -> Any:
        ordered = jnp.all(jnp.diff(cutpoints, axis=-1) > 0, axis=-1)
        return _counts_sum_to_n(value, n) & ordered

    @classmethod
    def logp(cls, value: Any, eta: Any, cutpoints: Any, n: Any) -> Any:
        p = _ordered_logistic_probs(eta, cutpoints)
        terms = xlogy(value, p) - gammaln(value + 1.0)
        return gammaln(n + 1.0) + jnp.sum(terms, axis=-1)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, eta: Any, cutpoints: Any, n: Any) -> Any:
        p = jnp.broadcast_to(_ordered_logistic_probs(eta, cutpoints), shape)
        n = jnp.broadcast_to(n, shape[:-1]).astype(float)
        return jax.random.multinomial(rng_key, n, p, shape=shape[:-1]).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, eta: Any, cutpoints: Any, n: Any) -> Any:
        return _multinomial_mode(shape, n, _ordered_logistic_probs(eta, cutpoints))


class StickBreakingWeights(Continuous):
    """StickBreakingWeights(alpha, K): w_k = b_k prod_{j<k} (1 - b_j), b_k ~ Beta(1, alpha)
    for k = 1..K, and the leftover w_{K+1}: a point of the simplex of length K + 1.

    Density of (w_1..w_K): alpha^K w_{K+1}^(alpha - 1) / prod_k r_k, r_k = 1 - sum_{j<k} w_j.
    """

    param_names = ("alpha",)
    positional = ("alpha", "K")
    static_params = ("K",)
    param_checks = {"alpha": (positive, "positive")}
    ndim_supp = 1
    support = C.simplex

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        k = static.get("K")
        if isinstance(k, T.TensorVariable) or k is None or int(k) != k or k < 1:
            raise ParameterError(f"StickBreakingWeights: 'K' must be a Python int >= 1, got {k!r}")
        static["K"] = int(k)
        return given

    @classmethod
    def event_shape(cls, shapes: dict, static: dict) -> tuple:
        return (static["K"] + 1,)

    @classmethod
    def logp(cls, value: Any, alpha: Any, K: int) -> Any:  # noqa: N803 (PyMC's name)
        w = value
        rem = 1.0 - jnp.cumsum(w[..., :-1], axis=-1) + w[..., :-1]  # r_k = 1 - sum_{j<k} w_j
        return K * jnp.log(alpha) + xlogy(alpha - 1.0, w[..., -1]) - jnp.sum(jnp.log(rem), axis=-1)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, alpha: Any, K: int) -> Any:  # noqa: N803
        batch = shape[:-1]
        b = jax.random.beta(rng_key, 1.0, jnp.broadcast_to(alpha, batch)[..., None], batch + (K,))
        left = jnp.cumprod(1 - b, axis=-1)
        before = jnp.concatenate([jnp.ones(batch + (1,)), left[..., :-1]], axis=-1)
        return jnp.concatenate([b * before, left[..., -1:]], axis=-1)

    @classmethod
    def support_point(cls, shape: tuple, alpha: Any, K: int) -> Any:  # noqa: N803
        # E[b] = 1 / (1 + alpha) at every break.
        batch = shape[:-1]
        b = jnp.broadcast_to(1.0 / (1.0 + jnp.asarray(alpha, float)), batch)[..., None]
        k = np.arange(K)
        w = b * (1 - b) ** k
        return jnp.concatenate([w, (1 - b) ** K], axis=-1)
