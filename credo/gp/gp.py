"""Gaussian process implementations: Latent, Marginal and the Student-t process TP.

Shapes: X is (n, input_dim), Xnew (m, input_dim); a GP's values at X are (n,). Everything is
built from lazy nodes, so hyperparameters may be random variables and the linear algebra runs
inside the compiled log-density (or the predictive draw).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from credo.errors import ModelError, ShapeError
from credo.gp.cov import BaseCovariance, Constant, WhiteNoise, as_input
from credo.gp.mean import Mean, Zero
from credo.gp.util import (
    JITTER_DEFAULT,
    cholesky,
    replace_with_values,
    robust_cholesky,
    solve_lower,
    stabilize,
)
from credo.model import tensor as T

__all__ = ["Base", "Latent", "Marginal", "TP"]


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(x.shape) if T.is_node(x) else np.shape(x)


def _check_funcs(who: str, mean_func: Any, cov_func: Any, cov_name: str = "cov_func") -> None:
    if not isinstance(mean_func, Mean):
        raise TypeError(f"{who}: mean_func must be a pm.gp.mean function, got {mean_func!r}")
    if not isinstance(cov_func, BaseCovariance):
        raise TypeError(f"{who}: {cov_name} must be a pm.gp.cov function, got {cov_func!r}")


def mvnormal_from(name: str, mu: Any, cov: Any, **kwargs: Any) -> T.TensorVariable:
    """An MvNormal for a (conditional) GP, factored robustly: conditional covariances are
    positive semi-definite only up to rounding."""
    from credo.distributions import MvNormal

    chol = T.apply(robust_cholesky, cov, opname="cholesky")
    return MvNormal(name, mu=mu, chol=chol, **kwargs)


def split_mean_cov(mc: T.TensorVariable) -> tuple[T.TensorVariable, T.TensorVariable]:
    """A node holding ``[mu | cov]`` (m, 1 + m) or ``[mu | var]`` (m, 2) -> (mu, cov/var):
    one node computes both, so their shared Cholesky factor is computed once."""
    mu = T.apply(lambda a: a[:, 0], mc, opname="mean")
    if mc.shape[1] == 2:
        return mu, T.apply(lambda a: a[:, 1], mc, opname="var")
    return mu, T.apply(lambda a: a[:, 1:], mc, opname="cov")


class Base:
    """Holds the mean and covariance functions; ``gp1 + gp2`` adds them (additive GPs)."""

    def __init__(self, *, mean_func: Mean | None = None, cov_func: BaseCovariance | None = None):
        mean_func = Zero() if mean_func is None else mean_func
        cov_func = Constant(0.0) if cov_func is None else cov_func
        _check_funcs(type(self).__name__, mean_func, cov_func)
        self.mean_func = mean_func
        self.cov_func = cov_func

    def __add__(self, other: Base) -> Base:
        if type(self) is not type(other):
            raise TypeError("Cannot add different GP types")
        return type(self)(
            mean_func=self.mean_func + other.mean_func, cov_func=self.cov_func + other.cov_func
        )

    def _require(self, attr: str, method: str, first: str) -> Any:
        value = getattr(self, attr, None)
        if value is None:
            raise ModelError(
                f"{type(self).__name__}.{method}: call {first} first (the GP has no '{attr}' "
                "yet), or pass the conditioning values in given="
            )
        return value


class Latent(Base):
    """A latent GP: ``f = gp.prior("f", X)`` is f ~ MvNormal(mean_func(X), cov_func(X)),
    parametrised by default as ``mean + chol(K) @ v`` with ``v = <name>_rotated_`` standard
    normal (non-centred)."""

    def __init__(self, *, mean_func: Mean | None = None, cov_func: BaseCovariance | None = None):
        super().__init__(mean_func=mean_func, cov_func=cov_func)
        self.X: Any = None
        self.f: Any = None

    def prior(
        self,
        name: str,
        X: Any,
        n_outputs: int = 1,
        reparameterize: bool = True,
        jitter: float = JITTER_DEFAULT,
        **kwargs: Any,
    ) -> T.TensorVariable:
        """The GP's values at X: (n,), or (n_outputs, n) independent draws."""
        from credo.distributions import MvNormal
        from credo.distributions.normal import Normal
        from credo.model import Deterministic

        X = as_input(X, f"{type(self).__name__}.prior('{name}')")
        n = _shape(X)[0]
        mu = self.mean_func(X)
        cov = stabilize(self.cov_func(X), jitter)
        if reparameterize:
            if "dims" in kwargs:
                v = Normal(name + "_rotated_", mu=0.0, sigma=1.0, **kwargs)
            else:
                size = (n_outputs, n) if n_outputs > 1 else n
                v = Normal(name + "_rotated_", mu=0.0, sigma=1.0, size=size, **kwargs)
            chol = T.apply(cholesky, cov, opname="cholesky")
            f_expr = T.apply(lambda m, L, z: m + (L @ z.T).T, mu, chol, v, opname="latent_gp")
            f = Deterministic(name, f_expr, dims=kwargs.get("dims"))
        else:
            if n_outputs > 1:
                mu = T.apply(lambda m: jnp.broadcast_to(m, (n_outputs, n)), mu)
            f = MvNormal(name, mu=mu, cov=cov, **kwargs)
        self.X, self.f, self.n_outputs = X, f, n_outputs
        return f

    def _get_given_vals(self, given: dict[str, Any] | None) -> tuple[Any, ...]:
        given = given or {}
        gp = given.get("gp", self)
        if "X" in given and "f" in given:
            X, f = as_input(given["X"], "given"), given["f"]
        else:
            X = self._require("X", "conditional", "prior(name, X)")
            f = self.f
        return X, f, gp.cov_func, gp.mean_func

    def _build_conditional(
        self, Xnew: Any, X: Any, f: Any, cov_total: Any, mean_total: Any, jitter: float
    ) -> tuple[T.TensorVariable, T.TensorVariable]:
        def fn(kxx: Any, kxs: Any, kss: Any, f: Any, mx: Any, ms: Any) -> Any:
            L = cholesky(kxx + jitter * jnp.eye(kxx.shape[0]))
            A = solve_lower(L, kxs)
            v = solve_lower(L, (f - mx).T)
            mu = ms + (A.T @ v).T
            cov = kss - A.T @ A + jitter * jnp.eye(kss.shape[0])
            if mu.ndim == 1:
                return jnp.concatenate([mu[:, None], cov], axis=1)
            return jnp.concatenate([mu.T, cov], axis=1)

        mc = T.apply(
            fn,
            cov_total(X),
            self.cov_func(X, Xnew),
            self.cov_func(Xnew),
            f,
            mean_total(X),
            self.mean_func(Xnew),
            opname="gp_conditional",
        )
        k = _shape(mc)[1] - _shape(mc)[0]
        mu = T.apply(lambda a: a[:, :k].T if k > 1 else a[:, 0], mc, opname="mean")
        cov = T.apply(lambda a: a[:, k:], mc, opname="cov")
        return mu, cov

    def conditional(
        self,
        name: str,
        Xnew: Any,
        given: dict[str, Any] | None = None,
        jitter: float = JITTER_DEFAULT,
        **kwargs: Any,
    ) -> T.TensorVariable:
        """f(Xnew) given f(X): an MvNormal variable (m,) for predictions."""
        Xnew = as_input(Xnew, f"{type(self).__name__}.conditional('{name}')", "Xnew")
        X, f, cov_total, mean_total = self._get_given_vals(given)
        mu, cov = self._build_conditional(Xnew, X, f, cov_total, mean_total, jitter)
        return mvnormal_from(name, mu, cov, **kwargs)


