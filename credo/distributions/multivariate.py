"""Multivariate distributions. Log-densities match ``scipy.stats`` where it has them.

Shapes: a value is ``batch + event``; ``logp`` returns the batch shape. Parameters carry
their event dims last (``param_ndims``), e.g. MvNormal's ``mu`` (..., k) and ``chol``
(..., k, k); the batch shapes of the parameters broadcast.

Packed layouts (PyMC's):
    LKJCorr            the upper triangle of the correlation matrix without the diagonal,
                       row-major (``np.triu_indices(n, k=1)``), length n(n-1)/2.
    LKJCholeskyCov     the lower triangle of the covariance's Cholesky factor, row-major
                       (``np.tril_indices(n)``), length n(n+1)/2; unpack it with
                       ``credo.expand_packed_triangular(n, packed, lower=True)``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammaln, xlogy

from credo import tensor as T
from credo.distributions import constraints as C
from credo.distributions.base import Continuous, Discrete, nonnegative, positive
from credo.errors import ParameterError, ShapeError

__all__ = [
    "MvNormal",
    "MvStudentT",
    "Dirichlet",
    "Multinomial",
    "LKJCorr",
    "LKJCholeskyCov",
]

_LOG_2PI = float(np.log(2 * np.pi))


# -- covariance parametrisations ---------------------------------------------------------------
_is_node = T.is_node


def _swap_last(x: Any) -> Any:
    return jnp.swapaxes(x, -1, -2)


def _check_square(x: Any, who: str, pname: str) -> None:
    shp = tuple(x.shape) if _is_node(x) else np.shape(x)
    if len(shp) < 2 or shp[-1] != shp[-2]:
        raise ShapeError(f"{who}: '{pname}' must be a square matrix (..., k, k), got shape {shp}")


def _const_cholesky(a: np.ndarray, who: str, pname: str) -> np.ndarray:
    if not np.allclose(a, np.swapaxes(a, -1, -2), rtol=1e-10, atol=1e-12):
        raise ParameterError(f"{who}: parameter '{pname}' must be symmetric")
    try:
        return np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        raise ParameterError(f"{who}: parameter '{pname}' must be positive definite") from None


def _chol_from_given(given: dict[str, Any], who: str, cov_name: str = "cov") -> Any:
    """Pop exactly one of ``cov_name``/tau/chol (and ``lower``) -> lower Cholesky factor."""
    lower = given.pop("lower", True)
    found = [k for k in (cov_name, "tau", "chol") if k in given]
    if len(found) != 1:
        raise ParameterError(
            f"{who}: give exactly one of '{cov_name}', 'tau' or 'chol'; got {found or 'none'}"
        )
    key = found[0]
    value = T.as_tensor(given.pop(key))
    _check_square(value, who, key)
    if key == "chol":
        if _is_node(value):
            return value if lower else T.apply(_swap_last, value, opname="transpose")
        chol = np.asarray(value, dtype=float)
        return chol if lower else np.swapaxes(chol, -1, -2)
    if _is_node(value):
        if key == "tau":
            return T.apply(
                lambda t: jnp.linalg.cholesky(jnp.linalg.inv(t)), value, opname="chol_of_inv"
            )
        return T.apply(jnp.linalg.cholesky, value, opname="cholesky")
    arr = np.asarray(value, dtype=float)
    if key == "tau":
        _const_cholesky(arr, who, "tau")
        arr = np.linalg.inv(arr)
        arr = 0.5 * (arr + np.swapaxes(arr, -1, -2))
    return _const_cholesky(arr, who, key)


def _broadcast_mu(mu: Any, k: int) -> Any:
    """A scalar mean is broadcast to the event length (PyMC does the same)."""
    mu = T.as_tensor(mu)
    if len(mu.shape if _is_node(mu) else np.shape(mu)) > 0:
        return mu
    if _is_node(mu):
        return T.apply(lambda m: jnp.broadcast_to(m, (k,)), mu, opname="broadcast")
    return np.broadcast_to(np.asarray(mu, dtype=float), (k,))


def _size_of(x: Any) -> int:
    return int((x.shape if _is_node(x) else np.shape(x))[-1])


def _chol_ok(chol: Any) -> Any:
    """Elementwise: finite, and the column's diagonal entry positive."""
    xp = np if isinstance(chol, np.ndarray) else jnp
    d = xp.diagonal(chol, axis1=-2, axis2=-1)
    return xp.isfinite(chol) & (d[..., None, :] > 0)


def _mv_event_shape(who: str, shapes: dict[str, tuple[int, ...]]) -> tuple[int, ...]:
    k = shapes["chol"][-1]
    mu = shapes["mu"]
    if mu and mu[-1] != k:
        raise ShapeError(
            f"{who}: mu has length {mu[-1]} along its last axis but the covariance is {k} x {k}"
        )
    return (k,)


