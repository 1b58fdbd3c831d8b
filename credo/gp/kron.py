"""GPs on a grid with a Kronecker-structured covariance: LatentKron and MarginalKron.

The inputs are the cartesian product of the grids Xs = [X_1 (n_1, d_1), X_2, ...] (the last
grid varying fastest), so the covariance is kron(K_1(X_1), K_2(X_2), ...) of size
N = prod n_i. Only the factors are factorised (Cholesky for LatentKron, eigendecompositions
for MarginalKron, Saatci 2012); the N x N product is never formed on the grid.
"""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np

from credo.distributions import constraints as C
from credo.distributions.base import Continuous
from credo.errors import ShapeError
from credo.gp.cov import BaseCovariance, Constant, Kron, as_input
from credo.gp.gp import Base, mvnormal_from, split_mean_cov
from credo.gp.mean import Mean
from credo.gp.util import (
    JITTER_DEFAULT,
    cartesian,
    cholesky,
    kron_diag,
    kron_dot,
    replace_with_values,
    stabilize,
)
from credo.model import tensor as T

__all__ = ["LatentKron", "MarginalKron"]

_LOG_2PI = float(np.log(2.0 * np.pi))


def _kron_solve_lower(chols: list[Any], b: Any) -> Any:
    """kron(chols)^-1 b for lower-triangular factors: the inverse of a Kronecker product is
    the product of the inverses, applied factor by factor."""
    invs = [jax.scipy.linalg.solve_triangular(L, jnp.eye(L.shape[0]), lower=True) for L in chols]
    return kron_dot(invs, b)


def _factor_list(cov_funcs: Any) -> list[Any]:
    try:
        funcs = list(cov_funcs)
    except TypeError:
        funcs = [cov_funcs]
    if not funcs or not all(isinstance(f, BaseCovariance) for f in funcs):
        raise TypeError("cov_funcs must be a list of pm.gp.cov covariance functions")
    return funcs


def _grids(Xs: Any, n_funcs: int, who: str) -> list[Any]:
    if not isinstance(Xs, list | tuple):
        raise TypeError(f"{who}: Xs must be a list of input arrays, one per covariance function")
    if len(Xs) != n_funcs:
        raise ValueError(f"{who}: Must provide a covariance function for each X")
    return [as_input(X, who, f"Xs[{i}]") for i, X in enumerate(Xs)]


def _n_rows(X: Any) -> int:
    return int((X.shape if T.is_node(X) else np.shape(X))[0])


class _KronBase(Base):
    def __init__(self, *, mean_func: Mean | None = None, cov_funcs: Any = None) -> None:
        self.cov_funcs: list[Any] = _factor_list(Constant(0.0) if cov_funcs is None else cov_funcs)
        kron = (
            Kron(self.cov_funcs) if all(hasattr(f, "input_dim") for f in self.cov_funcs) else None
        )
        super().__init__(mean_func=mean_func, cov_func=kron or self.cov_funcs[0])
        self.Xs: Any = None

    def __add__(self, other: Any) -> Any:
        raise TypeError("Additive, Kronecker-structured processes not implemented")

    def _cartesian(self, Xs: list[Any]) -> np.ndarray:
        if any(T.is_node(X) for X in Xs):
            raise TypeError("the grids Xs of a Kronecker GP must be constant arrays")
        return cartesian(*Xs)


