"""LKJ distributions: LKJCorr (packed correlation matrices) and LKJCholeskyCov (packed
Cholesky factors of covariances, with ``sd_dist``).

Packed layouts (PyMC's):
    LKJCorr            the upper triangle of the correlation matrix without the diagonal,
                       row-major (``np.triu_indices(n, k=1)``), length n(n-1)/2.
    LKJCholeskyCov     the lower triangle of the covariance's Cholesky factor, row-major
                       (``np.tril_indices(n)``), length n(n+1)/2.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import betaln

from credo import tensor as T
from credo.distributions import constraints as C
from credo.distributions import transforms as tr
from credo.distributions.base import Continuous, positive
from credo.errors import ParameterError, ShapeError

__all__ = ["LKJCorr", "LKJCholeskyCov", "lkj_log_normaliser"]


def _is_node(x: Any) -> bool:
    return isinstance(x, T.TensorVariable)


def _swap_last(x: Any) -> Any:
    return jnp.swapaxes(x, -1, -2)


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
    support = C.corr_packed

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
    support = C.cholesky_cov_packed

    def __new__(
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
