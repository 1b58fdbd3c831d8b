"""Continuous univariate distributions. Log-densities match ``scipy.stats``.

Each ``logp`` is normalised; the support and parameter checks (value outside the support
-> ``-inf``) are applied by :meth:`Distribution.checked_logp`, so a ``logp`` here only has
to be right inside the support and NaN-free at its edges where that is cheap.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import erfc, erfcx, gammaln, i0e, ndtr, ndtri, xlog1py, xlogy

from credo import tensor as T
from credo.distributions import transforms as tr
from credo.distributions.base import Continuous, positive
from credo.errors import ParameterError
from credo.special import log1mexp

__all__ = [
    "Normal",
    "HalfNormal",
    "TruncatedNormal",
    "StudentT",
    "HalfStudentT",
    "Cauchy",
    "HalfCauchy",
    "Exponential",
    "Gamma",
    "InverseGamma",
    "Beta",
    "Uniform",
    "LogNormal",
    "Laplace",
    "Logistic",
    "Weibull",
    "ChiSquared",
    "VonMises",
    "SkewNormal",
    "Flat",
    "HalfFlat",
]

_LOG_2PI = float(np.log(2 * np.pi))
_LOG_2 = float(np.log(2.0))
_LOG_PI = float(np.log(np.pi))
_SQRT_HALF = float(np.sqrt(0.5))


# -- helpers ---------------------------------------------------------------------------------
_is_node = T.is_node


def _floats(given: dict[str, Any]) -> dict[str, Any]:
    """Constant integer/bool parameters -> float64 arrays (nodes pass through)."""
    out = {}
    for k, v in given.items():
        v = T.as_tensor(v)
        if not _is_node(v) and v.dtype.kind in "biu":
            v = v.astype(np.float64)
        out[k] = v
    return out


def _constant(x: Any) -> np.ndarray | None:
    """A constant parameter as a float array, or None for a node (known only at run time)."""
    return None if _is_node(x) else np.asarray(x, dtype=np.float64)


def _exclusive(name: str, given: dict[str, Any], first: tuple, second: tuple) -> None:
    """Raise if parameters of two parametrisations are mixed."""
    a = [k for k in first if k in given]
    b = [k for k in second if k in given]
    if a and b:
        raise ParameterError(
            f"{name}: give either {' and '.join(map(repr, first))} or "
            f"{' and '.join(map(repr, second))}, not {a[0]!r} together with {b[0]!r}"
        )


def _from_precision(given: dict[str, Any], name: str, key: str = "tau") -> dict[str, Any]:
    """PyMC's precision parametrisation: ``tau`` (or ``lam``) -> ``sigma = tau ** -0.5``."""
    if key in given:
        prec = T.as_tensor(given.pop(key))
        if "sigma" in given:
            raise ParameterError(f"{name}: give either 'sigma' (or 'sd') or '{key}', not both")
        const = _constant(prec)
        if const is not None:
            if np.any(~(const > 0)):
                raise ParameterError(
                    f"{name}: parameter '{key}' must be positive, got {np.ravel(const)[:5]}"
                )
            given["sigma"] = const**-0.5
        else:
            given["sigma"] = prec**-0.5
    return given


def _check_less(name: str, given: dict[str, Any], lo: str, hi: str, strict: bool = True) -> None:
    """Definition-time check that constant bounds are ordered."""
    if lo not in given or hi not in given:
        return
    a, b = _constant(given[lo]), _constant(given[hi])
    if a is None or b is None:
        return
    ok = a < b if strict else a <= b
    if not np.all(ok):
        rel = "less than" if strict else "at most"
        raise ParameterError(
            f"{name}: '{lo}' must be {rel} '{hi}', got {lo}={np.ravel(a)[:5]} "
            f"{hi}={np.ravel(b)[:5]}"
        )


def _bcast(shape: tuple, *params: Any) -> list[Any]:
    """Parameters as float arrays broadcast to the draw shape."""
    return [jnp.broadcast_to(jnp.asarray(p, dtype=jnp.float64), shape) for p in params]


