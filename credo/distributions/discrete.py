"""Discrete distributions. Log-probabilities match ``scipy.stats``.

Values are integers (``int64`` draws); a value given as a float is accepted where it is
integral. As for the continuous ones, :meth:`Distribution.checked_logp` applies the
support and parameter checks (-> ``-inf``); a ``logp`` here is right inside the support.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import (
    betainc,
    gammaincc,
    gammaln,
    xlog1py,
    xlogy,
)

from credo import tensor as T
from credo.distributions import constraints as C
from credo.distributions._helpers import _exclusive, _log1mexp
from credo.distributions.base import Discrete, nonnegative, positive, unit
from credo.distributions.bound import ComputeP
from credo.errors import ParameterError, warn_user
from credo.special import log1mexp

__all__ = [
    "Bernoulli",
    "Binomial",
    "BetaBinomial",
    "Poisson",
    "NegativeBinomial",
    "Geometric",
    "Categorical",
    "DiscreteUniform",
    "ZeroInflatedPoisson",
    "OrderedLogistic",
]


# -- helpers ----------------------------------------------------------------------------------
_is_node = T.is_node


def _nonneg_int(x: Any) -> Any:
    return (x >= 0) & (x % 1 == 0)


def _integer(x: Any) -> Any:
    return x % 1 == 0


def _open_closed_unit(x: Any) -> Any:
    return (x > 0) & (x <= 1)


def _increasing(x: Any) -> Any:
    """Elementwise along the last axis: each entry exceeds the one before it."""
    first = jnp.ones(jnp.shape(x)[:-1] + (1,), bool)
    return jnp.concatenate([first, x[..., 1:] > x[..., :-1]], axis=-1)


def _float(x: Any) -> Any:
    x = T.as_tensor(x)
    return x if _is_node(x) else np.asarray(x, dtype=np.float64)


def _logit_to_p(given: dict, label: str) -> dict:
    if "logit_p" in given:
        from credo.math import sigmoid

        _exclusive(label, given, ("p",), ("logit_p",))
        given["p"] = sigmoid(_float(given.pop("logit_p")))
    return given


def _bcast(shape: tuple, *params: Any) -> list[Any]:
    return [jnp.broadcast_to(jnp.asarray(p, dtype=float), shape) for p in params]


def _full_int(shape: tuple, x: Any) -> Any:
    return jnp.broadcast_to(jnp.asarray(x), shape).astype(int)


def _index(value: Any, hi: int) -> Any:
    """An integer index in [0, hi] from a value of any dtype (out-of-range values clipped;
    the support check rejects them)."""
    v = jnp.asarray(value)
    if jnp.issubdtype(v.dtype, jnp.floating):
        v = jnp.where(jnp.isfinite(v), v, 0.0)
    return jnp.clip(v, 0, hi).astype(jnp.int32)


def _last_index(params: dict) -> Any:
    """K - 1 for probabilities p (..., K)"""
    return jnp.shape(params["p"])[-1] - 1


def _n_cutpoints(params: dict) -> Any:
    """K for cutpoints (..., K)"""
    return jnp.shape(params["cutpoints"])[-1]


def _poisson_logp(k: Any, mu: Any) -> Any:
    return xlogy(k, mu) - mu - gammaln(k + 1)


# -- binary and counts ----------------------------------------------------------------------
class Bernoulli(Discrete):
    """Bernoulli(p) on {0, 1}; or ``logit_p=``."""

    param_names = ("p",)
    alt_params = ("logit_p",)
    param_checks = {"p": (unit, "in [0, 1]")}
    support = C.boolean

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _logit_to_p(given, "Bernoulli")

    @classmethod
    def logp(cls, value: Any, p: Any) -> Any:
        return xlogy(value, p) + xlog1py(1 - value, -p)

    @classmethod
    def logcdf(cls, value: Any, p: Any) -> Any:
        return jnp.where(value >= 1, 0.0, jnp.log1p(-p))

    @classmethod
    def icdf(cls, q: Any, p: Any) -> Any:
        return jnp.where(q <= 1 - p, 0.0, 1.0)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, p: Any) -> Any:
        (p,) = _bcast(shape, p)
        return jax.random.bernoulli(rng_key, p, shape).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, p: Any) -> Any:
        return _full_int(shape, jnp.where(jnp.asarray(p) < 0.5, 0, 1))


class Binomial(Discrete):
    """Binomial(n, p) on {0, ..., n}; or ``logit_p=``."""

    param_names = ("n", "p")
    alt_params = ("logit_p",)
    param_checks = {"n": (_nonneg_int, "a non-negative integer"), "p": (unit, "in [0, 1]")}
    support = C.integer_interval(0, "n")

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _logit_to_p(given, "Binomial")

    @classmethod
    def logp(cls, value: Any, n: Any, p: Any) -> Any:
        k = jnp.clip(value, 0, n)  # keeps gammaln finite outside the support
        comb = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
        return comb + xlogy(k, p) + xlog1py(n - k, -p)

    @classmethod
    def logcdf(cls, value: Any, n: Any, p: Any) -> Any:
        k = jnp.minimum(value, n - 1)
        return jnp.log(betainc(jnp.maximum(n - k, 1e-300), k + 1, 1 - p))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, n: Any, p: Any) -> Any:
        n, p = _bcast(shape, n, p)
        return jax.random.binomial(rng_key, n, p, shape).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, n: Any, p: Any) -> Any:
        return _full_int(shape, jnp.round(n * p))


class BetaBinomial(Discrete):
    """BetaBinomial(alpha, beta, n): Binomial(n, p) with p ~ Beta(alpha, beta)."""

    param_names = ("alpha", "beta", "n")
    param_checks = {
        "alpha": (positive, "positive"),
        "beta": (positive, "positive"),
        "n": (_nonneg_int, "a non-negative integer"),
    }
    support = C.integer_interval(0, "n")

    @classmethod
    def logp(cls, value: Any, alpha: Any, beta: Any, n: Any) -> Any:
        k = jnp.clip(value, 0, n)
        comb = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
        # log B(k + alpha, n - k + beta) - log B(alpha, beta), in gammaln terms (jax's
        # betaln keeps only ~6 digits).
        num = gammaln(k + alpha) + gammaln(n - k + beta) - gammaln(n + alpha + beta)
        den = gammaln(alpha) + gammaln(beta) - gammaln(alpha + beta)
        return comb + num - den

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, alpha: Any, beta: Any, n: Any) -> Any:
        alpha, beta, n = _bcast(shape, alpha, beta, n)
        k1, k2 = jax.random.split(rng_key)
        p = jax.random.beta(k1, alpha, beta, shape)
        return jax.random.binomial(k2, n, p, shape).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, alpha: Any, beta: Any, n: Any) -> Any:
        return _full_int(shape, jnp.round(n * alpha / (alpha + beta)))


class Poisson(Discrete):
    """Poisson(mu) with mean mu >= 0."""

    param_names = ("mu",)
    param_checks = {"mu": (nonnegative, "non-negative")}
    support = C.nonnegative_integer

    @classmethod
    def logp(cls, value: Any, mu: Any) -> Any:
        return _poisson_logp(value, mu)

    @classmethod
    def logcdf(cls, value: Any, mu: Any) -> Any:
        return jnp.log(gammaincc(value + 1, mu))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any) -> Any:
        (mu,) = _bcast(shape, mu)
        return jax.random.poisson(rng_key, mu, shape).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any) -> Any:
        return _full_int(shape, jnp.floor(mu))


class NegativeBinomial(Discrete):
    """NegativeBinomial(mu, alpha): mean mu, dispersion alpha (var = mu + mu^2 / alpha).

    Or ``n``/``p`` as PyMC (and scipy's ``nbinom``): alpha = n, mu = n (1 - p) / p.
    """

    param_names = ("mu", "alpha")
    alt_params = ("p", "n")
    param_checks = {"mu": (nonnegative, "non-negative"), "alpha": (positive, "positive")}
    support = C.nonnegative_integer

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        _exclusive("NegativeBinomial", given, ("mu", "alpha"), ("n", "p"))
        if "n" in given or "p" in given:
            if "n" not in given or "p" not in given:
                raise ParameterError("NegativeBinomial: the n/p parametrisation needs both")
            n, p = _float(given.pop("n")), _float(given.pop("p"))
            for name, x, check, what in (
                ("n", n, positive, "positive"),
                ("p", p, _open_closed_unit, "in (0, 1]"),
            ):
                if not _is_node(x) and not np.all(check(x)):
                    raise ParameterError(
                        f"NegativeBinomial: parameter '{name}' must be {what}, "
                        f"got {np.ravel(x)[:5]}"
                    )
            given["mu"], given["alpha"] = n * (1 - p) / p, n
        return given

    @classmethod
    def logp(cls, value: Any, mu: Any, alpha: Any) -> Any:
        norm = gammaln(value + alpha) - gammaln(value + 1) - gammaln(alpha)
        # alpha log(alpha / (mu + alpha)) + k log(mu / (mu + alpha)), kept accurate when
        # mu << alpha (the Poisson limit).
        return norm - alpha * jnp.log1p(mu / alpha) + xlogy(value, mu) - xlogy(value, mu + alpha)

    @classmethod
    def logcdf(cls, value: Any, mu: Any, alpha: Any) -> Any:
        return jnp.log(betainc(alpha, value + 1, alpha / (mu + alpha)))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, alpha: Any) -> Any:
        mu, alpha = _bcast(shape, mu, alpha)
        k1, k2 = jax.random.split(rng_key)
        rate = jax.random.gamma(k1, alpha, shape) * mu / alpha  # gamma-Poisson mixture
        return jax.random.poisson(k2, rate, shape).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, alpha: Any) -> Any:
        return _full_int(shape, jnp.floor(mu) + 0 * alpha)


class Geometric(Discrete):
    """Geometric(p): the number of trials up to and including the first success (>= 1)."""

    param_names = ("p",)
    param_checks = {"p": (_open_closed_unit, "in (0, 1]")}
    support = C.positive_integer

    @classmethod
    def support_check(cls, value: Any, p: Any) -> Any:
        return (value >= 1) & (value % 1 == 0)

    @classmethod
    def logp(cls, value: Any, p: Any) -> Any:
        return jnp.log(p) + xlog1py(value - 1, -p)

    @classmethod
    def logcdf(cls, value: Any, p: Any) -> Any:
        return _log1mexp(value * jnp.log1p(-p))

    @classmethod
    def icdf(cls, q: Any, p: Any) -> Any:
        k = jnp.ceil(jnp.log1p(-q) / jnp.log1p(-p))
        return jnp.maximum(k, 1.0)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, p: Any) -> Any:
        (p,) = _bcast(shape, p)
        return jax.random.geometric(rng_key, p, shape).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, p: Any) -> Any:
        return _full_int(shape, jnp.round(1 / jnp.asarray(p)))


class ZeroInflatedPoisson(Discrete):
    """ZeroInflatedPoisson(psi, mu): Poisson(mu) with probability psi, else 0 (as PyMC)."""

    param_names = ("psi", "mu")
    param_checks = {"psi": (unit, "in [0, 1]"), "mu": (nonnegative, "non-negative")}
    support = C.nonnegative_integer

    @classmethod
    def logp(cls, value: Any, psi: Any, mu: Any) -> Any:
        zero = jnp.logaddexp(jnp.log1p(-psi), jnp.log(psi) - mu)
        return jnp.where(value == 0, zero, jnp.log(psi) + _poisson_logp(value, mu))

    @classmethod
    def logcdf(cls, value: Any, psi: Any, mu: Any) -> Any:
        return jnp.logaddexp(jnp.log1p(-psi), jnp.log(psi) + jnp.log(gammaincc(value + 1, mu)))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, psi: Any, mu: Any) -> Any:
        psi, mu = _bcast(shape, psi, mu)
        k1, k2 = jax.random.split(rng_key)
        counts = jax.random.poisson(k2, mu, shape)
        return jnp.where(jax.random.bernoulli(k1, psi, shape), counts, 0).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, psi: Any, mu: Any) -> Any:
        return _full_int(shape, jnp.floor(psi * mu))


class DiscreteUniform(Discrete):
    """DiscreteUniform(lower, upper) on the integers {lower, ..., upper}."""

    param_names = ("lower", "upper")
    param_checks = {"lower": (_integer, "an integer"), "upper": (_integer, "an integer")}
    support = C.integer_interval("lower", "upper")

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        if "lower" in given and "upper" in given:
            lo, hi = T.as_tensor(given["lower"]), T.as_tensor(given["upper"])
            if not _is_node(lo) and not _is_node(hi) and not np.all(lo <= hi):
                raise ParameterError(
                    f"DiscreteUniform: 'lower' must be at most 'upper', got "
                    f"lower={np.ravel(lo)[:5]} upper={np.ravel(hi)[:5]}"
                )
        return given

    @classmethod
    def logp(cls, value: Any, lower: Any, upper: Any) -> Any:
        shape = jnp.broadcast_shapes(jnp.shape(value), jnp.shape(lower), jnp.shape(upper))
        return jnp.broadcast_to(-jnp.log(upper - lower + 1.0), shape)

    @classmethod
    def logcdf(cls, value: Any, lower: Any, upper: Any) -> Any:
        return jnp.log(value - lower + 1.0) - jnp.log(upper - lower + 1.0)

    @classmethod
    def icdf(cls, q: Any, lower: Any, upper: Any) -> Any:
        k = lower - 1.0 + jnp.ceil(q * (upper - lower + 1.0))
        return jnp.clip(k, lower, upper)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, lower: Any, upper: Any) -> Any:
        lower, upper = _bcast(shape, lower, upper)
        u = jax.random.uniform(rng_key, shape)
        return jnp.minimum(lower + jnp.floor(u * (upper - lower + 1)), upper).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, lower: Any, upper: Any) -> Any:
        return _full_int(shape, jnp.floor(0.5 * (jnp.asarray(lower) + upper)))


# -- categories ---------------------------------------------------------------------------
class Categorical(Discrete):
    """Categorical(p) on {0, ..., K-1}; p (..., K) is normalised along its last axis (as
    PyMC). Or ``logit_p=`` (p = softmax(logit_p))."""

    param_names = ("p",)
    alt_params = ("logit_p",)
    param_ndims = {"p": 1}
    param_checks = {"p": (nonnegative, "non-negative")}
    support = C.integer_interval(0, _last_index)

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        if "logit_p" in given:
            from credo.math import softmax

            _exclusive("Categorical", given, ("p",), ("logit_p",))
            given["p"] = softmax(_float(given.pop("logit_p")), axis=-1)
        return given

    @classmethod
    def _check_constant_params(cls, params: dict[str, Any], label: str) -> None:
        super()._check_constant_params(params, label)
        p = params["p"]
        if isinstance(p, T.TensorVariable):
            return
        total = np.sum(p, axis=-1, keepdims=True)
        if not np.allclose(total, 1.0, rtol=0, atol=1e-8):
            warn_user(
                f"{label}: p values sum up to {np.ravel(total)[:5].tolist()}, instead of 1.0; "
                "they are rescaled to sum to 1. Rescale them yourself to remove this warning"
            )
            params["p"] = np.asarray(p / total)

    @classmethod
    def logp(cls, value: Any, p: Any) -> Any:
        p = jnp.asarray(p, dtype=float)
        k = p.shape[-1]
        logp_all = jnp.log(p) - jnp.log(jnp.sum(p, axis=-1, keepdims=True))
        batch = jnp.broadcast_shapes(jnp.shape(value), p.shape[:-1])
        idx = jnp.broadcast_to(_index(value, k - 1), batch)
        table = jnp.broadcast_to(logp_all, batch + (k,))
        return jnp.take_along_axis(table, idx[..., None], axis=-1)[..., 0]

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, p: Any) -> Any:
        logits = jnp.log(jnp.asarray(p, dtype=float))
        return jax.random.categorical(rng_key, logits, axis=-1, shape=shape).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, p: Any) -> Any:
        return _full_int(shape, jnp.argmax(jnp.asarray(p), axis=-1))


class OrderedLogistic(ComputeP, Discrete):
    """OrderedLogistic(eta, cutpoints) on {0, ..., K}; cutpoints (..., K) increasing.

    P(y = k) = F(c_k - eta) - F(c_{k-1} - eta) with F the logistic CDF, c_{-1} = -inf and
    c_K = +inf (PyMC's convention).
    """

    param_names = ("eta", "cutpoints")
    param_ndims = {"cutpoints": 1}
    param_checks = {"cutpoints": (_increasing, "increasing along the last axis")}
    support = C.integer_interval(0, _n_cutpoints)

    @classmethod
    def logp(cls, value: Any, eta: Any, cutpoints: Any) -> Any:
        c = jnp.asarray(cutpoints, dtype=float)
        k_max = c.shape[-1]
        batch = jnp.broadcast_shapes(jnp.shape(value), jnp.shape(eta), c.shape[:-1])
        k = jnp.broadcast_to(_index(value, k_max), batch)
        c = jnp.broadcast_to(c, batch + (k_max,))
        eta = jnp.broadcast_to(eta, batch)
        take = lambda i: jnp.take_along_axis(c, i[..., None], axis=-1)[..., 0]  # noqa: E731
        b = take(jnp.minimum(k, k_max - 1)) - eta  # c_k - eta
        a = take(jnp.maximum(k - 1, 0)) - eta  # c_{k-1} - eta
        first, last = k == 0, k == k_max
        inner = ~first & ~last
        a_in = jnp.where(inner, a, b - 1.0)  # keeps the unused branch finite
        # log(F(b) - F(a)) = log(1 - e^(a-b)) + log F(b) + log(1 - F(a)), each term stable.
        mid = log1mexp(b - a_in) - jax.nn.softplus(-b) - jax.nn.softplus(a_in)
        return jnp.where(first, -jax.nn.softplus(-b), jnp.where(last, -jax.nn.softplus(a), mid))

    @classmethod
    def _probs(cls, eta: Any, cutpoints: Any) -> Any:
        c = jnp.asarray(cutpoints, dtype=float)
        cdf = jax.nn.sigmoid(c - jnp.asarray(eta)[..., None])
        zeros = jnp.zeros(cdf.shape[:-1] + (1,))
        full = jnp.concatenate([zeros, cdf, zeros + 1.0], axis=-1)
        return jnp.clip(jnp.diff(full, axis=-1), 0.0, 1.0)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, eta: Any, cutpoints: Any) -> Any:
        logits = jnp.log(cls._probs(eta, cutpoints))
        return jax.random.categorical(rng_key, logits, axis=-1, shape=shape).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, eta: Any, cutpoints: Any) -> Any:
        return _full_int(shape, jnp.argmax(cls._probs(eta, cutpoints), axis=-1))
