"""More discrete distributions: DiracDelta, DiscreteWeibull, HyperGeometric, OrderedProbit."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammaln

from credo import tensor as T
from credo.distributions import constraints as C
from credo.distributions._helpers import _log1mexp, _log_ndtr, _log_ndtr_diff
from credo.distributions.base import Discrete, positive
from credo.distributions.bound import ComputeP
from credo.distributions.discrete import _bcast, _full_int, _increasing, _index, _nonneg_int
from credo.errors import ParameterError

__all__ = ["DiracDelta", "DiscreteWeibull", "HyperGeometric", "OrderedProbit"]


class DiracDelta(Discrete):
    """DiracDelta(c): all mass at c (integer-valued when c is; then it is discrete)."""

    param_names = ("c",)
    support = C.unconstrained
    transform_doc = "none"

    def _post_init(self, label: str) -> None:
        c = self.params["c"]
        dt = c.dtype if isinstance(c, T.TensorVariable) else np.asarray(c).dtype
        self.discrete = dt.kind in "iub"

    def value_dtype(self) -> Any:
        return np.int64 if self.discrete else np.float64

    @classmethod
    def logp(cls, value: Any, c: Any) -> Any:
        return jnp.where(value == c, 0.0, -jnp.inf)

    @classmethod
    def logcdf(cls, value: Any, c: Any) -> Any:
        return jnp.where(value >= c, 0.0, -jnp.inf)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, c: Any) -> Any:
        return jnp.broadcast_to(jnp.asarray(c), shape)

    @classmethod
    def support_point(cls, shape: tuple, c: Any) -> Any:
        return jnp.broadcast_to(jnp.asarray(c), shape)


def _open_unit(x: Any) -> Any:
    return (x > 0) & (x < 1)


class DiscreteWeibull(Discrete):
    """DiscreteWeibull(q, beta): P(x) = q^(x^beta) - q^((x+1)^beta), x = 0, 1, ..."""

    param_names = ("q", "beta")
    param_checks = {"q": (_open_unit, "in (0, 1)"), "beta": (positive, "positive")}
    support = C.nonnegative_integer

    @classmethod
    def logp(cls, value: Any, q: Any, beta: Any) -> Any:
        lq = jnp.log(q)
        a = value**beta * lq
        b = (value + 1) ** beta * lq
        return a + _log1mexp(b - a)

    @classmethod
    def logcdf(cls, value: Any, q: Any, beta: Any) -> Any:
        return _log1mexp((value + 1) ** beta * jnp.log(q))

    @classmethod
    def icdf(cls, p: Any, q: Any, beta: Any) -> Any:
        x = jnp.ceil((jnp.log1p(-p) / jnp.log(q)) ** (1 / beta) - 1)
        return jnp.maximum(x, 0.0)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, q: Any, beta: Any) -> Any:
        q, beta = _bcast(shape, q, beta)
        return cls.icdf(jax.random.uniform(rng_key, shape), q, beta).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, q: Any, beta: Any) -> Any:
        return _full_int(shape, cls.icdf(0.5, jnp.asarray(q), jnp.asarray(beta)))


def _lchoose(n: Any, k: Any) -> Any:
    return gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)


class HyperGeometric(Discrete):
    """HyperGeometric(N, k, n): successes in n draws without replacement from N items of
    which k are successes."""

    param_names = ("N", "k", "n")
    param_checks = {
        "N": (_nonneg_int, "a non-negative integer"),
        "k": (_nonneg_int, "a non-negative integer"),
        "n": (_nonneg_int, "a non-negative integer"),
    }
    support = C.integer_interval(
        lambda p: jnp.maximum(0.0, p["n"] - p["N"] + p["k"]), lambda p: jnp.minimum(p["k"], p["n"])
    )
    support_doc = "integers max(0, n - N + k) .. min(k, n)"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        vals = {k: T.as_tensor(v) for k, v in given.items()}
        if all(not isinstance(v, T.TensorVariable) for v in vals.values()) and len(vals) == 3:
            if np.any(vals["k"] > vals["N"]) or np.any(vals["n"] > vals["N"]):
                raise ParameterError("HyperGeometric: 'k' and 'n' must be at most 'N'")
        return given

    @classmethod
    def logp(cls, value: Any, N: Any, k: Any, n: Any) -> Any:  # noqa: N803 (PyMC's name)
        lo = jnp.maximum(0.0, n - N + k)
        x = jnp.clip(value, lo, jnp.minimum(k, n))
        return _lchoose(k, x) + _lchoose(N - k, n - x) - _lchoose(N, n)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, N: Any, k: Any, n: Any) -> Any:  # noqa: N803
        N, k, n = _bcast(shape, N, k, n)  # noqa: N806
        u = jax.random.uniform(rng_key, shape)
        lo = jnp.maximum(0.0, n - N + k)
        hi = jnp.minimum(k, n)

        # Inverse CDF: walk up from the lowest value until the CDF passes u.
        def cond(state: tuple) -> Any:
            x, cdf = state
            return jnp.any((cdf < u) & (x < hi))

        def body(state: tuple) -> tuple:
            x, cdf = state
            move = (cdf < u) & (x < hi)
            x = jnp.where(move, x + 1, x)
            lp = _lchoose(k, x) + _lchoose(N - k, n - x) - _lchoose(N, n)
            return x, jnp.where(move, cdf + jnp.exp(lp), cdf)

        lp0 = _lchoose(k, lo) + _lchoose(N - k, n - lo) - _lchoose(N, n)
        x, _ = jax.lax.while_loop(cond, body, (lo, jnp.exp(lp0)))
        return x.astype(int)

    @classmethod
    def support_point(cls, shape: tuple, N: Any, k: Any, n: Any) -> Any:  # noqa: N803
        return _full_int(shape, jnp.floor(jnp.asarray(n) * k / N))


class OrderedProbit(ComputeP, Discrete):
    """OrderedProbit(eta, cutpoints, sigma=1) on {0, ..., K}: P(y = k) =
    Phi((c_k - eta) / sigma) - Phi((c_{k-1} - eta) / sigma), c_{-1} = -inf, c_K = inf."""

    param_names = ("eta", "cutpoints", "sigma")
    defaults = {"sigma": 1.0}
    param_ndims = {"cutpoints": 1}
    param_checks = {
        "cutpoints": (_increasing, "increasing along the last axis"),
        "sigma": (positive, "positive"),
    }
    support = C.integer_interval(0, lambda p: jnp.shape(p["cutpoints"])[-1])
    support_doc = "integers 0 .. K (K cutpoints)"

    @classmethod
    def logp(cls, value: Any, eta: Any, cutpoints: Any, sigma: Any) -> Any:
        c = jnp.asarray(cutpoints, dtype=float)
        k_max = c.shape[-1]
        batch = jnp.broadcast_shapes(
            jnp.shape(value), jnp.shape(eta), jnp.shape(sigma), c.shape[:-1]
        )
        k = jnp.broadcast_to(_index(value, k_max), batch)
        c = jnp.broadcast_to(c, batch + (k_max,))
        eta = jnp.broadcast_to(eta, batch)
        sigma = jnp.broadcast_to(sigma, batch)
        take = lambda i: jnp.take_along_axis(c, i[..., None], axis=-1)[..., 0]  # noqa: E731
        b = (take(jnp.minimum(k, k_max - 1)) - eta) / sigma
        a = (take(jnp.maximum(k - 1, 0)) - eta) / sigma
        first, last = k == 0, k == k_max
        a_in = jnp.where(first | last, b - 1.0, a)
        mid = _log_ndtr_diff(a_in, b)
        return jnp.where(first, _log_ndtr(b), jnp.where(last, _log_ndtr(-a), mid))

    @classmethod
    def _probs(cls, eta: Any, cutpoints: Any, sigma: Any) -> Any:
        c = jnp.asarray(cutpoints, dtype=float)
        z = (c - jnp.asarray(eta)[..., None]) / jnp.asarray(sigma)[..., None]
        cdf = jax.scipy.special.ndtr(z)
        zeros = jnp.zeros(cdf.shape[:-1] + (1,))
        return jnp.clip(jnp.diff(jnp.concatenate([zeros, cdf, zeros + 1.0], -1), axis=-1), 0, 1)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, eta: Any, cutpoints: Any, sigma: Any) -> Any:
        logits = jnp.log(cls._probs(eta, cutpoints, sigma))
        return jax.random.categorical(rng_key, logits, axis=-1, shape=shape).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, eta: Any, cutpoints: Any, sigma: Any) -> Any:
        return _full_int(shape, jnp.argmax(cls._probs(eta, cutpoints, sigma), axis=-1))