def _full(shape: tuple, x: Any) -> Any:
    return jnp.broadcast_to(jnp.asarray(x, dtype=jnp.float64), shape)


def _log_ndtr(x: Any) -> Any:
    """log Phi(x), accurate in both tails (jax's log_ndtr loses digits for x in (6, 8)).

    Left: Phi(x) = erfcx(-x/sqrt2) exp(-x^2/2) / 2; right: log1p(-Phi(-x)).
    """
    xn = jnp.minimum(x, 0.0)
    xp = jnp.maximum(x, 0.0)
    left = jnp.log(0.5 * erfcx(-xn * _SQRT_HALF)) - 0.5 * xn**2
    right = jnp.log1p(-0.5 * erfc(xp * _SQRT_HALF))
    return jnp.where(x < 0, left, right)


def _log_ndtr_diff(a: Any, b: Any) -> Any:
    """log(Phi(b) - Phi(a)) for a < b (either may be infinite), without cancellation.

    When both are in the upper tail, use the symmetric form Phi(-a) - Phi(-b).
    """
    flip = a > 0
    lo = jnp.where(flip, -b, a)
    hi = jnp.where(flip, -a, b)
    lhi = _log_ndtr(hi)
    return lhi + log1mexp(lhi - _log_ndtr(lo))


def _standard(bound: Any, mu: Any, sigma: Any, fill: float) -> Any:
    """(bound - mu) / sigma; an infinite bound stays the constant +-inf (zero gradient)."""
    fin = jnp.isfinite(bound)
    z = (jnp.where(fin, bound, 0.0) - mu) / sigma
    return jnp.where(fin, z, fill)


# -- the normal family -------------------------------------------------------------------------
class Normal(Continuous):
    """Normal(mu, sigma); ``sd=`` and ``tau=`` (precision) accepted."""

    param_names = ("mu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"mu": 0.0, "sigma": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    support = "real"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "Normal"))

    @classmethod
    def logp(cls, value: Any, mu: Any, sigma: Any) -> Any:
        z = (value - mu) / sigma
        return -0.5 * z**2 - jnp.log(sigma) - 0.5 * _LOG_2PI

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any) -> Any:
        mu, sigma = _bcast(shape, mu, sigma)
        return mu + sigma * jax.random.normal(rng_key, shape)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, sigma: Any) -> Any:
        return _full(shape, mu)


class HalfNormal(Continuous):
    """HalfNormal(sigma) on x >= 0; ``sd=`` and ``tau=`` accepted."""

    param_names = ("sigma",)
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"sigma": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    support = "nonnegative"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "HalfNormal"))

    @classmethod
    def logp(cls, value: Any, sigma: Any) -> Any:
        z = value / sigma
        return 0.5 * np.log(2 / np.pi) - jnp.log(sigma) - 0.5 * z**2

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, sigma: Any) -> Any:
        (sigma,) = _bcast(shape, sigma)
        return sigma * jnp.abs(jax.random.normal(rng_key, shape))

    @classmethod
    def support_point(cls, shape: tuple, sigma: Any) -> Any:
        return _full(shape, sigma * np.sqrt(2 / np.pi))


