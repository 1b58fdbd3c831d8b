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

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import betaln, gammaln, xlogy

from credo import tensor as T
from credo.distributions import transforms as tr
from credo.distributions.base import Continuous, Discrete, nonnegative, positive
from credo.errors import ParameterError, ShapeError

__all__ = ["MvNormal", "MvStudentT", "Dirichlet", "Multinomial", "LKJCorr", "LKJCholeskyCov"]

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

    param_names = ("mu", "chol")
    positional = ("mu", "cov", "tau", "chol")
    alt_params = ("cov", "tau", "lower")
    param_ndims = {"mu": 1, "chol": 2}
    param_checks = {"chol": (_chol_ok, "a Cholesky factor with a positive diagonal")}
    ndim_supp = 1
    support = "real_vector"

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
    support = "real_vector"

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
    support = "simplex"

    # Values whose components sum to 1 within this tolerance are on the simplex.
    sum_tol = 1e-8

    @classmethod
    def event_shape(cls, shapes: dict[str, tuple[int, ...]], static: dict[str, Any]) -> tuple:
        return shapes["a"][-1:]

    @classmethod
    def support_check(cls, value: Any, a: Any) -> Any:
        ok = jnp.all(value >= 0, axis=-1)
        return ok & (jnp.abs(jnp.sum(value, axis=-1) - 1.0) <= cls.sum_tol)

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

    def default_transform(self) -> tr.Transform | None:
        return tr.simplex


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
    support = "multinomial"

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
        return jax.random.multinomial(rng_key, n, p, shape=shape[:-1]).astype(jnp.int64)

    @classmethod
    def support_point(cls, shape: tuple, n: Any, p: Any) -> Any:
        # floor(n p), with the remainder given to the most probable category: valid counts.
        p = jnp.broadcast_to(cls._normalise(p), shape)
        n = jnp.broadcast_to(n, shape[:-1])
        mode = jnp.floor(n[..., None] * p)
        rest = n - jnp.sum(mode, axis=-1)
        top = jax.nn.one_hot(jnp.argmax(p, axis=-1), shape[-1], dtype=mode.dtype)
        return (mode + rest[..., None] * top).astype(jnp.int64)


# -- LKJ ---------------------------------------------------------------------------------------
def _check_n(static: dict[str, Any], who: str) -> int:
    if "n" not in static:
        raise ParameterError(f"{who}: missing the matrix dimension 'n'")
    n = static["n"]
    if isinstance(n, T.TensorVariable) or not isinstance(n, int | np.integer) or n < 2:
        raise ParameterError(f"{who}: 'n' must be a Python int >= 2, got {n!r}")
    static["n"] = int(n)
    return int(n)


def lkj_log_normaliser(eta: Any, n: int) -> Any:
    """log of c_n(eta) = integral of det(C)^(eta - 1) over n x n correlation matrices.

    Lewandowski, Kurowicka and Joe (2009), eq. 16: with m = n - k for k = 1..n-1,
    c = prod_m [2^{(2 eta - 2 + m)} B(eta + (m - 1)/2, eta + (m - 1)/2)]^m. (Equivalently:
    the canonical partial correlations in column j are independent with density
    proportional to (1 - z^2)^(eta - 1 + (n - 2 - j)/2).)
    """
    total = jnp.zeros(jnp.shape(eta))
    for m in range(1, n):
        b = eta + 0.5 * (m - 1)
        total = total + m * ((2.0 * eta - 2.0 + m) * np.log(2.0) + betaln(b, b))
    return total


def _sample_corr_chol(rng_key: Any, eta: Any, n: int, batch: tuple[int, ...]) -> Any:
    """Cholesky factors of LKJ(eta) correlation matrices, shape batch + (n, n).

    The canonical partial correlations z_ij (i > j) are independent with density
    proportional to (1 - z^2)^(b_j - 1), b_j = eta + (n - 2 - j)/2 (see
    ``lkj_log_normaliser``): z = N / sqrt(N^2 + W) with N ~ Normal(0, 1) and
    W ~ chi^2(2 b_j), since then z^2 ~ Beta(1/2, b_j). W is drawn on the log scale so that
    small b stays exact.
    """
    _, cols = np.tril_indices(n, k=-1)
    m = cols.size
    b = jnp.broadcast_to(jnp.asarray(eta)[..., None] + 0.5 * (n - 2 - cols), batch + (m,))
    k_norm, k_chi = jax.random.split(rng_key)
    nrm = jax.random.normal(k_norm, batch + (m,))
    log_w = np.log(2.0) + jax.random.loggamma(k_chi, b)
    log_r2 = jnp.logaddexp(2.0 * jnp.log(jnp.abs(nrm)), log_w)  # log(N^2 + W)
    z = nrm * jnp.exp(-0.5 * log_r2)
    return tr.corr_chol_from_cpc(z, log_w - log_r2, n)[0]