def _whiten(value: Any, mu: Any, chol: Any) -> tuple[Any, Any]:
    """z = L^{-1} (value - mu) over the broadcast batch, and sum(log diag L)."""
    diff = jnp.asarray(value) - mu
    L = jnp.tril(jnp.asarray(chol))
    batch = jnp.broadcast_shapes(diff.shape[:-1], L.shape[:-2])
    k = L.shape[-1]
    diff = jnp.broadcast_to(diff, batch + (k,))
    L = jnp.broadcast_to(L, batch + (k, k))
    z = jax.scipy.linalg.solve_triangular(L, diff[..., None], lower=True)[..., 0]
    logdet = jnp.sum(jnp.log(jnp.diagonal(L, axis1=-2, axis2=-1)), axis=-1)
    return z, logdet


class MvNormal(Continuous):
    """MvNormal(mu, cov=None, tau=None, chol=None, lower=True): exactly one of
    ``cov`` (covariance), ``tau`` (precision) or ``chol`` (lower Cholesky factor of the
    covariance; only its lower triangle is read). ``mu``: (..., k); the value: (..., k).
    """

    param_names: ClassVar[tuple[str, ...]] = ("mu", "chol")
    positional: ClassVar[tuple[str, ...] | None] = ("mu", "cov", "tau", "chol")
    alt_params: ClassVar[tuple[str, ...]] = ("cov", "tau", "lower")
    param_ndims = {"mu": 1, "chol": 2}
    param_checks = {"chol": (_chol_ok, "a Cholesky factor with a positive diagonal")}
    ndim_supp = 1
    support = C.real_vector

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        chol = _chol_from_given(given, cls.__name__)
        if "mu" in given:
            given["mu"] = _broadcast_mu(given["mu"], _size_of(chol))
        given["chol"] = chol
        return given

    @classmethod
    def event_shape(cls, shapes: dict[str, tuple[int, ...]], static: dict[str, Any]) -> tuple:
        return _mv_event_shape(cls.__name__, shapes)

    @classmethod
    def support_check(cls, value: Any, **params: Any) -> Any:
        return jnp.all(jnp.isfinite(value), axis=-1)

    @classmethod
    def logp(cls, value: Any, mu: Any, chol: Any) -> Any:
        z, logdet = _whiten(value, mu, chol)
        k = z.shape[-1]
        return -0.5 * jnp.sum(z**2, axis=-1) - logdet - 0.5 * k * _LOG_2PI

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, chol: Any) -> Any:
        eps = jax.random.normal(rng_key, shape)
        return mu + jnp.matmul(jnp.tril(chol), eps[..., None])[..., 0]

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, chol: Any) -> Any:
        return jnp.broadcast_to(mu, shape).astype(float)


class MvStudentT(Continuous):
    """MvStudentT(nu, mu, scale=None, tau=None, chol=None, lower=True): ``scale`` (or
    PyMC 3's ``cov``) is the scale matrix, ``tau`` its inverse, ``chol`` its lower
    Cholesky factor. ``mu``: (..., k); the value: (..., k).
    """

    param_names = ("nu", "mu", "chol")
    positional = ("nu", "mu", "scale", "tau", "chol")
    aliases = {"cov": "scale", "Sigma": "scale"}
    alt_params = ("scale", "tau", "lower")
    param_ndims = {"nu": 0, "mu": 1, "chol": 2}
    param_checks = {
        "nu": (positive, "positive"),
        "chol": (_chol_ok, "a Cholesky factor with a positive diagonal"),
    }
    ndim_supp = 1
    support = C.real_vector

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        chol = _chol_from_given(given, cls.__name__, cov_name="scale")
        if "mu" in given:
            given["mu"] = _broadcast_mu(given["mu"], _size_of(chol))
        given["chol"] = chol
        return given

    @classmethod
    def event_shape(cls, shapes: dict[str, tuple[int, ...]], static: dict[str, Any]) -> tuple:
        return _mv_event_shape(cls.__name__, shapes)

    @classmethod
    def support_check(cls, value: Any, **params: Any) -> Any:
        return jnp.all(jnp.isfinite(value), axis=-1)

    @classmethod
    def logp(cls, value: Any, nu: Any, mu: Any, chol: Any) -> Any:
        z, logdet = _whiten(value, mu, chol)
        k = z.shape[-1]
        maha = jnp.sum(z**2, axis=-1)
        return (
            gammaln(0.5 * (nu + k))
            - gammaln(0.5 * nu)
            - 0.5 * k * jnp.log(nu * np.pi)
            - logdet
            - 0.5 * (nu + k) * jnp.log1p(maha / nu)
        )

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, nu: Any, mu: Any, chol: Any) -> Any:
        k_norm, k_chi = jax.random.split(rng_key)
        eps = jax.random.normal(k_norm, shape)
        # chi^2_nu / nu = Gamma(nu / 2, rate nu / 2).
        w = jax.random.gamma(k_chi, jnp.broadcast_to(0.5 * nu, shape[:-1])) / (0.5 * nu)
        return mu + jnp.matmul(jnp.tril(chol), eps[..., None])[..., 0] / jnp.sqrt(w)[..., None]

    @classmethod
    def support_point(cls, shape: tuple, nu: Any, mu: Any, chol: Any) -> Any:
        return jnp.broadcast_to(mu, shape).astype(float)