class TruncatedNormal(Continuous):
    """TruncatedNormal(mu, sigma, lower=None, upper=None); a missing bound is unbounded.

    The default transform follows the bounds given: interval, lower bound, upper bound or
    none. ``sd=`` and ``tau=`` accepted.
    """

    param_names = ("mu", "sigma", "lower", "upper")
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"mu": 0.0, "sigma": 1.0, "lower": -np.inf, "upper": np.inf}
    param_checks = {"sigma": (positive, "positive")}
    support = "interval"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        _check_less("TruncatedNormal", given, "lower", "upper")
        return _floats(_from_precision(given, "TruncatedNormal"))

    @classmethod
    def support_check(cls, value: Any, mu: Any, sigma: Any, lower: Any, upper: Any) -> Any:
        return (value >= lower) & (value <= upper) & jnp.isfinite(value) & (lower < upper)

    @classmethod
    def logp(cls, value: Any, mu: Any, sigma: Any, lower: Any, upper: Any) -> Any:
        a = _standard(lower, mu, sigma, -jnp.inf)
        b = _standard(upper, mu, sigma, jnp.inf)
        z = (value - mu) / sigma
        return -0.5 * z**2 - jnp.log(sigma) - 0.5 * _LOG_2PI - _log_ndtr_diff(a, b)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any, lower: Any, upper: Any) -> Any:
        mu, sigma, lower, upper = _bcast(shape, mu, sigma, lower, upper)
        a = _standard(lower, mu, sigma, -jnp.inf)
        b = _standard(upper, mu, sigma, jnp.inf)
        # Inverse CDF; in the upper tail on the mirrored interval, where Phi keeps digits.
        flip = a > 0
        lo = ndtr(jnp.where(flip, -b, a))
        hi = ndtr(jnp.where(flip, -a, b))
        u = jax.random.uniform(rng_key, shape)
        z = ndtri(lo + u * (hi - lo))
        z = jnp.where(flip, -z, z)
        return jnp.clip(mu + sigma * z, lower, upper)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, sigma: Any, lower: Any, upper: Any) -> Any:
        mu, sigma, lower, upper = _bcast(shape, mu, sigma, lower, upper)
        lo_fin, hi_fin = jnp.isfinite(lower), jnp.isfinite(upper)
        fallback = jnp.where(
            lo_fin & hi_fin,
            0.5 * (jnp.where(lo_fin, lower, 0.0) + jnp.where(hi_fin, upper, 0.0)),
            jnp.where(lo_fin, lower + sigma, upper - sigma),
        )
        # The mode mu where it lies strictly inside, else a central point of the interval.
        return jnp.where((mu > lower) & (mu < upper), mu, fallback)

    def default_transform(self) -> tr.Transform | None:
        lower, upper = self.params["lower"], self.params["upper"]
        has_lo = _is_node(lower) or bool(np.any(np.isfinite(lower)))
        has_hi = _is_node(upper) or bool(np.any(np.isfinite(upper)))
        if has_lo and has_hi:
            return tr.IntervalTransform(lower, upper)
        if has_lo:
            return tr.LowerBoundTransform(lower)
        if has_hi:
            return tr.UpperBoundTransform(upper)
        return None


class SkewNormal(Continuous):
    """SkewNormal(mu, sigma, alpha) (alpha: skewness, default 1 as PyMC); ``tau=`` accepted."""

    param_names = ("mu", "sigma", "alpha")
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"mu": 0.0, "sigma": 1.0, "alpha": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    support = "real"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "SkewNormal"))

    @classmethod
    def logp(cls, value: Any, mu: Any, sigma: Any, alpha: Any) -> Any:
        z = (value - mu) / sigma
        return _LOG_2 - 0.5 * _LOG_2PI - jnp.log(sigma) - 0.5 * z**2 + _log_ndtr(alpha * z)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any, alpha: Any) -> Any:
        mu, sigma, alpha = _bcast(shape, mu, sigma, alpha)
        # delta |u0| + sqrt(1 - delta^2) v is skew-normal (Azzalini 1985).
        delta = alpha / jnp.sqrt(1 + alpha**2)
        k0, k1 = jax.random.split(rng_key)
        u0 = jnp.abs(jax.random.normal(k0, shape))
        v = jax.random.normal(k1, shape)
        return mu + sigma * (delta * u0 + jnp.sqrt(1 - delta**2) * v)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, sigma: Any, alpha: Any) -> Any:
        delta = alpha / jnp.sqrt(1 + alpha**2)
        return _full(shape, mu + sigma * np.sqrt(2 / np.pi) * delta)