def _unpack_upper_corr(value: Any, n: int) -> Any:
    iu = np.triu_indices(n, k=1)
    C = jnp.zeros(value.shape[:-1] + (n, n), value.dtype).at[..., iu[0], iu[1]].set(value)
    return C + _swap_last(C) + np.eye(n)


class LKJCorr(Continuous):
    """LKJCorr(n, eta): LKJ distribution on n x n correlation matrices, density
    c_n(eta)^-1 det(C)^(eta - 1) with respect to the off-diagonal entries.

    As in PyMC 5, the value is the packed upper triangle without the diagonal (row-major
    ``np.triu_indices(n, k=1)``), shape (..., n(n-1)/2). ``n`` is a Python int.
    """

    param_names = ("eta",)
    positional = ("n", "eta")
    static_params = ("n",)
    param_checks = {"eta": (positive, "positive")}
    ndim_supp = 1
    support = "correlation"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        _check_n(static, cls.__name__)
        return given

    @classmethod
    def event_shape(cls, shapes: dict[str, tuple[int, ...]], static: dict[str, Any]) -> tuple:
        n = static["n"]
        return (n * (n - 1) // 2,)

    @classmethod
    def support_check(cls, value: Any, eta: Any, n: int) -> Any:
        L = jnp.linalg.cholesky(_unpack_upper_corr(value, n))
        in_box = jnp.all(jnp.abs(value) <= 1.0, axis=-1)
        d = jnp.diagonal(L, axis1=-2, axis2=-1)
        return in_box & jnp.all(jnp.isfinite(L), axis=(-2, -1)) & jnp.all(d > 0, axis=-1)

    @classmethod
    def logp(cls, value: Any, eta: Any, n: int) -> Any:
        L = jnp.linalg.cholesky(_unpack_upper_corr(jnp.asarray(value, float), n))
        logdet = 2.0 * jnp.sum(jnp.log(jnp.diagonal(L, axis1=-2, axis2=-1)), axis=-1)
        return (eta - 1.0) * logdet - lkj_log_normaliser(eta, n)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, eta: Any, n: int) -> Any:
        L = _sample_corr_chol(rng_key, eta, n, shape[:-1])
        C = L @ _swap_last(L)
        iu = np.triu_indices(n, k=1)
        return C[..., iu[0], iu[1]]

    @classmethod
    def support_point(cls, shape: tuple, eta: Any, n: int) -> Any:
        return jnp.zeros(shape)

    def default_transform(self) -> tr.Transform | None:
        return tr.LKJCorrTransform(self.static["n"])


def _sd_dist_params(sd_dist: Any, n: int, who: str) -> Any:
    """sd_dist's parameters, each broadcast to (..., n), stacked to (..., n_params, n).

    They become one parameter of the LKJCholeskyCov node, so parameters that are model
    variables are evaluated in the model graph like any other input.
    """
    if not (_is_node(sd_dist) and sd_dist.kind == T.RV and sd_dist.distribution is not None):
        raise ParameterError(
            f"{who}: 'sd_dist' must be an unnamed distribution such as "
            f"pm.Exponential.dist(1.0), got {sd_dist!r}"
        )
    if sd_dist.model is not None:
        raise ParameterError(
            f"{who}: 'sd_dist' must be unregistered: use {type(sd_dist.distribution).__name__}"
            ".dist(...) rather than a named variable"
        )
    dist = sd_dist.distribution
    if dist.ndim_supp != 0:
        raise ParameterError(f"{who}: 'sd_dist' must be a univariate distribution")
    if sd_dist.shape not in ((), (1,)) and sd_dist.shape[-1:] != (n,):
        raise ShapeError(
            f"{who}: 'sd_dist' has shape {sd_dist.shape}; it must be a scalar or end with n = {n}"
        )
    values = list(dist.params.values())
    shapes = [tuple(v.shape) if _is_node(v) else np.shape(v) for v in values]
    try:
        batch = np.broadcast_shapes(sd_dist.shape[:-1], *[s[:-1] for s in shapes if s])
    except ValueError:
        raise ShapeError(f"{who}: the parameters of 'sd_dist' do not broadcast") from None
    target = tuple(batch) + (n,)

    def stack(*vs: Any) -> Any:
        parts = [jnp.broadcast_to(jnp.asarray(v, float), target) for v in vs]
        return jnp.stack(parts, axis=-2) if parts else jnp.zeros(target[:-1] + (0, n))

    if any(_is_node(v) for v in values):
        return T.apply(stack, *values, opname="sd_dist_params")
    return np.asarray(stack(*values))


