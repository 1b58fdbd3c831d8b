"""Matrix-valued and structured Gaussians: Wishart, MatrixNormal, KroneckerNormal, CAR,
ICAR."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import multigammaln

from credo.distributions import constraints as C
from credo.distributions.base import Continuous, positive, unit
from credo.distributions.multivariate import MvNormal, _const_cholesky
from credo.errors import ParameterError, ShapeError
from credo.model import tensor as T

__all__ = ["Wishart", "WishartBartlett", "MatrixNormal", "KroneckerNormal", "CAR", "ICAR"]

_LOG_2PI = float(np.log(2 * np.pi))


def _is_node(x: Any) -> bool:
    return isinstance(x, T.TensorVariable)


def _tril_solve(L: Any, b: Any) -> Any:
    return jax.scipy.linalg.solve_triangular(L, b, lower=True)


def _logdet_chol(L: Any) -> Any:
    return jnp.sum(jnp.log(jnp.diagonal(L, axis1=-2, axis2=-1)), axis=-1)


def _chol_of(given: dict, names: tuple[str, str, str], who: str) -> Any:
    """Exactly one of (cov, chol, tau) names -> a lower Cholesky factor (node or array)."""
    cov_n, chol_n, tau_n = names
    found = [k for k in names if k in given]
    if len(found) != 1:
        raise ParameterError(f"{who}: give exactly one of {', '.join(map(repr, names))}")
    key = found[0]
    v = T.as_tensor(given.pop(key))
    if key == chol_n:
        return v
    if _is_node(v):
        fn = (
            jnp.linalg.cholesky
            if key == cov_n
            else (lambda t: jnp.linalg.cholesky(jnp.linalg.inv(t)))
        )
        return T.apply(fn, v, opname="cholesky")
    arr = np.asarray(v, float)
    if key == tau_n:
        arr = np.linalg.inv(arr)
        arr = 0.5 * (arr + np.swapaxes(arr, -1, -2))
    return _const_cholesky(arr, who, key)


class Wishart(Continuous):
    """Wishart(nu, V): p x p positive definite matrices; V the scale matrix.

    No default transform (as in PyMC: for a covariance prior, LKJCholeskyCov samples far
    better)."""

    param_names = ("nu", "V")
    param_ndims = {"nu": 0, "V": 2}
    param_checks = {"nu": (positive, "positive")}
    ndim_supp = 2
    support = C.unconstrained
    support_doc = "positive definite matrices"
    transform_doc = "none"

    @classmethod
    def event_shape(cls, shapes: dict, static: dict) -> tuple:
        v = shapes["V"]
        if len(v) < 2 or v[-1] != v[-2]:
            raise ShapeError(f"Wishart: V must be a square matrix (..., p, p), got shape {v}")
        return v[-2:]

    def default_transform(self) -> None:
        return None

    @classmethod
    def support_check(cls, value: Any, nu: Any, V: Any) -> Any:  # noqa: N803
        L = jnp.linalg.cholesky(value)
        sym = jnp.all(jnp.abs(value - jnp.swapaxes(value, -1, -2)) <= 1e-10, axis=(-2, -1))
        return sym & jnp.all(jnp.isfinite(L), axis=(-2, -1)) & (nu > V.shape[-1] - 1)

    @classmethod
    def logp(cls, value: Any, nu: Any, V: Any) -> Any:  # noqa: N803
        p = V.shape[-1]
        Lx = jnp.linalg.cholesky(value)
        Lv = jnp.linalg.cholesky(V)
        batch = jnp.broadcast_shapes(Lx.shape[:-2], Lv.shape[:-2])
        Lv_b = jnp.broadcast_to(Lv, batch + (p, p))
        # tr(V^-1 X) = |Lv^-1 Lx|_F^2.
        m = _tril_solve(Lv_b, jnp.broadcast_to(Lx, batch + (p, p)))
        trace = jnp.sum(m**2, axis=(-2, -1))
        return (
            (nu - p - 1) * _logdet_chol(Lx)
            - 0.5 * trace
            - 0.5 * nu * p * np.log(2.0)
            - nu * _logdet_chol(Lv)
            - multigammaln(0.5 * nu, p)
        )

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, nu: Any, V: Any) -> Any:  # noqa: N803
        # Bartlett: X = L A A^T L^T, A lower triangular, A_ii^2 ~ chi^2(nu - i), A_ij ~ N(0, 1).
        p = shape[-1]
        batch = shape[:-2]
        k1, k2 = jax.random.split(rng_key)
        df = jnp.broadcast_to(jnp.asarray(nu)[..., None] - np.arange(p), batch + (p,))
        diag = jnp.sqrt(2.0 * jax.random.gamma(k1, 0.5 * df, batch + (p,)))
        z = jnp.tril(jax.random.normal(k2, batch + (p, p)), k=-1)
        A = z + diag[..., None] * np.eye(p)
        LA = jnp.linalg.cholesky(V) @ A
        return LA @ jnp.swapaxes(LA, -1, -2)

    @classmethod
    def support_point(cls, shape: tuple, nu: Any, V: Any) -> Any:  # noqa: N803
        return jnp.broadcast_to(jnp.asarray(nu)[..., None, None] * V, shape)


class MatrixNormal(Continuous):
    """MatrixNormal(mu, rowcov=None, colcov=None, rowchol=None, colchol=None, rowtau=None,
    coltau=None): n x p matrices with vec(X) ~ Normal(vec(mu), colcov kron rowcov)."""

    param_names = ("mu", "rowchol", "colchol")
    positional = ("mu", "rowcov", "colcov")
    alt_params = ("rowcov", "colcov", "rowtau", "coltau")
    param_ndims = {"mu": 2, "rowchol": 2, "colchol": 2}
    ndim_supp = 2
    support = C.real_vector
    support_doc = "real matrices"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        given["rowchol"] = _chol_of(given, ("rowcov", "rowchol", "rowtau"), cls.__name__)
        given["colchol"] = _chol_of(given, ("colcov", "colchol", "coltau"), cls.__name__)
        return given

    @classmethod
    def event_shape(cls, shapes: dict, static: dict) -> tuple:
        n, p = shapes["rowchol"][-1], shapes["colchol"][-1]
        if shapes["mu"][-2:] != (n, p):
            raise ShapeError(
                f"MatrixNormal: mu has shape {shapes['mu']} but the covariances give ({n}, {p})"
            )
        return (n, p)

    @classmethod
    def support_check(cls, value: Any, **params: Any) -> Any:
        return jnp.all(jnp.isfinite(value), axis=(-2, -1))

    @classmethod
    def logp(cls, value: Any, mu: Any, rowchol: Any, colchol: Any) -> Any:
        n, p = rowchol.shape[-1], colchol.shape[-1]
        d = value - mu
        batch = jnp.broadcast_shapes(d.shape[:-2], rowchol.shape[:-2], colchol.shape[:-2])
        d = jnp.broadcast_to(d, batch + (n, p))
        lr = jnp.broadcast_to(jnp.tril(rowchol), batch + (n, n))
        lc = jnp.broadcast_to(jnp.tril(colchol), batch + (p, p))
        # Z = Lr^-1 D Lc^-T.
        z = _tril_solve(lr, d)
        z = jnp.swapaxes(_tril_solve(lc, jnp.swapaxes(z, -1, -2)), -1, -2)
        return (
            -0.5 * jnp.sum(z**2, axis=(-2, -1))
            - p * _logdet_chol(lr)
            - n * _logdet_chol(lc)
            - 0.5 * n * p * _LOG_2PI
        )

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, rowchol: Any, colchol: Any) -> Any:
        z = jax.random.normal(rng_key, shape)
        return mu + jnp.tril(rowchol) @ z @ jnp.swapaxes(jnp.tril(colchol), -1, -2)

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, **_: Any) -> Any:
        return jnp.broadcast_to(mu, shape).astype(float)


class KroneckerNormal(MvNormal):
    """KroneckerNormal(mu, covs=None, chols=None, evds=None, sigma=None): MvNormal whose
    covariance is kron(covs[0], covs[1], ...) (+ sigma^2 I); ``chols``: their Cholesky
    factors; ``evds``: (eigenvalues, eigenvectors) pairs."""

    positional = ("mu", "covs", "chols", "evds", "sigma")
    alt_params = ("covs", "chols", "evds", "sigma")
    transform_doc = "none"

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        found = [k for k in ("covs", "chols", "evds") if given.get(k) is not None]
        if len(found) != 1:
            raise ParameterError("KroneckerNormal: give exactly one of 'covs', 'chols', 'evds'")
        key = found[0]
        parts = list(given.pop(key))
        sigma = given.pop("sigma", None)

        def full(*mats: Any) -> Any:
            if key == "chols":
                mats = tuple(m @ jnp.swapaxes(m, -1, -2) for m in mats)
            elif key == "evds":
                mats = tuple(
                    (mats[i + 1] * mats[i][..., None, :]) @ jnp.swapaxes(mats[i + 1], -1, -2)
                    for i in range(0, len(mats), 2)
                )
            out = mats[0]
            for m in mats[1:]:
                out = jnp.kron(out, m)
            return out

        flat = [x for pair in parts for x in pair] if key == "evds" else parts
        if any(_is_node(x) for x in flat) or _is_node(sigma):
            args = [*flat] + ([sigma] if sigma is not None else [])

            def cov_fn(*xs: Any) -> Any:
                c = full(*xs[: len(flat)])
                if sigma is not None:
                    c = c + xs[-1] ** 2 * jnp.eye(c.shape[-1])
                return c

            given["cov"] = T.apply(cov_fn, *args, opname="kron_cov")
        else:
            c = np.asarray(full(*[np.asarray(x, float) for x in flat]))
            if sigma is not None:
                c = c + float(sigma) ** 2 * np.eye(c.shape[-1])
            given["cov"] = c
        return super().standardize(given, static)


def _adjacency(W: Any, who: str) -> np.ndarray:  # noqa: N803
    if _is_node(W):
        raise ParameterError(f"{who}: W must be a constant adjacency matrix")
    W = np.asarray(W, float)  # noqa: N806
    if W.ndim != 2 or W.shape[0] != W.shape[1] or not np.allclose(W, W.T):
        raise ParameterError(f"{who}: W must be a symmetric square matrix")
    return W


class CAR(Continuous):
    """CAR(mu, W, alpha, tau): conditional autoregression; precision tau (D - alpha W),
    D = diag of W's row sums; W a constant symmetric adjacency matrix."""

    param_names = ("mu", "W", "alpha", "tau")
    param_ndims = {"mu": 1, "W": 2, "alpha": 0, "tau": 0}
    param_checks = {"alpha": (unit, "in [0, 1]"), "tau": (positive, "positive")}
    ndim_supp = 1
    support = C.real_vector

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        given["W"] = _adjacency(given.get("W"), cls.__name__)
        return given

    @classmethod
    def event_shape(cls, shapes: dict, static: dict) -> tuple:
        return shapes["W"][-1:]

    @staticmethod
    def _prec_chol(W: Any, alpha: Any, tau: Any) -> Any:  # noqa: N803
        D = jnp.diag(jnp.sum(W, axis=-1))  # noqa: N806
        Q = jnp.asarray(tau)[..., None, None] * (D - jnp.asarray(alpha)[..., None, None] * W)  # noqa: N806
        return jnp.linalg.cholesky(Q)

    @classmethod
    def support_check(cls, value: Any, **params: Any) -> Any:
        return jnp.all(jnp.isfinite(value), axis=-1)

    @classmethod
    def logp(cls, value: Any, mu: Any, W: Any, alpha: Any, tau: Any) -> Any:  # noqa: N803
        L = cls._prec_chol(W, alpha, tau)
        d = value - mu
        # d^T Q d = |L^T d|^2.
        q = jnp.sum((jnp.swapaxes(L, -1, -2) @ d[..., None])[..., 0] ** 2, axis=-1)
        n = W.shape[-1]
        return _logdet_chol(L) - 0.5 * q - 0.5 * n * _LOG_2PI

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, mu: Any, W: Any, alpha: Any, tau: Any) -> Any:  # noqa: N803
        L = cls._prec_chol(W, alpha, tau)
        z = jax.random.normal(rng_key, shape)
        batch = jnp.broadcast_shapes(shape[:-1], L.shape[:-2])
        Lb = jnp.broadcast_to(L, batch + L.shape[-2:])  # noqa: N806
        x = jax.scipy.linalg.solve_triangular(
            jnp.swapaxes(Lb, -1, -2),
            jnp.broadcast_to(z, batch + shape[-1:])[..., None],
            lower=False,
        )[..., 0]
        return mu + x

    @classmethod
    def support_point(cls, shape: tuple, mu: Any, **_: Any) -> Any:
        return jnp.broadcast_to(mu, shape).astype(float)