class LogNormal(Continuous):
    """LogNormal(mu, sigma): log(x) ~ Normal(mu, sigma); ``sd=`` and ``tau=`` accepted."""

    param_names = ("mu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("tau",)
    defaults = {"mu": 0.0, "sigma": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    support = "positive"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "LogNormal"))

    @classmethod
    def logp(cls, value: Any, mu: Any, sigma: Any) -> Any:
        logx = jnp.log(jnp.where(value > 0, value, 1.0))
        z = (logx - mu) / sigma
        return -logx - 0.5 * _LOG_2PI - jnp.log(sigma) - 0.5 * z**2

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any) -> Any:
        mu, sigma = _bcast(shape, mu, sigma)
        return jnp.exp(mu + sigma * jax.random.normal(rng_key, shape))

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, sigma: Any) -> Any:
        return _full(shape, jnp.exp(mu + 0.5 * sigma**2))


# -- Student t and Cauchy ------------------------------------------------------------------------
def _t_logp(z: Any, nu: Any, sigma: Any) -> Any:
    norm = gammaln(0.5 * (nu + 1)) - gammaln(0.5 * nu) - 0.5 * (jnp.log(nu) + _LOG_PI)
    return norm - jnp.log(sigma) - 0.5 * (nu + 1) * jnp.log1p(z**2 / nu)


class StudentT(Continuous):
    """StudentT(nu, mu, sigma); ``sd=`` and ``lam=`` (precision) accepted."""

    param_names = ("nu", "mu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("lam",)
    defaults = {"mu": 0.0, "sigma": 1.0}
    param_checks = {"nu": (positive, "positive"), "sigma": (positive, "positive")}
    support = "real"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "StudentT", "lam"))

    @classmethod
    def logp(cls, value: Any, nu: Any, mu: Any, sigma: Any) -> Any:
        return _t_logp((value - mu) / sigma, nu, sigma)

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
    support = "nonnegative"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(_from_precision(given, "HalfStudentT", "lam"))

    @classmethod
    def logp(cls, value: Any, nu: Any, sigma: Any) -> Any:
        return _LOG_2 + _t_logp(value / sigma, nu, sigma)

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
    support = "real"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, alpha: Any, beta: Any) -> Any:
        z = (value - alpha) / beta
        return -_LOG_PI - jnp.log(beta) - jnp.log1p(z**2)

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
    support = "nonnegative"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, beta: Any) -> Any:
        z = value / beta
        return _LOG_2 - _LOG_PI - jnp.log(beta) - jnp.log1p(z**2)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, beta: Any) -> Any:
        (beta,) = _bcast(shape, beta)
        return beta * jnp.abs(jax.random.cauchy(rng_key, shape))

    @classmethod
    def support_point(cls, shape: tuple, beta: Any) -> Any:
        return _full(shape, beta)


# -- positive continuous -----------------------------------------------------------------------
class Exponential(Continuous):
    """Exponential(lam) with rate ``lam``; ``scale=`` accepted (lam = 1/scale)."""

    param_names = ("lam",)
    alt_params = ("scale",)
    param_checks = {"lam": (positive, "positive")}
    support = "nonnegative"

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
    def sample(cls, rng_key: Any, shape: tuple, lam: Any) -> Any:
        (lam,) = _bcast(shape, lam)
        return jax.random.exponential(rng_key, shape) / lam

    @classmethod
    def support_point(cls, shape: tuple, lam: Any) -> Any:
        return _full(shape, 1.0 / lam)


def _mean_sd_params(name: str, given: dict, canonical: tuple[str, str]) -> tuple[Any, Any] | None:
    """Pop ``mu`` and ``sigma`` (both needed) of a mean/sd parametrisation, if given."""
    _exclusive(name, given, canonical, ("mu", "sigma"))
    if "mu" not in given and "sigma" not in given:
        return None
    if "mu" not in given or "sigma" not in given:
        raise ParameterError(f"{name}: the mean/sd parametrisation needs both 'mu' and 'sigma'")
    p = _floats({"mu": given.pop("mu"), "sigma": given.pop("sigma")})
    for k in ("mu", "sigma"):
        c = _constant(p[k])
        if c is not None and np.any(~(c > 0)):
            raise ParameterError(f"{name}: parameter '{k}' must be positive, got {np.ravel(c)[:5]}")
    return p["mu"], p["sigma"]