def _sd_logp(sd_dist: Any, stds: Any, sd_params: Any) -> Any:
    dist = sd_dist.distribution
    params = {k: sd_params[..., i, :] for i, k in enumerate(dist.params)}
    return dist.checked_logp(stds, params)


class LKJCholeskyCov(Continuous):
    """LKJCholeskyCov(name, eta, n, sd_dist, compute_corr=False, store_in_trace=True).

    The Cholesky factor L of a covariance matrix diag(s) C diag(s), with C ~ LKJ(eta) and
    s_i ~ sd_dist independently (``sd_dist`` an unnamed ``.dist()``, scalar or length n).
    The value is L's lower triangle packed row-major, shape (..., n(n+1)/2), as in
    PyMC 3; ``compute_corr=True`` returns ``(chol, corr, stds)`` instead and, with
    ``store_in_trace``, records ``{name}_corr`` and ``{name}_stds`` as Deterministics.
    """

    param_names = ("eta", "sd_params")
    positional = ("eta", "n", "sd_dist")
    static_params = ("n", "sd_dist")
    param_ndims = {"eta": 0, "sd_params": 2}
    param_checks = {"eta": (positive, "positive")}
    ndim_supp = 1
    support = "cholesky_cov"

    def __new__(  # type: ignore[misc]
        cls,
        name: str,
        *args: Any,
        compute_corr: bool = False,
        store_in_trace: bool = True,
        **kwargs: Any,
    ) -> Any:
        packed = super().__new__(cls, name, *args, **kwargs)
        if not compute_corr:
            # `chol, corr, stds = LKJCholeskyCov(...)` would unpack the packed vector.
            packed.iter_error = (
                f"LKJCholeskyCov('{name}') returns the packed Cholesky factor (one vector); "
                "to get (chol, corr, stds) pass compute_corr=True"
            )
            return packed
        chol, corr, stds = _chol_corr_stds(packed)
        if store_in_trace:
            from credo.model import Deterministic

            corr = Deterministic(f"{name}_corr", corr)
            stds = Deterministic(f"{name}_stds", stds)
        return chol, corr, stds

    @classmethod
    def dist(cls, *args: Any, compute_corr: bool = False, **kwargs: Any) -> Any:
        packed = super().dist(*args, **kwargs)
        return _chol_corr_stds(packed) if compute_corr else packed

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        who = cls.__name__
        n = _check_n(static, who)
        if "sd_dist" not in static:
            raise ParameterError(f"{who}: missing 'sd_dist', e.g. sd_dist=pm.Exponential.dist(1)")
        if "sd_params" in given:
            raise ParameterError(f"{who}: unknown keyword argument 'sd_params'")
        given["sd_params"] = _sd_dist_params(static["sd_dist"], n, who)
        return given

    @classmethod
    def event_shape(cls, shapes: dict[str, tuple[int, ...]], static: dict[str, Any]) -> tuple:
        n = static["n"]
        return (n * (n + 1) // 2,)

    @staticmethod
    def _unpack(value: Any, n: int) -> Any:
        rows, cols = np.tril_indices(n)
        return jnp.zeros(value.shape[:-1] + (n, n), value.dtype).at[..., rows, cols].set(value)

    @classmethod
    def support_check(cls, value: Any, eta: Any, sd_params: Any, n: int, sd_dist: Any) -> Any:
        diag = value[..., np.cumsum(np.arange(1, n + 1)) - 1]
        return jnp.all(jnp.isfinite(value), axis=-1) & jnp.all(diag > 0, axis=-1)

    @classmethod
    def logp(cls, value: Any, eta: Any, sd_params: Any, n: int, sd_dist: Any) -> Any:
        # Density of the packed entries of L (row i: L_i0..L_ii, 0-based), derived from
        #   s_i = |L_i.| (the stds) and w = the strictly lower entries of the correlation
        #   factor L_corr = diag(1/s) L, whose rows have unit norm:
        # 1. p(w) = p_LKJ(C(w)) |dC/dw| = c_n(eta)^-1 prod_i Lcorr_ii^(2 (eta - 1) + n - 1 - i)
        #    (|dC/dw| = prod_i Lcorr_ii^(n - 1 - i): see transforms.LKJCorrTransform);
        #    this is Stan's lkj_corr_cholesky density.
        # 2. Row i of L is s_i times a point of the unit sphere in R^(i+1) (upper
        #    hemisphere), charted by its first i coordinates: dL_i. = s_i^i / Lcorr_ii ds_i dw_i.
        # So log p(L) = sum_i log p_sd(s_i) + log p(w) - sum_i (i log s_i - log Lcorr_ii).
        value = jnp.asarray(value, float)
        L = cls._unpack(value, n)
        log_diag = jnp.log(jnp.diagonal(L, axis1=-2, axis2=-1))
        log_s = 0.5 * jnp.log(jnp.sum(L**2, axis=-1))
        log_corr_diag = log_diag - log_s
        i = np.arange(n)
        eta_b = jnp.asarray(eta)[..., None]
        lp_w = jnp.sum((2.0 * (eta_b - 1.0) + (n - 1 - i)) * log_corr_diag, axis=-1)
        lp_w = lp_w - lkj_log_normaliser(eta, n)
        lp_sd = jnp.sum(_sd_logp(sd_dist, jnp.exp(log_s), sd_params), axis=-1)
        log_jac = jnp.sum(i * log_s - log_corr_diag, axis=-1)
        return lp_sd + lp_w - log_jac

    @classmethod
    def sample(
        cls, rng_key: Any, shape: tuple, eta: Any, sd_params: Any, n: int, sd_dist: Any
    ) -> Any:
        k_sd, k_corr = jax.random.split(rng_key)
        batch = tuple(shape[:-1])
        dist = sd_dist.distribution
        params = {k: sd_params[..., i, :] for i, k in enumerate(dist.params)}
        stds = dist.draw(k_sd, batch + (n,), params)
        L = _sample_corr_chol(k_corr, eta, n, batch) * stds[..., None]
        rows, cols = np.tril_indices(n)
        return L[..., rows, cols]

    @classmethod
    def support_point(cls, shape: tuple, eta: Any, sd_params: Any, n: int, sd_dist: Any) -> Any:
        dist = sd_dist.distribution
        params = {k: sd_params[..., i, :] for i, k in enumerate(dist.params)}
        batch = tuple(shape[:-1])
        stds = type(dist).support_point(batch + (n,), **params, **dist.static)
        diag = np.cumsum(np.arange(1, n + 1)) - 1
        return jnp.zeros(shape).at[..., diag].set(stds)

    def default_transform(self) -> tr.Transform | None:
        return tr.CholeskyCovPackedTransform(self.static["n"])


def _chol_corr_stds(packed: Any) -> tuple[Any, Any, Any]:
    """(chol (n, n), corr, stds) nodes of a packed LKJCholeskyCov variable."""
    from credo.math import expand_packed_triangular

    n = packed.distribution.static["n"]
    chol = expand_packed_triangular(n, packed, lower=True)

    def corr_and_stds(L: Any) -> Any:
        cov = L @ _swap_last(L)
        stds = jnp.sqrt(jnp.diagonal(cov, axis1=-2, axis2=-1))
        return cov / (stds[..., :, None] * stds[..., None, :])

    corr = T.apply(corr_and_stds, chol, opname="corr")
    stds = T.apply(lambda L: jnp.sqrt(jnp.sum(L**2, axis=-1)), chol, opname="stds")
    return chol, corr, stds