class Dirichlet(Continuous):
    """Dirichlet(a) on the simplex along the last axis; ``a``: (..., k), positive."""

    param_names = ("a",)
    param_ndims = {"a": 1}
    param_checks = {"a": (positive, "positive")}
    ndim_supp = 1
    support = C.simplex

    @classmethod
    def event_shape(cls, shapes: dict[str, tuple[int, ...]], static: dict[str, Any]) -> tuple:
        return shapes["a"][-1:]

    @classmethod
    def support_check(cls, value: Any, a: Any) -> Any:
        ok = jnp.all(value >= 0, axis=-1)
        return ok & (
            jnp.abs(jnp.sum(value, axis=-1) - 1.0) <= C.sum_tolerance(value, value.shape[-1])
        )

    @classmethod
    def logp(cls, value: Any, a: Any) -> Any:
        norm = gammaln(jnp.sum(a, axis=-1)) - jnp.sum(gammaln(a), axis=-1)
        return norm + jnp.sum(xlogy(a - 1.0, value), axis=-1)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, a: Any) -> Any:
        return jax.random.dirichlet(rng_key, jnp.broadcast_to(a, shape), shape[:-1])

    @classmethod
    def support_point(cls, shape: tuple, a: Any) -> Any:
        return jnp.broadcast_to(a / jnp.sum(a, axis=-1, keepdims=True), shape).astype(float)


class Multinomial(Discrete):
    """Multinomial(n, p): counts over k categories summing to ``n``; ``p``: (..., k),
    non-negative, rescaled to sum to one along the last axis (as PyMC does)."""

    param_names = ("n", "p")
    param_ndims = {"n": 0, "p": 1}
    param_checks = {
        "n": (nonnegative, "a non-negative integer"),
        "p": (nonnegative, "non-negative"),
    }
    ndim_supp = 1
    support = C.multinomial

    @classmethod
    def event_shape(cls, shapes: dict[str, tuple[int, ...]], static: dict[str, Any]) -> tuple:
        return shapes["p"][-1:]

    @staticmethod
    def _normalise(p: Any) -> Any:
        return p / jnp.sum(p, axis=-1, keepdims=True)

    @classmethod
    def support_check(cls, value: Any, n: Any, p: Any) -> Any:
        counts = (value >= 0) & (value == jnp.floor(value))
        return jnp.all(counts, axis=-1) & (jnp.sum(value, axis=-1) == n)

    @classmethod
    def logp(cls, value: Any, n: Any, p: Any) -> Any:
        p = cls._normalise(p)
        terms = xlogy(value, p) - gammaln(value + 1.0)
        return gammaln(n + 1.0) + jnp.sum(terms, axis=-1)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, n: Any, p: Any) -> Any:
        p = jnp.broadcast_to(cls._normalise(p), shape)
        n = jnp.broadcast_to(n, shape[:-1]).astype(float)
        return jax.random.multinomial(rng_key, n, p, shape=shape[:-1]).astype(int)

    @classmethod
    def support_point(cls, shape: tuple, n: Any, p: Any) -> Any:
        # floor(n p), with the remainder given to the most probable category: valid counts.
        p = jnp.broadcast_to(cls._normalise(p), shape)
        n = jnp.broadcast_to(n, shape[:-1])
        mode = jnp.floor(n[..., None] * p)
        rest = n - jnp.sum(mode, axis=-1)
        top = jax.nn.one_hot(jnp.argmax(p, axis=-1), shape[-1], dtype=mode.dtype)
        return (mode + rest[..., None] * top).astype(int)


# LKJCorr and LKJCholeskyCov live in lkj.py; re-exported here for old imports.
from credo.distributions.lkj import (  # noqa: E402
    LKJCholeskyCov,
    LKJCorr,
    lkj_log_normaliser,  # noqa: F401 (kept importable from here)
)