class ICAR(Continuous):
    """ICAR(W, sigma=1, zero_sum_stdev=0.001): the intrinsic CAR (improper): the pairwise
    differences over the edges of W, -sum (x_i - x_j)^2 / (2 sigma^2), plus a soft
    sum-to-zero term -(sum x / (zero_sum_stdev N))^2 / 2 (PyMC's form). Cannot be drawn
    from."""

    param_names = ("W", "sigma")
    static_params = ("zero_sum_stdev",)
    param_ndims = {"W": 2, "sigma": 0}
    defaults = {"sigma": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    ndim_supp = 1
    support = C.real_vector

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        W = _adjacency(given.get("W"), cls.__name__)  # noqa: N806
        given["W"] = W
        static.setdefault("zero_sum_stdev", 0.001)
        return given

    @classmethod
    def event_shape(cls, shapes: dict, static: dict) -> tuple:
        return shapes["W"][-1:]

    @classmethod
    def support_check(cls, value: Any, **params: Any) -> Any:
        return jnp.all(jnp.isfinite(value), axis=-1)

    @classmethod
    def logp(cls, value: Any, W: Any, sigma: Any, zero_sum_stdev: float) -> Any:  # noqa: N803
        n = W.shape[-1]
        rows, cols = np.triu_indices(n, k=1)
        w = W[..., rows, cols]
        diff = value[..., rows] - value[..., cols]
        pair = -jnp.sum(w * diff**2, axis=-1) / (2 * sigma**2)
        zero = -0.5 * (jnp.sum(value, axis=-1) / (zero_sum_stdev * n)) ** 2
        return pair + zero

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, **_: Any) -> Any:
        raise NotImplementedError("ICAR is improper and cannot be drawn from")

    @classmethod
    def support_point(cls, shape: tuple, **_: Any) -> Any:
        return jnp.zeros(shape)