class TP(Latent):
    """A Student-t process with ``nu`` degrees of freedom and scale ``scale_func``:
    f ~ MvStudentT(nu, mean_func(X), scale_func(X)). Reparametrised (default) as
    ``mean + sqrt(nu / <name>_chi2_) * chol(K) @ <name>_rotated_`` with a chi-squared(nu)
    and standard normals, which is exactly that multivariate t."""

    def __init__(
        self,
        *,
        mean_func: Mean | None = None,
        scale_func: BaseCovariance | None = None,
        cov_func: BaseCovariance | None = None,
        nu: Any = None,
    ) -> None:
        if nu is None:
            raise ValueError("Student's T process requires a degrees of freedom parameter, 'nu'")
        if cov_func is not None:
            scale_func = cov_func
        super().__init__(mean_func=mean_func, cov_func=scale_func)
        self.nu = T.as_tensor(nu)

    def __add__(self, other: Base) -> Base:
        raise TypeError("Student's T processes aren't additive")

    def prior(  # type: ignore[override]
        self,
        name: str,
        X: Any,
        reparameterize: bool = True,
        jitter: float = JITTER_DEFAULT,
        **kwargs: Any,
    ) -> T.TensorVariable:
        """The process's values at X: (n,)."""
        from credo.distributions import MvStudentT
        from credo.distributions.normal import Normal
        from credo.distributions.positive import ChiSquared
        from credo.model import Deterministic

        X = as_input(X, f"TP.prior('{name}')")
        n = _shape(X)[0]
        mu = self.mean_func(X)
        cov = stabilize(self.cov_func(X), jitter)
        if reparameterize:
            chi2 = ChiSquared(name + "_chi2_", nu=self.nu)
            if "dims" in kwargs:
                v = Normal(name + "_rotated_", mu=0.0, sigma=1.0, **kwargs)
            else:
                v = Normal(name + "_rotated_", mu=0.0, sigma=1.0, size=n, **kwargs)
            chol = T.apply(cholesky, cov, opname="cholesky")
            f_expr = T.apply(
                lambda m, L, z, w, nu: m + jnp.sqrt(nu / w) * (L @ z),
                mu,
                chol,
                v,
                chi2,
                self.nu,
                opname="student_t_process",
            )
            f = Deterministic(name, f_expr, dims=kwargs.get("dims"))
        else:
            f = MvStudentT(name, nu=self.nu, mu=mu, scale=cov, **kwargs)
        self.X, self.f = X, f
        return f

    def conditional(  # type: ignore[override]
        self, name: str, Xnew: Any, jitter: float = JITTER_DEFAULT, **kwargs: Any
    ) -> T.TensorVariable:
        """f(Xnew) given f(X): MvStudentT with nu + n degrees of freedom (Shah et al. 2014)."""
        from credo.distributions import MvStudentT

        Xnew = as_input(Xnew, f"TP.conditional('{name}')", "Xnew")
        X = self._require("X", "conditional", "prior(name, X)")
        n = _shape(X)[0]

        def fn(kxx: Any, kxs: Any, kss: Any, f: Any, mx: Any, ms: Any, nu: Any) -> Any:
            L = cholesky(kxx + jitter * jnp.eye(kxx.shape[0]))
            A = solve_lower(L, kxs)
            v = solve_lower(L, f - mx)
            mu = ms + A.T @ v
            beta = v @ v
            cov = (nu + beta - 2.0) / (nu + n - 2.0) * (kss - A.T @ A)
            return jnp.concatenate([mu[:, None], cov + jitter * jnp.eye(kss.shape[0])], axis=1)

        mc = T.apply(
            fn,
            self.cov_func(X),
            self.cov_func(X, Xnew),
            self.cov_func(Xnew),
            self.f,
            self.mean_func(X),
            self.mean_func(Xnew),
            self.nu,
            opname="tp_conditional",
        )
        mu, cov = split_mean_cov(mc)
        chol = T.apply(robust_cholesky, cov, opname="cholesky")
        nu2 = self.nu + n
        return MvStudentT(name, nu=nu2, mu=mu, chol=chol, **kwargs)


