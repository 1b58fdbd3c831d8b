"""Sparse (inducing point) approximations of the marginal GP: FITC, VFE and DTC.

With inducing inputs Xu (k, input_dim), ``Q = Kfu Kuu^-1 Kuf`` replaces K(X): DTC uses
y ~ N(mean, Q + sigma^2 I); FITC (Snelson & Ghahramani 2006) adds the exact diagonal,
``Q + diag(K - Q) + sigma^2 I``; VFE (Titsias 2009) is DTC's density minus
``tr(K - Q) / (2 sigma^2)``, a lower bound that tends to the exact likelihood as Xu -> X.
Costs are O(n k^2): the n x n matrices are never formed.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from credo.errors import ShapeError
from credo.gp.cov import BaseCovariance, as_input
from credo.gp.gp import Marginal, mvnormal_from, split_mean_cov
from credo.gp.mean import Mean
from credo.gp.util import JITTER_DEFAULT, cholesky, solve_lower, solve_upper
from credo.model import tensor as T

__all__ = ["MarginalApprox", "MarginalSparse"]

_LOG_2PI = float(np.log(2.0 * np.pi))


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(x.shape) if T.is_node(x) else np.shape(x)


def _common(approx: str, kuu: Any, kuf: Any, kffd: Any, sigma: Any, r: Any, jitter: float):
    """The pieces shared by the likelihood and the conditional (all O(n k^2))."""
    sigma2 = jnp.square(jnp.reshape(sigma, ()))
    Luu = cholesky(kuu + jitter * jnp.eye(kuu.shape[0]))
    A = solve_lower(Luu, kuf)  # (k, n)
    qffd = jnp.sum(A * A, axis=0)
    if approx == "FITC":
        lamd = jnp.clip(kffd - qffd, 0.0, None) + sigma2
    else:
        lamd = jnp.ones_like(qffd) * sigma2
    A_l = A / lamd
    L_B = cholesky(jnp.eye(kuu.shape[0]) + A_l @ A.T)
    r_l = r / lamd
    c = solve_lower(L_B, A @ r_l)
    return sigma2, Luu, A, qffd, lamd, L_B, r_l, c


class MarginalApprox(Marginal):
    """``approx``: "FITC", "VFE" (default) or "DTC". ``marginal_likelihood(name, X, Xu, y,
    sigma)`` adds the approximate log-likelihood of y as a Potential
    ``marginalapprox_loglik_<name>``; ``conditional``/``predict`` as for ``Marginal``."""

    _available_approx = ("FITC", "VFE", "DTC")

    def __init__(
        self,
        approx: str = "VFE",
        *,
        mean_func: Mean | None = None,
        cov_func: BaseCovariance | None = None,
    ) -> None:
        if approx not in self._available_approx:
            raise NotImplementedError(
                f"approx={approx!r}: choose one of {list(self._available_approx)}"
            )
        self.approx = approx
        super().__init__(mean_func=mean_func, cov_func=cov_func)
        self.Xu: Any = None

    def __add__(self, other: Any) -> Any:
        if not isinstance(other, MarginalApprox) or other.approx != self.approx:
            raise TypeError("Cannot add GPs with different approximations")
        return type(self)(
            self.approx,
            mean_func=self.mean_func + other.mean_func,
            cov_func=self.cov_func + other.cov_func,
        )

    def _loglik(self, X: Any, Xu: Any, y: Any, sigma: Any, jitter: float) -> T.TensorVariable:
        approx = self.approx
        n = _shape(X)[0]

        def fn(kuu: Any, kuf: Any, kffd: Any, y: Any, mx: Any, sigma: Any) -> Any:
            r = y - mx
            sigma2, _, A, qffd, lamd, L_B, r_l, c = _common(
                approx, kuu, kuf, kffd, sigma, r, jitter
            )
            trace = 0.0
            if approx == "VFE":
                trace = (jnp.sum(kffd) - jnp.sum(qffd)) / (2.0 * sigma2)
            logdet = 0.5 * jnp.sum(jnp.log(lamd)) + jnp.sum(jnp.log(jnp.diag(L_B)))
            quad = 0.5 * (r @ r_l - c @ c)
            return -(0.5 * n * _LOG_2PI + logdet + quad + trace)

        return T.apply(
            fn,
            self.cov_func(Xu),
            self.cov_func(Xu, X),
            self.cov_func(X, diag=True),
            y,
            self.mean_func(X),
            sigma,
            opname=f"{approx}_loglik",
        )

    def marginal_likelihood(  # type: ignore[override]
        self,
        name: str,
        X: Any,
        Xu: Any,
        y: Any,
        sigma: Any = None,
        jitter: float = JITTER_DEFAULT,
        *,
        noise: Any = None,
        **kwargs: Any,
    ) -> T.TensorVariable:
        """Adds the approximate log-likelihood of y (n,) at X (n, d) with inducing inputs
        Xu (k, d) and noise standard deviation ``sigma`` (a scalar)."""
        from credo.model import Potential

        who = f"{type(self).__name__}.marginal_likelihood('{name}')"
        sigma = sigma if sigma is not None else noise
        if sigma is None:
            raise TypeError(f"{who}: missing the noise standard deviation 'sigma'")
        if isinstance(sigma, BaseCovariance):
            raise TypeError(f"{who}: sigma must be a scalar for the {self.approx} approximation")
        X, Xu = as_input(X, who), as_input(Xu, who, "Xu")
        y = T.as_tensor(y)
        n = _shape(X)[0]
        if _shape(y) != (n,):
            raise ShapeError(f"{who}: y must have shape ({n},), got {_shape(y)}")
        sigma = T.as_tensor(sigma)
        if int(np.prod(_shape(sigma))) != 1:
            raise ShapeError(f"{who}: sigma must be a scalar, got shape {_shape(sigma)}")
        self.X, self.Xu, self.y, self.sigma = X, Xu, y, sigma
        return Potential(f"marginalapprox_loglik_{name}", self._loglik(X, Xu, y, sigma, jitter))

    # (X, Xu, y, sigma, cov, mean): one more than Marginal's, which predict() passes on.
    def _get_given_vals(  # type: ignore[override]
        self, given: dict[str, Any] | None
    ) -> tuple[Any, Any, Any, Any, Any, Any]:
        given = given or {}
        gp = given.get("gp", self)
        if all(k in given for k in ("X", "Xu", "y", "sigma")):
            X, Xu = as_input(given["X"], "given"), as_input(given["Xu"], "given", "Xu")
            y, sigma = T.as_tensor(given["y"]), T.as_tensor(given["sigma"])
        else:
            X = self._require("X", "conditional", "marginal_likelihood(name, X, Xu, y, sigma)")
            Xu, y, sigma = self.Xu, self.y, self.sigma
        return X, Xu, y, sigma, gp.cov_func, gp.mean_func

    def _build_conditional(  # type: ignore[override]
        self,
        Xnew: Any,
        pred_noise: bool,
        diag: bool,
        X: Any,
        Xu: Any,
        y: Any,
        sigma: Any,
        cov_total: Any,
        mean_total: Any,
        jitter: float,
    ) -> tuple[T.TensorVariable, T.TensorVariable]:
        approx = self.approx

        def fn(kuu: Any, kuf: Any, kffd: Any, y: Any, mx: Any, sigma: Any, kus: Any, ms: Any, kss):
            sigma2, Luu, _, _, _, L_B, _, c = _common(approx, kuu, kuf, kffd, sigma, y - mx, jitter)
            As = solve_lower(Luu, kus)
            mu = ms + As.T @ solve_upper(L_B.T, c)
            C = solve_lower(L_B, As)
            if diag:
                var = kss - jnp.sum(As**2, 0) + jnp.sum(C**2, 0) + (sigma2 if pred_noise else 0)
                return jnp.stack([mu, var], axis=1)
            cov = kss - As.T @ As + C.T @ C
            eye = jnp.eye(kss.shape[0])
            cov = cov + (sigma2 * eye if pred_noise else jitter * eye)
            return jnp.concatenate([mu[:, None], cov], axis=1)

        mc = T.apply(
            fn,
            cov_total(Xu),
            cov_total(Xu, X),
            cov_total(X, diag=True),
            y,
            mean_total(X),
            sigma,
            self.cov_func(Xu, Xnew),
            self.mean_func(Xnew),
            self.cov_func(Xnew, diag=diag),
            opname=f"{approx}_conditional",
        )
        return split_mean_cov(mc)

    def conditional(
        self,
        name: str,
        Xnew: Any,
        pred_noise: bool = False,
        given: dict[str, Any] | None = None,
        jitter: float = JITTER_DEFAULT,
        **kwargs: Any,
    ) -> T.TensorVariable:
        """The approximate posterior of f(Xnew) (or y with ``pred_noise``): MvNormal (m,)."""
        Xnew = as_input(Xnew, f"{type(self).__name__}.conditional('{name}')", "Xnew")
        givens = self._get_given_vals(given)
        mu, cov = self._build_conditional(Xnew, pred_noise, False, *givens, jitter)
        return mvnormal_from(name, mu, cov, **kwargs)


class MarginalSparse(MarginalApprox):
    """PyMC 3's name of :class:`MarginalApprox`."""