def WishartBartlett(  # noqa: N802 (PyMC's spelling)
    name: str,
    S: Any,  # noqa: N803
    nu: Any,
    is_cholesky: bool = False,
    return_cholesky: bool = False,
    initval: Any = None,
) -> T.TensorVariable:
    """A Wishart(nu, S) matrix by the Bartlett decomposition, as free variables that NUTS
    samples well: ``{name}_c`` ~ ChiSquared(nu - i) (the squared diagonal) and ``{name}_z``
    ~ Normal(0, 1) (the strict lower triangle); ``name`` is the Deterministic
    L A A^T L^T (or L A with ``return_cholesky``), L = cholesky(S) (or S itself with
    ``is_cholesky``)."""
    from credo.distributions.normal import Normal
    from credo.distributions.positive import ChiSquared
    from credo.model import Deterministic

    L = np.asarray(S, float) if is_cholesky else _const_cholesky(np.asarray(S, float), name, "S")  # noqa: N806
    p = L.shape[-1]
    rows, cols = np.tril_indices(p, k=-1)
    c = ChiSquared(f"{name}_c", np.asarray(nu, float) - np.arange(p), shape=p)
    z = Normal(f"{name}_z", 0.0, 1.0, shape=rows.size)

    def build(cv: Any, zv: Any) -> Any:
        A = jnp.zeros((p, p)).at[rows, cols].set(zv) + jnp.diag(jnp.sqrt(cv))  # noqa: N806
        LA = L @ A  # noqa: N806
        return LA if return_cholesky else LA @ LA.T

    return Deterministic(name, T.apply(build, c, z, opname="wishart_bartlett"))