class LatentKron(_KronBase):
    """A latent GP on a grid: ``f = gp.prior("f", Xs=[X1, X2])`` is
    ``mean + kron(L_1, L_2) @ <name>_rotated_`` with L_i the factors' Cholesky factors."""

    def prior(
        self, name: str, Xs: Any, jitter: float = JITTER_DEFAULT, **kwargs: Any
    ) -> T.TensorVariable:
        """The GP's values (N,) on the grid, in ``cartesian(*Xs)`` order."""
        from credo.distributions.normal import Normal
        from credo.model import Deterministic

        grids = _grids(Xs, len(self.cov_funcs), f"LatentKron.prior('{name}')")
        X = self._cartesian(grids)
        N = X.shape[0]
        covs = [stabilize(f(x), jitter) for f, x in zip(self.cov_funcs, grids)]
        v = Normal(name + "_rotated_", mu=0.0, sigma=1.0, size=N, **kwargs)

        def fn(m: Any, z: Any, *ks: Any) -> Any:
            return m + kron_dot([cholesky(k) for k in ks], z)

        f = Deterministic(
            name,
            T.apply(fn, self.mean_func(X), v, *covs, opname="kron_gp"),
            dims=kwargs.get("dims"),
        )
        self.Xs, self.X, self.f = grids, X, f
        return f

    def conditional(
        self, name: str, Xnew: Any, jitter: float = JITTER_DEFAULT, **kwargs: Any
    ) -> T.TensorVariable:
        """f(Xnew) given f on the grid; Xnew (m, sum d_i) holds full input points."""
        Xs = self._require("Xs", "conditional", "prior(name, Xs)")
        Xnew = as_input(Xnew, f"LatentKron.conditional('{name}')", "Xnew")
        X = self.X
        covs = [stabilize(f(x), jitter) for f, x in zip(self.cov_funcs, Xs)]
        p = len(covs)

        def fn(f: Any, mx: Any, ms: Any, kxs: Any, kss: Any, *ks: Any) -> Any:
            chols = [cholesky(k) for k in ks[:p]]
            alpha = _kron_solve_lower(chols, f - mx)
            A = _kron_solve_lower(chols, kxs)
            mu = ms + A.T @ alpha
            cov = kss - A.T @ A + jitter * jnp.eye(kss.shape[0])
            return jnp.concatenate([mu[:, None], cov], axis=1)

        mc = T.apply(
            fn,
            self.f,
            self.mean_func(X),
            self.mean_func(Xnew),
            self.cov_func(X, Xnew),
            self.cov_func(Xnew),
            *covs,
            opname="kron_conditional",
        )
        mu, cov = split_mean_cov(mc)
        return mvnormal_from(name, mu, cov, **kwargs)


@cache
def _kron_normal_class(p: int) -> type:
    """MvNormal with covariance kron(K_1, ..., K_p) + sigma^2 I, by the factors'
    eigendecompositions: log-density and draws in O(sum n_i^3 + N sum n_i)."""
    names = tuple(f"K{i}" for i in range(p))

    def _eig(ks: tuple[Any, ...], sigma: Any) -> tuple[list[Any], Any]:
        eigs, Qs = zip(*[jnp.linalg.eigh(k) for k in ks])
        lam = kron_diag(*eigs) + jnp.square(jnp.reshape(sigma, ()))
        return list(Qs), lam

    class KronEigNormal(Continuous):
        param_names: ClassVar[tuple[str, ...]] = ("mu", "sigma", *names)
        param_ndims: ClassVar[dict[str, int]] = {"mu": 1, "sigma": 0, **{k: 2 for k in names}}
        ndim_supp = 1
        support = C.real_vector

        @classmethod
        def event_shape(cls, shapes: dict[str, tuple[int, ...]], static: dict[str, Any]) -> tuple:
            return (int(np.prod([shapes[k][-1] for k in names])),)

        @classmethod
        def support_check(cls, value: Any, **params: Any) -> Any:
            return jnp.all(jnp.isfinite(value), axis=-1)

        @classmethod
        def logp(cls, value: Any, mu: Any, sigma: Any, **ks: Any) -> Any:
            Qs, lam = _eig(tuple(ks[k] for k in names), sigma)
            alpha = kron_dot([Q.T for Q in Qs], value - mu)
            n = lam.shape[0]
            return -0.5 * (jnp.sum(jnp.log(lam)) + jnp.sum(alpha**2 / lam) + n * _LOG_2PI)

        @classmethod
        def sample(cls, rng_key: Any, shape: tuple, mu: Any, sigma: Any, **ks: Any) -> Any:
            Qs, lam = _eig(tuple(ks[k] for k in names), sigma)
            z = jax.random.normal(rng_key, (lam.shape[0],))
            return jnp.broadcast_to(mu + kron_dot(Qs, jnp.sqrt(jnp.clip(lam, 0)) * z), shape)

        @classmethod
        def support_point(cls, shape: tuple, mu: Any, **_: Any) -> Any:
            return jnp.broadcast_to(mu, shape).astype(float)

    KronEigNormal.__name__ = "KroneckerNormal"
    return KronEigNormal


