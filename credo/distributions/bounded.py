"""Continuous distributions on bounded supports, the circle, and the improper flat ones."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import betainc, gammaln, i0e, ndtri, xlog1py, xlogy

from credo.distributions import constraints as C
from credo.distributions._helpers import (
    _LOG_2,
    _LOG_2PI,
    _bcast,
    _check_less,
    _exclusive,
    _floats,
    _from_precision,
    _full,
    _log1mexp,
    _log_ndtr,
)
from credo.distributions.base import Continuous, positive
from credo.errors import ParameterError
from credo.model import tensor as T

__all__ = [
    "Beta",
    "Uniform",
    "VonMises",
    "Flat",
    "HalfFlat",
    "Kumaraswamy",
    "LogitNormal",
    "Triangular",
    "Interpolated",
]


class Beta(Continuous):
    """Beta(alpha, beta); or ``mu``/``sigma`` (mean and sd), or ``mu``/``nu``, as PyMC."""

    param_names = ("alpha", "beta")
    aliases = {"sd": "sigma"}
    alt_params = ("mu", "sigma", "nu")
    param_checks = {"alpha": (positive, "positive"), "beta": (positive, "positive")}
    support = C.unit_interval

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        _exclusive("Beta", given, ("alpha", "beta"), ("mu", "sigma", "nu"))
        if "sigma" in given and "nu" in given:
            raise ParameterError("Beta: give 'mu' with either 'sigma' or 'nu', not both")
        if "mu" in given or "sigma" in given or "nu" in given:
            if "mu" not in given or not ("sigma" in given or "nu" in given):
                raise ParameterError("Beta: 'mu' needs 'sigma' (or 'nu'), and vice versa")
            p = _floats({k: given.pop(k) for k in ("mu", "sigma", "nu") if k in given})
            mu = p["mu"]
            if "sigma" in p:
                kappa = mu * (1 - mu) / p["sigma"] ** 2 - 1
            else:
                kappa = p["nu"]
            given["alpha"], given["beta"] = mu * kappa, (1 - mu) * kappa
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, alpha: Any, beta: Any) -> Any:
        # jax's betaln keeps only ~6 digits; the three gammaln terms keep all of them.
        lbeta = gammaln(alpha) + gammaln(beta) - gammaln(alpha + beta)
        return xlogy(alpha - 1, value) + xlog1py(beta - 1, -value) - lbeta

    @classmethod
    def logcdf(cls, value: Any, alpha: Any, beta: Any) -> Any:
        return jnp.log(betainc(alpha, beta, value))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, alpha: Any, beta: Any) -> Any:
        alpha, beta = _bcast(shape, alpha, beta)
        return jax.random.beta(rng_key, alpha, beta, shape)

    @classmethod
    def support_point(cls, shape: tuple, alpha: Any, beta: Any) -> Any:
        return _full(shape, alpha / (alpha + beta))


class Uniform(Continuous):
    """Uniform(lower, upper), default (0, 1)."""

    param_names = ("lower", "upper")
    defaults = {"lower": 0.0, "upper": 1.0}
    support = C.interval("lower", "upper")

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        given = _floats(given)
        full = {"lower": 0.0, "upper": 1.0, **given}
        _check_less("Uniform", full, "lower", "upper")
        return given

    @classmethod
    def support_check(cls, value: Any, lower: Any, upper: Any) -> Any:
        return (value >= lower) & (value <= upper) & (lower < upper)

    @classmethod
    def logp(cls, value: Any, lower: Any, upper: Any) -> Any:
        return jnp.broadcast_to(
            -jnp.log(upper - lower),
            jnp.broadcast_shapes(jnp.shape(value), jnp.shape(lower), jnp.shape(upper)),
        )

    @classmethod
    def logcdf(cls, value: Any, lower: Any, upper: Any) -> Any:
        return jnp.log(value - lower) - jnp.log(upper - lower)

    @classmethod
    def icdf(cls, q: Any, lower: Any, upper: Any) -> Any:
        return lower + q * (upper - lower)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, lower: Any, upper: Any) -> Any:
        lower, upper = _bcast(shape, lower, upper)
        return lower + (upper - lower) * jax.random.uniform(rng_key, shape)

    @classmethod
    def support_point(cls, shape: tuple, lower: Any, upper: Any) -> Any:
        return _full(shape, 0.5 * (lower + upper))


class VonMises(Continuous):
    """VonMises(mu, kappa): a circular distribution, with values in [-pi, pi].

    The density is periodic; values are taken on [-pi, pi] (the two ends are the same
    angle), and the default transform is the interval (-pi, pi).
    """

    param_names = ("mu", "kappa")
    defaults = {"mu": 0.0, "kappa": 1.0}
    param_checks = {"kappa": (positive, "positive")}
    support = C.circular

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, mu: Any, kappa: Any) -> Any:
        # I0(kappa) = i0e(kappa) exp(kappa): no overflow for large kappa.
        return kappa * (jnp.cos(value - mu) - 1) - _LOG_2PI - jnp.log(i0e(kappa))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, kappa: Any) -> Any:
        mu, kappa = _bcast(shape, mu, kappa)
        theta = _von_mises_centered(rng_key, kappa, shape)
        return _wrap_angle(mu + theta)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, kappa: Any) -> Any:
        # Kept off the two ends, where the interval transform is infinite.
        edge = np.pi * (1 - 1e-9)
        return _full(shape, jnp.clip(_wrap_angle(mu + 0 * kappa), -edge, edge))


def _wrap_angle(x: Any) -> Any:
    return jnp.remainder(x + np.pi, 2 * np.pi) - np.pi


def _von_mises_centered(rng_key: Any, kappa: Any, shape: tuple) -> Any:
    """Von Mises draws around 0 by Best & Fisher's (1979) wrapped-Cauchy rejection sampler.

    All elements are proposed together each round until every one is accepted.
    """
    k = jnp.maximum(kappa, 1e-12)
    tau = 1 + jnp.sqrt(1 + 4 * k**2)
    rho = (tau - jnp.sqrt(2 * tau)) / (2 * k)
    r_exact = (1 + rho**2) / (2 * rho)
    # For small kappa the exact form cancels; its expansion is 1/kappa + kappa.
    r = jnp.where(k < 1e-5, 1 / k + k, r_exact)

    def propose(key: Any) -> tuple[Any, Any]:
        k1, k2, k3 = jax.random.split(key, 3)
        z = jnp.cos(np.pi * jax.random.uniform(k1, shape))
        f = (1 + r * z) / (r + z)
        c = k * (r - f)
        u2 = jax.random.uniform(k2, shape, minval=1e-300)
        accept = (c * (2 - c) - u2 > 0) | (jnp.log(c / u2) + 1 - c >= 0)
        sign = jnp.where(jax.random.uniform(k3, shape) < 0.5, -1.0, 1.0)
        return accept, sign * jnp.arccos(jnp.clip(f, -1.0, 1.0))

    def cond(state: tuple) -> Any:
        return ~jnp.all(state[1])

    def body(state: tuple) -> tuple:
        key, done, theta = state
        key, sub = jax.random.split(key)
        accept, prop = propose(sub)
        new = accept & ~done
        return key, done | accept, jnp.where(new, prop, theta)

    init = (rng_key, jnp.zeros(shape, bool), jnp.zeros(shape))
    _, _, theta = jax.lax.while_loop(cond, body, init)
    return theta


# -- improper -------------------------------------------------------------------------------
class Flat(Continuous):
    """Flat(): the improper uniform density on the real line (log-density 0)."""

    param_names = ()
    support = C.real

    @classmethod
    def logp(cls, value: Any) -> Any:
        return jnp.zeros(jnp.shape(value))

    @classmethod
    def logcdf(cls, value: Any) -> Any:
        # PyMC's convention for the improper flat density: 1/2 everywhere but the ends.
        half = jnp.full(jnp.shape(value), -float(np.log(2.0)))
        return jnp.where(value == jnp.inf, 0.0, jnp.where(value == -jnp.inf, -jnp.inf, half))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple) -> Any:
        raise NotImplementedError(
            "Flat is improper (constant density on the real line) and cannot be sampled "
            "from; give the variable a proper prior to draw from the prior predictive"
        )

    @classmethod
    def support_point(cls, shape: tuple) -> Any:
        return jnp.zeros(shape)


class HalfFlat(Continuous):
    """HalfFlat(): the improper uniform density on x >= 0 (log-density 0)."""

    param_names = ()
    support = C.nonnegative

    @classmethod
    def support_check(cls, value: Any) -> Any:
        return (value >= 0) & jnp.isfinite(value)

    @classmethod
    def logp(cls, value: Any) -> Any:
        return jnp.zeros(jnp.shape(value))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple) -> Any:
        raise NotImplementedError(
            "HalfFlat is improper (constant density on x >= 0) and cannot be sampled "
            "from; give the variable a proper prior to draw from the prior predictive"
        )

    @classmethod
    def support_point(cls, shape: tuple) -> Any:
        return jnp.ones(shape)


class Kumaraswamy(Continuous):
    """Kumaraswamy(a, b) on (0, 1): density a b x^(a-1) (1 - x^a)^(b-1)."""

    param_names = ("a", "b")
    param_checks = {"a": (positive, "positive"), "b": (positive, "positive")}
    support = C.unit_interval

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, a: Any, b: Any) -> Any:
        x = jnp.clip(value, 1e-300, 1.0)
        return jnp.log(a) + jnp.log(b) + xlogy(a - 1, x) + xlog1py(b - 1, -(x**a))

    @classmethod
    def logcdf(cls, value: Any, a: Any, b: Any) -> Any:
        return _log1mexp(b * jnp.log1p(-(value**a)))

    @classmethod
    def icdf(cls, q: Any, a: Any, b: Any) -> Any:
        return (-jnp.expm1(jnp.log1p(-q) / b)) ** (1 / a)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, a: Any, b: Any) -> Any:
        a, b = _bcast(shape, a, b)
        return cls.icdf(jax.random.uniform(rng_key, shape), a, b)

    @classmethod
    def support_point(cls, shape: tuple, a: Any, b: Any) -> Any:
        # The median, strictly inside (0, 1).
        return _full(shape, cls.icdf(0.5, a, b))


class LogitNormal(Continuous):
    """LogitNormal(mu=0, sigma=1): logit(x) ~ Normal(mu, sigma); ``tau=``."""

    param_names = ("mu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"mu": 0.0, "sigma": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    support = C.open_unit_interval

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "LogitNormal"))

    @classmethod
    def logp(cls, value: Any, mu: Any, sigma: Any) -> Any:
        x = jnp.clip(value, 1e-300, 1 - 1e-16)
        lx, l1x = jnp.log(x), jnp.log1p(-x)
        z = (lx - l1x - mu) / sigma
        return -0.5 * z**2 - jnp.log(sigma) - 0.5 * _LOG_2PI - lx - l1x

    @classmethod
    def logcdf(cls, value: Any, mu: Any, sigma: Any) -> Any:
        x = jnp.clip(value, 1e-300, 1 - 1e-16)
        return _log_ndtr((jnp.log(x) - jnp.log1p(-x) - mu) / sigma)

    @classmethod
    def icdf(cls, q: Any, mu: Any, sigma: Any) -> Any:
        return jax.nn.sigmoid(mu + sigma * ndtri(q))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any) -> Any:
        mu, sigma = _bcast(shape, mu, sigma)
        return jax.nn.sigmoid(mu + sigma * jax.random.normal(rng_key, shape))

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, sigma: Any) -> Any:
        return _full(shape, jax.nn.sigmoid(mu + 0 * sigma))


class Triangular(Continuous):
    """Triangular(lower=0, c=0.5, upper=1): mode c on [lower, upper]."""

    param_names = ("lower", "c", "upper")
    defaults = {"lower": 0.0, "c": 0.5, "upper": 1.0}
    support = C.interval("lower", "upper")

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        given = _floats(given)
        full = {"lower": 0.0, "c": 0.5, "upper": 1.0, **given}
        _check_less("Triangular", full, "lower", "c", strict=False)
        _check_less("Triangular", full, "c", "upper", strict=False)
        _check_less("Triangular", full, "lower", "upper")
        return given

    @classmethod
    def support_check(cls, value: Any, lower: Any, c: Any, upper: Any) -> Any:
        return (value >= lower) & (value <= upper) & (lower <= c) & (c <= upper) & (lower < upper)

    @classmethod
    def logp(cls, value: Any, lower: Any, c: Any, upper: Any) -> Any:
        width = jnp.log(upper - lower)
        left = _LOG_2 + jnp.log(jnp.maximum(value - lower, 0.0)) - width - jnp.log(c - lower)
        right = _LOG_2 + jnp.log(jnp.maximum(upper - value, 0.0)) - width - jnp.log(upper - c)
        return jnp.where(value < c, left, right)

    @classmethod
    def logcdf(cls, value: Any, lower: Any, c: Any, upper: Any) -> Any:
        w = upper - lower
        left = 2 * jnp.log(jnp.maximum(value - lower, 0.0)) - jnp.log(w) - jnp.log(c - lower)
        right = jnp.log1p(-((upper - value) ** 2) / (w * (upper - c)))
        return jnp.where(value <= c, left, right)

    @classmethod
    def icdf(cls, q: Any, lower: Any, c: Any, upper: Any) -> Any:
        w = upper - lower
        split = (c - lower) / w
        left = lower + jnp.sqrt(q * w * (c - lower))
        right = upper - jnp.sqrt((1 - q) * w * (upper - c))
        return jnp.where(q < split, left, right)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, lower: Any, c: Any, upper: Any) -> Any:
        lower, c, upper = _bcast(shape, lower, c, upper)
        return cls.icdf(jax.random.uniform(rng_key, shape), lower, c, upper)

    @classmethod
    def support_point(cls, shape: tuple, lower: Any, c: Any, upper: Any) -> Any:
        return _full(shape, (lower + c + upper) / 3)


class Interpolated(Continuous):
    """Interpolated(x_points, pdf_points): the density that interpolates ``pdf_points``
    linearly between the increasing ``x_points`` (normalised; zero outside them)."""

    param_names = ("x_points", "pdf_points")
    param_ndims = {"x_points": 1, "pdf_points": 1}
    param_checks = {"pdf_points": (lambda p: p >= 0, "non-negative")}
    support = C.interval(lambda p: p["x_points"][..., 0], lambda p: p["x_points"][..., -1])
    support_doc = "interval(x_points[0], x_points[-1])"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        given = _floats(given)
        x = given.get("x_points")
        if x is not None and not isinstance(x, T.TensorVariable):
            if np.ndim(x) < 1 or np.shape(x)[-1] < 2 or np.any(np.diff(x, axis=-1) <= 0):
                raise ParameterError("Interpolated: x_points must be increasing, length >= 2")
        return given

    @staticmethod
    def _pieces(value: Any, x: Any, p: Any) -> tuple[Any, ...]:
        """(interval index, x_i, p_i, slope, cumulative mass at x_i, total mass)."""
        widths = jnp.diff(x, axis=-1)
        slopes = jnp.diff(p, axis=-1) / widths
        areas = 0.5 * (p[..., 1:] + p[..., :-1]) * widths
        cum = jnp.concatenate([jnp.zeros(areas.shape[:-1] + (1,)), jnp.cumsum(areas, -1)], -1)
        n = x.shape[-1]
        xb = jnp.broadcast_to(x, jnp.shape(value) + (n,)) if x.ndim == 1 else x
        i = jnp.clip(jnp.sum(xb <= jnp.asarray(value)[..., None], axis=-1) - 1, 0, n - 2)

        def take(a: Any) -> Any:
            shape = jnp.broadcast_shapes(a.shape[:-1], i.shape)
            return jnp.take_along_axis(
                jnp.broadcast_to(a, shape + a.shape[-1:]), jnp.broadcast_to(i, shape)[..., None], -1
            )[..., 0]

        return i, take(x), take(p), take(slopes), take(cum), cum[..., -1]

    @classmethod
    def logp(cls, value: Any, x_points: Any, pdf_points: Any) -> Any:
        _, xi, pi, s, _, total = cls._pieces(value, x_points, pdf_points)
        dens = jnp.maximum(pi + s * (value - xi), 0.0)
        return jnp.log(dens) - jnp.log(total)

    @classmethod
    def logcdf(cls, value: Any, x_points: Any, pdf_points: Any) -> Any:
        _, xi, pi, s, ci, total = cls._pieces(value, x_points, pdf_points)
        d = value - xi
        return jnp.log(jnp.maximum(ci + pi * d + 0.5 * s * d**2, 0.0)) - jnp.log(total)

    @classmethod
    def icdf(cls, q: Any, x_points: Any, pdf_points: Any) -> Any:
        x, p = x_points, pdf_points
        widths = jnp.diff(x, axis=-1)
        areas = 0.5 * (p[..., 1:] + p[..., :-1]) * widths
        cum = jnp.concatenate([jnp.zeros(areas.shape[:-1] + (1,)), jnp.cumsum(areas, -1)], -1)
        target = jnp.asarray(q) * cum[..., -1]
        n = x.shape[-1]
        cb = jnp.broadcast_to(cum, jnp.shape(target) + (n,)) if cum.ndim == 1 else cum
        i = jnp.clip(jnp.sum(cb <= target[..., None], axis=-1) - 1, 0, n - 2)
        xi, pi, s, ci = (
            _take(x, i),
            _take(p, i),
            _take(jnp.diff(p, axis=-1) / widths, i),
            _take(cum, i),
        )
        r = jnp.maximum(target - ci, 0.0)
        # Solve s d^2 / 2 + pi d = r for d >= 0, in the form without cancellation.
        d = 2 * r / (pi + jnp.sqrt(jnp.maximum(pi**2 + 2 * s * r, 0.0)))
        return jnp.clip(xi + d, x[..., :1][..., 0], x[..., -1])

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, x_points: Any, pdf_points: Any) -> Any:
        u = jax.random.uniform(rng_key, shape)
        return cls.icdf(u, x_points, pdf_points)

    @classmethod
    def support_point(cls, shape: tuple, x_points: Any, pdf_points: Any) -> Any:
        return jnp.broadcast_to(cls.icdf(jnp.full(shape, 0.5), x_points, pdf_points), shape)


def _take(a: Any, i: Any) -> Any:
    shape = jnp.broadcast_shapes(a.shape[:-1], i.shape)
    a = jnp.broadcast_to(a, shape + a.shape[-1:])
    return jnp.take_along_axis(a, jnp.broadcast_to(i, shape)[..., None], -1)[..., 0]
