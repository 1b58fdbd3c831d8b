"""Hilbert space GP approximations (Solin & Sarkka 2020; Riutort-Mayol, Burkner, Andersen,
Solin & Vehtari 2022): HSGP, HSGPPeriodic and ``approx_hsgp_hyperparams``.

A stationary GP on the box [-L, L] (around the centre of the data) is approximated by
``f(x) ~= sum_j phi_j(x) sqrt(S(sqrt(lambda_j))) beta_j`` with phi_j, lambda_j the
Laplacian's eigenfunctions and eigenvalues on the box, S the kernel's power spectral density
and beta_j standard normal: a linear model with prod(m) basis functions, O(n m) per
evaluation. Shapes: X (n, input_dim); phi (n, prod(m)); sqrt_psd (prod(m),).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

from credo.errors import ModelError, warn_user
from credo.gp.cov import BaseCovariance, Combination, Covariance, Periodic, as_input
from credo.gp.gp import Base
from credo.gp.mean import Mean
from credo.model import tensor as T

__all__ = [
    "HSGP",
    "HSGPPeriodic",
    "approx_hsgp_hyperparams",
    "set_boundary",
    "calc_eigenvalues",
    "calc_eigenvectors",
    "calc_basis_periodic",
]

# boundary condition -> (first index j0, eigenfunction); lambda_j = (pi j / (2 L))^2 for
# j = j0, j0 + 1, ..., j0 + m - 1
_BOUNDARY = {
    "dirichlet": (1.0, "sin"),
    "neumann": (0.0, "cos"),
    "dirichlet-neumann": (0.5, "sin"),
    "neumann-dirichlet": (0.5, "cos"),
}


def _boundaries(boundary: Any, n_dims: int) -> tuple[str, ...]:
    bs = (boundary,) * n_dims if isinstance(boundary, str) else tuple(boundary)
    for b in bs:
        if b not in _BOUNDARY:
            raise ValueError(f"`boundary` must be one of {tuple(_BOUNDARY)}, got {b!r}.")
    if len(bs) != n_dims:
        raise ValueError(
            f"`boundary` must have one entry per active dimension ({n_dims}), got {len(bs)}."
        )
    return bs


def _value(x: Any) -> np.ndarray:
    """The current value of constant data (a Data node's stored value)."""
    return np.asarray(x.eval() if T.is_node(x) else x, dtype=float)


def set_boundary(X: Any, c: Any) -> np.ndarray:
    """L = c * S with S the half-range of each column of X: (n_dims,)."""
    x = _value(X)
    S = (np.max(x, axis=0) - np.min(x, axis=0)) / 2.0
    L = np.asarray(c, dtype=float) * S
    if np.any(L <= 0):
        raise ValueError("HSGP boundary lengths must be positive. Check c and the ranges of X.")
    return L


def calc_eigenvalues(L: Any, m: Sequence[int], boundary: Any = "dirichlet") -> np.ndarray:
    """The Laplacian's eigenvalues on [-L, L], one per dimension per basis function:
    (prod(m), len(m)), the basis functions in meshgrid order."""
    bs = _boundaries(boundary, len(m))
    j0 = [_BOUNDARY[b][0] for b in bs]
    grids = np.meshgrid(*[np.arange(j0[d], j0[d] + m[d]) for d in range(len(m))])
    S = np.vstack([g.flatten() for g in grids]).T
    return np.square(np.pi * S / (2.0 * np.asarray(L, dtype=float)))


def _eigenvectors(xs: Any, L: np.ndarray, eigvals: np.ndarray, bs: tuple[str, ...]) -> Any:
    phi = jnp.ones((xs.shape[0], eigvals.shape[0]))
    for d, b in enumerate(bs):
        j0, kind = _BOUNDARY[b]
        omega = np.sqrt(eigvals[:, d])
        c = np.full(omega.shape, 1.0 / np.sqrt(L[d]))
        if j0 == 0:  # the constant Neumann eigenfunction has squared norm 2L
            c = np.where(omega == 0, 1.0 / np.sqrt(2.0 * L[d]), c)
        trig = jnp.sin if kind == "sin" else jnp.cos
        phi = phi * c * trig(omega[None, :] * (xs[:, d : d + 1] + L[d]))
    return phi


def calc_eigenvectors(
    Xs: Any, L: Any, eigvals: Any, m: Sequence[int], boundary: Any = "dirichlet"
) -> T.TensorVariable:
    """The eigenfunctions at the centred inputs Xs (n, len(m)): (n, prod(m)), orthonormal on
    [-L, L]."""
    bs = _boundaries(boundary, len(m))
    L = np.asarray(L, dtype=float)
    ev = np.asarray(eigvals, dtype=float)
    return T.apply(lambda x: _eigenvectors(x, L, ev, bs), Xs, opname="hsgp_basis")


def calc_basis_periodic(Xs: Any, period: Any, m: int, tl: Any = None) -> tuple[Any, Any]:
    """cos(j w0 x) and sin(j w0 x), j = 0..m-1, w0 = 2 pi / period: two (n, m) arrays."""
    J = np.arange(m)

    def basis(x: Any, p: Any, trig: Any) -> Any:
        return trig((2.0 * np.pi / jnp.reshape(p, ())) * x[:, :1] * J[None, :])

    cos = T.apply(lambda x, p: basis(x, p, jnp.cos), Xs, period, opname="cos_basis")
    sin = T.apply(lambda x, p: basis(x, p, jnp.sin), Xs, period, opname="sin_basis")
    return cos, sin


def approx_hsgp_hyperparams(
    x_range: Sequence[float], lengthscale_range: Sequence[float], cov_func: str
) -> tuple[int, float]:
    """The (m, c) that Riutort-Mayol et al. (2022, section 4 and fig. 7) recommend for a 1-d
    HSGP over ``x_range = [x_min, x_max]`` (training and prediction inputs) with lengthscales
    in ``lengthscale_range = [ls_min, ls_max]``; ``cov_func``: "expquad", "matern52" or
    "matern32". ``c = max(a1 ls_max / S, 1.2)`` and ``m = int(a2 c S / ls_min)`` with S the
    half-range and (a1, a2) the kernel's constants from the paper's fits."""
    if lengthscale_range[0] >= lengthscale_range[1]:
        raise ValueError("One of the `lengthscale_range` boundaries is out of order.")
    if x_range[0] >= x_range[1]:
        raise ValueError("One of the `x_range` boundaries is out of order.")
    constants = {"expquad": (3.2, 1.75), "matern52": (4.1, 2.65), "matern32": (4.5, 3.42)}
    key = str(cov_func).lower()
    if key not in constants:
        raise ValueError(
            "Unsupported covariance function. Supported options are 'expquad', 'matern52', "
            "and 'matern32'."
        )
    a1, a2 = constants[key]
    S = (x_range[1] - x_range[0]) / 2.0
    c = max(a1 * (lengthscale_range[1] / S), 1.2)
    m = int(a2 * c / (lengthscale_range[0] / S))
    return m, c


def _without_psd(cov: Any) -> str | None:
    """The name of a part of ``cov`` without a power spectral density, or None."""
    if isinstance(cov, Combination):
        for f in cov._factor_list:
            if isinstance(f, BaseCovariance):
                bad = _without_psd(f)
                if bad:
                    return bad
        return None
    return None if hasattr(cov, "power_spectral_density") else type(cov).__name__


class HSGP(Base):
    """HSGP(m, L=None, c=None, drop_first=False, parametrization="noncentered", *,
    boundary="dirichlet", mean_func=Zero(), cov_func): ``m`` basis functions per active
    dimension; the box half-widths ``L`` or the factor ``c`` (L = c * half-range of X);
    ``cov_func`` a stationary kernel with a power spectral density (ExpQuad, Matern52,
    Matern32, Matern12, sums and scalings of them)."""

    cov_func: Any  # a stationary kernel (checked when built): has power_spectral_density

    def __init__(
        self,
        m: Sequence[int],
        L: Sequence[float] | None = None,  # noqa: N803 (PyMC's name)
        c: numbers.Real | None = None,
        drop_first: bool = False,
        parametrization: str | None = "noncentered",
        *,
        boundary: Any = "dirichlet",
        mean_func: Mean | None = None,
        cov_func: BaseCovariance,
    ) -> None:
        err = (
            "`m` and `L`, if provided, must be sequences with one element per active "
            "dimension of the kernel or covariance function."
        )
        if not isinstance(cov_func, Covariance):
            raise TypeError("HSGP: cov_func must be a stationary pm.gp.cov covariance function")
        missing = _without_psd(cov_func)
        if missing:
            raise ValueError(
                f"HSGP: {missing} has no power spectral density; HSGP needs a stationary "
                "covariance such as ExpQuad, Matern52, Matern32 or Matern12 (or sums and "
                "scalings of them)"
            )
        if not isinstance(m, Sequence) or len(m) != cov_func.n_dims:
            raise ValueError(err)
        if not all(isinstance(mi, numbers.Integral) and mi > 0 for mi in m):
            raise ValueError(f"`m` must hold positive integers, got {list(m)}")
        if (L is None) == (c is None):
            raise ValueError("Provide one of `c` or `L`")
        if L is not None and (not isinstance(L, Sequence) or len(L) != cov_func.n_dims):
            raise ValueError(err)
        if c is not None and c < 1.2:
            warn_user("For an adequate approximation `c >= 1.2` is recommended.")
        if parametrization is not None:
            parametrization = parametrization.lower().replace("-", "").replace("_", "")
        if parametrization not in ("centered", "noncentered"):
            raise ValueError("`parametrization` must be either 'centered' or 'noncentered'.")
        self._boundary = _boundaries(boundary, cov_func.n_dims)
        self._drop_first = bool(drop_first)
        self._m = tuple(int(mi) for mi in m)
        self._m_star = self.n_basis_vectors = int(np.prod(self._m))
        self._L = None if L is None else np.asarray(L, dtype=float)
        if self._L is not None and np.any(self._L <= 0):
            raise ValueError(f"HSGP: the boundaries L must be positive, got {self._L.tolist()}")
        self._c = c
        self._parametrization = parametrization
        self._X_center: np.ndarray | None = None
        self._beta: Any = None
        super().__init__(mean_func=mean_func, cov_func=cov_func)

    def __add__(self, other: Any) -> Any:
        raise NotImplementedError("Additive HSGPs aren't supported.")

    @property
    def L(self) -> np.ndarray:  # noqa: N802
        if self._L is None:
            raise RuntimeError("Boundaries `L` required but still unset.")
        return self._L

    @L.setter
    def L(self, value: Any) -> None:  # noqa: N802
        self._L = np.asarray(value, dtype=float)

    def _centred(self, X: Any) -> Any:
        center = self._X_center
        Xs = T.apply(lambda x: x - center, X, opname="centre")
        Xs, _ = self.cov_func._slice(Xs)
        return Xs

    def prior_linearized(self, X: Any) -> tuple[T.TensorVariable, T.TensorVariable]:
        """The basis ``phi`` (n, prod(m)) and ``sqrt_psd`` (prod(m),), so that
        ``phi @ (beta * sqrt_psd)`` with beta standard normal is the approximate GP. The first
        call fixes the box: its centre is the midpoint of X, and L (from c) its half-range."""
        X = as_input(X, "HSGP.prior_linearized")
        if self._X_center is None:
            x = _value(X)
            self._X_center = (np.max(x, axis=0) + np.min(x, axis=0)) / 2.0
        Xs = self._centred(X)
        if self._L is None:
            xs = _value(Xs)
            self._L = set_boundary(xs, self._c)
        eigvals = calc_eigenvalues(self.L, self._m, self._boundary)
        phi = calc_eigenvectors(Xs, self.L, eigvals, self._m, self._boundary)
        psd = self.cov_func.power_spectral_density(np.sqrt(eigvals))
        i = int(self._drop_first)
        return (
            T.apply(lambda p: p[:, i:], phi, opname="phi"),
            T.apply(lambda s: jnp.sqrt(s[i:]), psd, opname="sqrt_psd"),
        )

    def prior(
        self,
        name: str,
        X: Any,
        dims: Any = None,
        hsgp_coeffs_dims: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> T.TensorVariable:
        """The approximate GP at X (n,), a Deterministic; its coefficients are the free
        variable ``<name>_hsgp_coeffs`` (prod(m) - drop_first,)."""
        from credo.distributions.normal import Normal
        from credo.model import Deterministic

        phi, sqrt_psd = self.prior_linearized(X)
        self._sqrt_psd = sqrt_psd
        size = self.n_basis_vectors - int(self._drop_first)
        coeffs_kw: dict[str, Any] = {"dims": hsgp_coeffs_dims} if hsgp_coeffs_dims else {}
        if not coeffs_kw:
            coeffs_kw["size"] = size
        if self._parametrization == "noncentered":
            self._beta = Normal(f"{name}_hsgp_coeffs", mu=0.0, sigma=1.0, **coeffs_kw)
            f = self.mean_func(X) + phi @ (self._beta * sqrt_psd)
        else:
            self._beta = Normal(f"{name}_hsgp_coeffs", mu=0.0, sigma=sqrt_psd, **coeffs_kw)
            f = self.mean_func(X) + phi @ self._beta
        self.f = Deterministic(name, f, dims=dims)
        return self.f

    def _build_conditional(self, Xnew: Any) -> T.TensorVariable:
        if self._beta is None:
            raise ModelError(
                "HSGP.conditional: Prior is not set, can't create a conditional. Call "
                "`.prior(name, X)` first."
            )
        Xnew = as_input(Xnew, "HSGP.conditional", "Xnew")
        Xs = self._centred(Xnew)
        eigvals = calc_eigenvalues(self.L, self._m, self._boundary)
        phi = calc_eigenvectors(Xs, self.L, eigvals, self._m, self._boundary)
        i = int(self._drop_first)
        phi = T.apply(lambda p: p[:, i:], phi, opname="phi")
        if self._parametrization == "noncentered":
            return self.mean_func(Xnew) + phi @ (self._beta * self._sqrt_psd)
        return self.mean_func(Xnew) + phi @ self._beta

    def conditional(self, name: str, Xnew: Any, dims: Any = None) -> T.TensorVariable:
        """The approximate GP at new inputs (m,), a Deterministic of the coefficients (drawn
        by ``sample_posterior_predictive(idata, var_names=[name])``)."""
        from credo.model import Deterministic

        return Deterministic(name, self._build_conditional(Xnew), dims=dims)


class HSGPPeriodic(Base):
    """HSGPPeriodic(m, scale=1.0, *, mean_func=Zero(), cov_func): the periodic kernel's
    series ``k(tau) = sum_j q_j cos(j w0 tau)`` truncated at m terms (Riutort-Mayol et al.
    2022, appendix B): ``f(x) = scale * sum_j sqrt(q_j) (a_j cos(j w0 x) + b_j sin(j w0 x))``
    with standard normal a, b, so that Cov f ~= scale^2 * cov_func. 1-d only."""

    cov_func: Any  # a Periodic kernel (checked when built)
    _m: int
    scale: T.TensorVariable

    def __init__(
        self,
        m: int,
        scale: Any = 1.0,
        *,
        mean_func: Mean | None = None,
        cov_func: Periodic,
    ) -> None:
        err = (
            "`m` must be a positive integer as the `Periodic` kernel approximation is only "
            "implemented for 1-dimensional case."
        )
        if not isinstance(m, numbers.Integral) or isinstance(m, bool) or m <= 0:
            raise ValueError(err)
        if not isinstance(cov_func, Periodic):
            raise ValueError(
                "`cov_func` must be an instance of a `Periodic` kernel only. Use the `scale` "
                "parameter to control the variance."
            )
        if cov_func.n_dims > 1:
            raise ValueError(
                "HSGP approximation for `Periodic` kernel only implemented for 1-dimensional case."
            )
        self._m = int(m)
        self.scale = T.as_tensor(scale)
        self._X_center: np.ndarray | None = None
        self._beta: Any = None
        super().__init__(mean_func=mean_func, cov_func=cov_func)

    def _coeffs(self) -> T.TensorVariable:
        q = self.cov_func.power_spectral_density_approx(np.arange(self._m))
        return T.apply(lambda s, q: s * jnp.sqrt(q), self.scale, q, opname="periodic_coeffs")

    def _basis(self, X: Any) -> tuple[Any, Any]:
        center = self._X_center
        Xs = T.apply(lambda x: x - center, X, opname="centre")
        Xs, _ = self.cov_func._slice(Xs)
        return calc_basis_periodic(Xs, self.cov_func.period, self._m)

    def prior_linearized(self, X: Any) -> tuple[tuple[Any, Any], T.TensorVariable]:
        """((phi_cos, phi_sin), coeffs): two (n, m) bases and (m,) coefficients, so that
        ``phi_cos @ (coeffs * beta[:m]) + phi_sin[:, 1:] @ (coeffs[1:] * beta[m:])`` with
        beta (2m - 1,) standard normal is the approximate GP."""
        X = as_input(X, "HSGPPeriodic.prior_linearized")
        if self._X_center is None:
            x = _value(X)
            self._X_center = (np.max(x, axis=0) + np.min(x, axis=0)) / 2.0
        return self._basis(X), self._coeffs()

    def _combine(self, phi_cos: Any, phi_sin: Any, coeffs: Any, beta: Any) -> Any:
        m = self._m

        def fn(pc: Any, ps: Any, q: Any, b: Any) -> Any:
            return pc @ (q * b[:m]) + ps[:, 1:] @ (q[1:] * b[m:])

        return T.apply(fn, phi_cos, phi_sin, coeffs, beta, opname="periodic_gp")

    def prior(
        self, name: str, X: Any, dims: Any = None, hsgp_coeffs_dims: Any = None
    ) -> T.TensorVariable:
        """The approximate periodic GP at X (n,), a Deterministic of the free variable
        ``<name>_hsgp_coeffs_`` (2m - 1,)."""
        from credo.distributions.normal import Normal
        from credo.model import Deterministic

        (phi_cos, phi_sin), coeffs = self.prior_linearized(X)
        kw: dict[str, Any] = (
            {"dims": hsgp_coeffs_dims} if hsgp_coeffs_dims else {"size": 2 * self._m - 1}
        )
        self._beta = Normal(f"{name}_hsgp_coeffs_", mu=0.0, sigma=1.0, **kw)
        f = self.mean_func(X) + self._combine(phi_cos, phi_sin, coeffs, self._beta)
        self.f = Deterministic(name, f, dims=dims)
        return self.f

    def conditional(self, name: str, Xnew: Any, dims: Any = None) -> T.TensorVariable:
        """The approximate GP at new inputs (m,), a Deterministic of the coefficients."""
        from credo.model import Deterministic

        if self._beta is None:
            raise ModelError(
                "HSGPPeriodic.conditional: Prior is not set, can't create a conditional. "
                "Call `.prior(name, X)` first."
            )
        Xnew = as_input(Xnew, "HSGPPeriodic.conditional", "Xnew")
        phi_cos, phi_sin = self._basis(Xnew)
        f = self.mean_func(Xnew) + self._combine(phi_cos, phi_sin, self._coeffs(), self._beta)
        return Deterministic(name, f, dims=dims)