class MarginalKron(_KronBase):
    """A marginal GP with i.i.d. Gaussian noise on a grid: ``marginal_likelihood(name, Xs, y,
    sigma)`` makes y (N,) ~ MvNormal(mean, kron(K_1, K_2, ...) + sigma^2 I), evaluated through
    the factors' eigendecompositions."""

    def marginal_likelihood(
        self, name: str, Xs: Any, y: Any, sigma: Any, is_observed: bool = True, **kwargs: Any
    ) -> T.TensorVariable:
        """y: (N,) values on ``cartesian(*Xs)``; sigma: the noise standard deviation."""
        who = f"MarginalKron.marginal_likelihood('{name}')"
        grids = _grids(Xs, len(self.cov_funcs), who)
        N = int(np.prod([_n_rows(x) for x in grids]))
        y_node = T.as_tensor(y)
        y_shape = tuple(y_node.shape) if T.is_node(y_node) else np.shape(y_node)
        if is_observed and y_shape != (N,):
            raise ShapeError(
                f"{who}: Length of y {y_shape} must match length of cartesian product of Xs ({N},)"
            )
        X = self._cartesian(grids)
        covs = [f(x) for f, x in zip(self.cov_funcs, grids)]
        dist = _kron_normal_class(len(covs))
        params = dict(mu=self.mean_func(X), sigma=sigma, **{f"K{i}": k for i, k in enumerate(covs)})
        self.Xs, self.X, self.y, self.sigma = grids, X, y_node, T.as_tensor(sigma)
        if is_observed:
            return dist(name, observed=y, **params, **kwargs)
        return dist(name, **params, **kwargs)

    def _build_conditional(
        self, Xnew: Any, diag: bool, pred_noise: bool
    ) -> tuple[T.TensorVariable, T.TensorVariable]:
        Xs = self._require("Xs", "conditional", "marginal_likelihood(name, Xs, y, sigma)")
        X = self.X
        covs = [f(x) for f, x in zip(self.cov_funcs, Xs)]

        def fn(y: Any, mx: Any, ms: Any, kxs: Any, kss: Any, sigma: Any, *ks: Any) -> Any:
            eigs, Qs = zip(*[jnp.linalg.eigh(k) for k in ks])
            s2 = jnp.square(jnp.reshape(sigma, ()))
            lam = kron_diag(*eigs) + s2
            QTs = [Q.T for Q in Qs]
            alpha = kron_dot(list(Qs), kron_dot(QTs, y - mx) / lam)
            mu = ms + kxs.T @ alpha
            A = kron_dot(QTs, kxs) / jnp.sqrt(lam)[:, None]
            if diag:
                var = kss - jnp.sum(A**2, axis=0) + (s2 if pred_noise else 0.0)
                return jnp.stack([mu, var], axis=1)
            eye = jnp.eye(kss.shape[0])
            cov = kss - A.T @ A + (s2 * eye if pred_noise else JITTER_DEFAULT * eye)
            return jnp.concatenate([mu[:, None], cov], axis=1)

        mc = T.apply(
            fn,
            self.y,
            self.mean_func(X),
            self.mean_func(Xnew),
            self.cov_func(X, Xnew),
            self.cov_func(Xnew, diag=diag),
            self.sigma,
            *covs,
            opname="kron_conditional",
        )
        return split_mean_cov(mc)

    def conditional(
        self, name: str, Xnew: Any, pred_noise: bool = False, **kwargs: Any
    ) -> T.TensorVariable:
        """f(Xnew) (or y with ``pred_noise``) given the grid data: MvNormal (m,)."""
        Xnew = as_input(Xnew, f"MarginalKron.conditional('{name}')", "Xnew")
        mu, cov = self._build_conditional(Xnew, False, pred_noise)
        return mvnormal_from(name, mu, cov, **kwargs)

    def predict(
        self,
        Xnew: Any,
        point: dict[str, Any] | None = None,
        diag: bool = False,
        pred_noise: bool = False,
        model: Any = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The conditional mean (m,) and covariance (m, m) or variance (m,), as numpy."""
        Xnew = as_input(Xnew, "MarginalKron.predict", "Xnew")
        mu, cov = self._build_conditional(Xnew, diag, pred_noise)
        out = replace_with_values([mu, cov], replacements=point, model=model)
        return out[0], out[1]
