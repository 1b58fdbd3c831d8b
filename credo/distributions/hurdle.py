"""Zero-inflated and hurdle distributions.

Zero-inflated (PyMC's convention): with probability ``psi`` a draw of the base
distribution, else 0. Hurdle: 0 with probability ``1 - psi``, else a draw of the base
distribution conditioned on being non-zero (for continuous bases, the base itself).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import betainc, gammaincc, gammaln, xlog1py, xlogy

from credo.distributions import constraints as C
from credo.distributions._helpers import _bcast, _log1mexp
from credo.distributions.base import Continuous, Discrete, nonnegative, positive, unit
from credo.distributions.discrete import NegativeBinomial, _full_int, _nonneg_int
from credo.distributions.positive import Gamma

__all__ = [
    "ZeroInflatedBinomial",
    "ZeroInflatedNegativeBinomial",
    "HurdlePoisson",
    "HurdleNegativeBinomial",
    "HurdleGamma",
    "HurdleLogNormal",
]


def _binom_logp(k: Any, n: Any, p: Any) -> Any:
    k = jnp.clip(k, 0, n)
    comb = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)
    return comb + xlogy(k, p) + xlog1py(n - k, -p)


def _nb_logp(k: Any, mu: Any, alpha: Any) -> Any:
    norm = gammaln(k + alpha) - gammaln(k + 1) - gammaln(alpha)
    return norm - alpha * jnp.log1p(mu / alpha) + xlogy(k, mu) - xlogy(k, mu + alpha)


def _nb_log_p0(mu: Any, alpha: Any) -> Any:
    return -alpha * jnp.log1p(mu / alpha)


def _nb_sample(key: Any, shape: tuple, mu: Any, alpha: Any) -> Any:
    k1, k2 = jax.random.split(key)
    rate = jax.random.gamma(k1, alpha, shape) * mu / alpha
    return jax.random.poisson(k2, rate, shape)


def _zero_inflate(psi: Any, value: Any, base_lp: Any, base_lp0: Any) -> Any:
    zero = jnp.logaddexp(jnp.log1p(-psi), jnp.log(psi) + base_lp0)
    return jnp.where(value == 0, zero, jnp.log(psi) + base_lp)


def _hurdle(psi: Any, value: Any, base_lp: Any, base_log_nonzero: Any) -> Any:
    return jnp.where(value == 0, jnp.log1p(-psi), jnp.log(psi) + base_lp - base_log_nonzero)


def _positive_draws(key: Any, shape: tuple, draw: Any, max_rounds: int = 100) -> Any:
    """Draws of a count distribution conditioned on > 0, by rejection (redrawing zeros)."""

    def cond(state: tuple) -> Any:
        i, _, x = state
        return (i < max_rounds) & jnp.any(x == 0)

    def body(state: tuple) -> tuple:
        i, k, x = state
        k, sub = jax.random.split(k)
        return i + 1, k, jnp.where(x == 0, draw(sub), x)

    zeros = jax.eval_shape(draw, key)
    init = (0, key, jnp.zeros(zeros.shape, zeros.dtype))
    _, _, x = jax.lax.while_loop(cond, body, init)
    return jnp.maximum(x, 1)


class ZeroInflatedBinomial(Discrete):
    """ZeroInflatedBinomial(psi, n, p): Binomial(n, p) with probability psi, else 0."""

    param_names = ("psi", "n", "p")
    param_checks = {
        "psi": (unit, "in [0, 1]"),
        "n": (_nonneg_int, "a non-negative integer"),
        "p": (unit, "in [0, 1]"),
    }
    support = C.integer_interval(0, "n")

    @classmethod
    def logp(cls, value: Any, psi: Any, n: Any, p: Any) -> Any:
        return _zero_inflate(psi, value, _binom_logp(value, n, p), xlog1py(n, -p))

    @classmethod
    def logcdf(cls, value: Any, psi: Any, n: Any, p: Any) -> Any:
        k = jnp.minimum(value, n - 1)
        base = jnp.log(betainc(jnp.maximum(n - k, 1e-300), k + 1, 1 - p))
        return jnp.logaddexp(jnp.log1p(-psi), jnp.log(psi) + base)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, psi: Any, n: Any, p: Any) -> Any:
        psi, n, p = _bcast(shape, psi, n, p)
        k1, k2 = jax.random.split(rng_key)
        counts = jax.random.binomial(k2, n, p, shape)
        return jnp.where(jax.random.bernoulli(k1, psi, shape), counts, 0).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, psi: Any, n: Any, p: Any) -> Any:
        return _full_int(shape, jnp.round(psi * n * p))


class ZeroInflatedNegativeBinomial(Discrete):
    """ZeroInflatedNegativeBinomial(psi, mu, alpha) (or ``n``/``p``): NegativeBinomial with
    probability psi, else 0."""

    param_names = ("psi", "mu", "alpha")
    alt_params = ("p", "n")
    param_checks = {
        "psi": (unit, "in [0, 1]"),
        "mu": (nonnegative, "non-negative"),
        "alpha": (positive, "positive"),
    }
    support = C.nonnegative_integer

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        psi = given.pop("psi", None)
        out = NegativeBinomial.standardize(given, static)
        if psi is not None:
            out["psi"] = psi
        return out

    @classmethod
    def logp(cls, value: Any, psi: Any, mu: Any, alpha: Any) -> Any:
        return _zero_inflate(psi, value, _nb_logp(value, mu, alpha), _nb_log_p0(mu, alpha))

    @classmethod
    def logcdf(cls, value: Any, psi: Any, mu: Any, alpha: Any) -> Any:
        base = jnp.log(betainc(alpha, value + 1, alpha / (mu + alpha)))
        return jnp.logaddexp(jnp.log1p(-psi), jnp.log(psi) + base)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, psi: Any, mu: Any, alpha: Any) -> Any:
        psi, mu, alpha = _bcast(shape, psi, mu, alpha)
        k1, k2 = jax.random.split(rng_key)
        counts = _nb_sample(k2, shape, mu, alpha)
        return jnp.where(jax.random.bernoulli(k1, psi, shape), counts, 0).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, psi: Any, mu: Any, alpha: Any) -> Any:
        return _full_int(shape, jnp.floor(psi * mu) + 0 * alpha)


class HurdlePoisson(Discrete):
    """HurdlePoisson(psi, mu): 0 with probability 1 - psi, else Poisson(mu) given > 0."""

    param_names = ("psi", "mu")
    param_checks = {"psi": (unit, "in [0, 1]"), "mu": (positive, "positive")}
    support = C.nonnegative_integer

    @classmethod
    def logp(cls, value: Any, psi: Any, mu: Any) -> Any:
        base = xlogy(value, mu) - mu - gammaln(value + 1)
        return _hurdle(psi, value, base, _log1mexp(-mu))

    @classmethod
    def logcdf(cls, value: Any, psi: Any, mu: Any) -> Any:
        # 1 - psi + psi (F(k) - F(0)) / (1 - F(0)) for k >= 1.
        f0 = jnp.exp(-mu)
        frac = (gammaincc(value + 1, mu) - f0) / (-jnp.expm1(-mu))
        return jnp.log1p(-psi + psi * frac)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, psi: Any, mu: Any) -> Any:
        psi, mu = _bcast(shape, psi, mu)
        k1, k2 = jax.random.split(rng_key)
        pos = _positive_draws(k2, shape, lambda k: jax.random.poisson(k, mu, shape))
        return jnp.where(jax.random.bernoulli(k1, psi, shape), pos, 0).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, psi: Any, mu: Any) -> Any:
        return _full_int(shape, jnp.round(psi * mu / (-jnp.expm1(-mu))))


class HurdleNegativeBinomial(Discrete):
    """HurdleNegativeBinomial(psi, mu, alpha) (or ``n``/``p``): 0 with probability
    1 - psi, else NegativeBinomial given > 0."""

    param_names = ("psi", "mu", "alpha")
    alt_params = ("p", "n")
    param_checks = {
        "psi": (unit, "in [0, 1]"),
        "mu": (positive, "positive"),
        "alpha": (positive, "positive"),
    }
    support = C.nonnegative_integer

    standardize = ZeroInflatedNegativeBinomial.standardize

    @classmethod
    def logp(cls, value: Any, psi: Any, mu: Any, alpha: Any) -> Any:
        nonzero = _log1mexp(_nb_log_p0(mu, alpha))
        return _hurdle(psi, value, _nb_logp(value, mu, alpha), nonzero)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, psi: Any, mu: Any, alpha: Any) -> Any:
        psi, mu, alpha = _bcast(shape, psi, mu, alpha)
        k1, k2 = jax.random.split(rng_key)
        pos = _positive_draws(k2, shape, lambda k: _nb_sample(k, shape, mu, alpha))
        return jnp.where(jax.random.bernoulli(k1, psi, shape), pos, 0).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, psi: Any, mu: Any, alpha: Any) -> Any:
        return _full_int(shape, jnp.maximum(jnp.round(psi * mu), 0) + 0 * alpha)


class HurdleGamma(Continuous):
    """HurdleGamma(psi, alpha, beta) (or ``mu``/``sigma``): 0 with probability 1 - psi,
    else Gamma(alpha, beta). The density is with respect to a point mass at 0 plus
    Lebesgue measure on x > 0."""

    param_names = ("psi", "alpha", "beta")
    aliases = {"sd": "sigma"}
    alt_params = ("mu", "sigma")
    param_checks = {
        "psi": (unit, "in [0, 1]"),
        "alpha": (positive, "positive"),
        "beta": (positive, "positive"),
    }
    support = C.nonnegative

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        psi = given.pop("psi", None)
        out = Gamma.standardize(given, static)
        if psi is not None:
            out["psi"] = psi
        return out

    @classmethod
    def logp(cls, value: Any, psi: Any, alpha: Any, beta: Any) -> Any:
        x = jnp.where(value > 0, value, 1.0)
        base = alpha * jnp.log(beta) - gammaln(alpha) + xlogy(alpha - 1, x) - beta * x
        return _hurdle(psi, value, base, 0.0)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, psi: Any, alpha: Any, beta: Any) -> Any:
        psi, alpha, beta = _bcast(shape, psi, alpha, beta)
        k1, k2 = jax.random.split(rng_key)
        pos = jax.random.gamma(k2, alpha, shape) / beta
        return jnp.where(jax.random.bernoulli(k1, psi, shape), pos, 0.0)

    @classmethod
    def support_point(cls, shape: tuple, psi: Any, alpha: Any, beta: Any) -> Any:
        return jnp.broadcast_to(jnp.asarray(alpha / beta + 0 * psi, float), shape)


class HurdleLogNormal(Continuous):
    """HurdleLogNormal(psi, mu, sigma): 0 with probability 1 - psi, else LogNormal(mu,
    sigma); ``sd=``, ``tau=``."""

    param_names = ("psi", "mu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"mu": 0.0, "sigma": 1.0}
    param_checks = {"psi": (unit, "in [0, 1]"), "sigma": (positive, "positive")}
    support = C.nonnegative

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        from credo.distributions._helpers import _floats, _from_precision

        return _floats(_from_precision(given, "HurdleLogNormal"))

    @classmethod
    def logp(cls, value: Any, psi: Any, mu: Any, sigma: Any) -> Any:
        logx = jnp.log(jnp.where(value > 0, value, 1.0))
        z = (logx - mu) / sigma
        base = -logx - 0.5 * np.log(2 * np.pi) - jnp.log(sigma) - 0.5 * z**2
        return _hurdle(psi, value, base, 0.0)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, psi: Any, mu: Any, sigma: Any) -> Any:
        psi, mu, sigma = _bcast(shape, psi, mu, sigma)
        k1, k2 = jax.random.split(rng_key)
        pos = jnp.exp(mu + sigma * jax.random.normal(k2, shape))
        return jnp.where(jax.random.bernoulli(k1, psi, shape), pos, 0.0)

    @classmethod
    def support_point(cls, shape: tuple, psi: Any, mu: Any, sigma: Any) -> Any:
        return jnp.broadcast_to(jnp.asarray(jnp.exp(mu + 0.5 * sigma**2) + 0 * psi), shape)