class Gamma(Continuous):
    """Gamma(alpha, beta) with shape alpha and rate beta; or ``mu``/``sigma`` (mean, sd)."""

    param_names = ("alpha", "beta")
    aliases = {"sd": "sigma"}
    alt_params = ("mu", "sigma")
    param_checks = {"alpha": (positive, "positive"), "beta": (positive, "positive")}
    support = "nonnegative"

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
    support = "positive"

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
    support = "nonnegative"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, nu: Any) -> Any:
        k = 0.5 * nu
        return -k * _LOG_2 - gammaln(k) + xlogy(k - 1, value) - 0.5 * value

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
    support = "nonnegative"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, alpha: Any, beta: Any) -> Any:
        z = value / beta
        return jnp.log(alpha) - jnp.log(beta) + xlogy(alpha - 1, z) - z**alpha

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, alpha: Any, beta: Any) -> Any:
        alpha, beta = _bcast(shape, alpha, beta)
        return jax.random.weibull_min(rng_key, beta, alpha, shape)

    @classmethod
    def support_point(cls, shape: tuple, alpha: Any, beta: Any) -> Any:
        return _full(shape, beta * jnp.exp(gammaln(1 + 1 / alpha)))


# -- bounded ---------------------------------------------------------------------------------
class Beta(Continuous):
    """Beta(alpha, beta); or ``mu``/``sigma`` (mean and sd), or ``mu``/``nu``, as PyMC."""

    param_names = ("alpha", "beta")
    aliases = {"sd": "sigma"}
    alt_params = ("mu", "sigma", "nu")
    param_checks = {"alpha": (positive, "positive"), "beta": (positive, "positive")}
    support = "unit"

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
    support = "interval"

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
    def sample(cls, rng_key: Any, shape: tuple, lower: Any, upper: Any) -> Any:
        lower, upper = _bcast(shape, lower, upper)
        return lower + (upper - lower) * jax.random.uniform(rng_key, shape)

    @classmethod
    def support_point(cls, shape: tuple, lower: Any, upper: Any) -> Any:
        return _full(shape, 0.5 * (lower + upper))


# -- real line ------------------------------------------------------------------------------------
class Laplace(Continuous):
    """Laplace(mu, b): location mu, scale b."""

    param_names = ("mu", "b")
    param_checks = {"b": (positive, "positive")}
    support = "real"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, mu: Any, b: Any) -> Any:
        return -_LOG_2 - jnp.log(b) - jnp.abs(value - mu) / b

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
    support = "real"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def logp(cls, value: Any, mu: Any, s: Any) -> Any:
        # Symmetric in z; written in |z| so that exp never overflows.
        az = jnp.abs((value - mu) / s)
        return -az - jnp.log(s) - 2 * jnp.log1p(jnp.exp(-az))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, s: Any) -> Any:
        mu, s = _bcast(shape, mu, s)
        return mu + s * jax.random.logistic(rng_key, shape)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, s: Any) -> Any:
        return _full(shape, jnp.broadcast_arrays(mu, s)[0])


class VonMises(Continuous):
    """VonMises(mu, kappa): a circular distribution, with values in [-pi, pi].

    The density is periodic; values are taken on [-pi, pi] (the two ends are the same
    angle), and the default transform is the interval (-pi, pi).
    """

    param_names = ("mu", "kappa")
    defaults = {"mu": 0.0, "kappa": 1.0}
    param_checks = {"kappa": (positive, "positive")}
    support = "interval"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        return _floats(given)

    @classmethod
    def bounds(cls, mu: Any, kappa: Any) -> tuple[Any, Any]:
        return -np.pi, np.pi

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

    def default_transform(self) -> tr.Transform | None:
        return tr.IntervalTransform(-np.pi, np.pi)


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
    support = "real"

    @classmethod
    def logp(cls, value: Any) -> Any:
        return jnp.zeros(jnp.shape(value))

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
    support = "nonnegative"

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