class Marginal(Base):
    """A GP with Gaussian noise, marginalised analytically: ``marginal_likelihood`` makes the
    observed y ~ MvNormal(mean(X), K(X) + noise(X)); ``conditional`` and ``predict`` give the
    exact posterior of f (or of y with ``pred_noise=True``) at new inputs."""

    def __init__(self, *, mean_func: Mean | None = None, cov_func: BaseCovariance | None = None):
        super().__init__(mean_func=mean_func, cov_func=cov_func)
        self.X: Any = None
        self.y: Any = None
        self.sigma: Any = None

    @staticmethod
    def _noise_func(sigma: Any) -> BaseCovariance:
        return sigma if isinstance(sigma, BaseCovariance) else WhiteNoise(sigma)

    def marginal_likelihood(
        self,
        name: str,
        X: Any,
        y: Any,
        sigma: Any = None,
        jitter: float = JITTER_DEFAULT,
        is_observed: bool = True,
        *,
        noise: Any = None,
        **kwargs: Any,
    ) -> T.TensorVariable:
        """The observed data y (n,) at X (n, input_dim) as an MvNormal variable. ``sigma``
        (PyMC 3's ``noise``): the noise standard deviation, a scalar, a vector (n,) or a
        covariance function."""
        from credo.distributions import MvNormal

        who = f"{type(self).__name__}.marginal_likelihood('{name}')"
        if sigma is not None and noise is not None:
            raise TypeError(f"{who}: give sigma or noise, not both")
        sigma = sigma if sigma is not None else noise
        if sigma is None:
            raise TypeError(f"{who}: missing the noise standard deviation 'sigma'")
        X = as_input(X, who)
        n = _shape(X)[0]
        y_node = T.as_tensor(y)
        if is_observed and _shape(y_node) != (n,):
            raise ShapeError(
                f"{who}: y must have shape ({n},), one value per row of X, got {_shape(y_node)}"
            )
        noise_func = self._noise_func(sigma)
        mu = self.mean_func(X)
        cov = stabilize(self.cov_func(X) + noise_func(X), jitter)
        self.X, self.y, self.sigma = X, y_node, noise_func
        if is_observed:
            return MvNormal(name, mu=mu, cov=cov, observed=y, **kwargs)
        return MvNormal(name, mu=mu, cov=cov, **kwargs)

    def _get_given_vals(self, given: dict[str, Any] | None) -> tuple[Any, Any, Any, Any, Any]:
        given = given or {}
        gp = given.get("gp", self)
        if all(k in given for k in ("X", "y", "sigma")):
            X, y = as_input(given["X"], "given"), T.as_tensor(given["y"])
            noise_func = self._noise_func(given["sigma"])
        else:
            X = self._require("X", "conditional", "marginal_likelihood(name, X, y, sigma)")
            y, noise_func = self.y, self.sigma
        return X, y, noise_func, gp.cov_func, gp.mean_func

    def _build_conditional(
        self,
        Xnew: Any,
        pred_noise: bool,
        diag: bool,
        X: Any,
        y: Any,
        noise_func: Any,
        cov_total: Any,
        mean_total: Any,
        jitter: float,
    ) -> tuple[T.TensorVariable, T.TensorVariable]:
        def fn(kxx: Any, kxs: Any, knx: Any, y: Any, mx: Any, ms: Any, kss: Any, *ns: Any):
            L = cholesky(kxx + jitter * jnp.eye(kxx.shape[0]) + knx)
            A = solve_lower(L, kxs)
            v = solve_lower(L, y - mx)
            mu = ms + A.T @ v
            if diag:
                var = kss - jnp.sum(A**2, axis=0) + (ns[0] if pred_noise else 0.0)
                return jnp.stack([mu, var], axis=1)
            cov = kss - A.T @ A
            cov = cov + (ns[0] if pred_noise else jitter * jnp.eye(kss.shape[0]))
            return jnp.concatenate([mu[:, None], cov], axis=1)

        extra = [noise_func(Xnew, diag=diag)] if pred_noise else []
        mc = T.apply(
            fn,
            cov_total(X),
            self.cov_func(X, Xnew),
            noise_func(X),
            y,
            mean_total(X),
            self.mean_func(Xnew),
            self.cov_func(Xnew, diag=diag),
            *extra,
            opname="gp_conditional",
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
        """f(Xnew) (or y(Xnew) with ``pred_noise=True``) given the data: an MvNormal (m,)
        variable, drawn by ``sample_posterior_predictive(idata, var_names=[name])``."""
        Xnew = as_input(Xnew, f"{type(self).__name__}.conditional('{name}')", "Xnew")
        givens = self._get_given_vals(given)
        mu, cov = self._build_conditional(Xnew, pred_noise, False, *givens, jitter)
        return mvnormal_from(name, mu, cov, **kwargs)

    def predict(
        self,
        Xnew: Any,
        point: dict[str, Any] | None = None,
        diag: bool = False,
        pred_noise: bool = False,
        given: dict[str, Any] | None = None,
        jitter: float = JITTER_DEFAULT,
        model: Any = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The conditional mean (m,) and covariance (m, m), or variance (m,) with
        ``diag=True``, as numpy arrays at ``point`` (e.g. a ``find_MAP`` result)."""
        Xnew = as_input(Xnew, f"{type(self).__name__}.predict", "Xnew")
        givens = self._get_given_vals(given)
        mu, cov = self._build_conditional(Xnew, pred_noise, diag, *givens, jitter)
        out = replace_with_values([mu, cov], replacements=point, model=model)
        return out[0], out[1]
