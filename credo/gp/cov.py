"""Covariance functions, with PyMC's names, arguments and arithmetic.

``cov(X)`` is the (n, n) matrix, ``cov(X, Xs)`` the (n, m) cross-covariance and
``cov(X, diag=True)`` the (n,) diagonal, where X is (n, input_dim) and Xs (m, input_dim).
Hyperparameters may be numbers, arrays or credo variables; the result is a lazy tensor node
(``.eval()`` gives its value when no random variable is involved), so a covariance built from
random variables is evaluated inside the compiled log-density.

Arithmetic as in PyMC: ``eta**2 * ExpQuad(1, ls=ell)``, ``k1 + k2``, ``k1 * k2``, a covariance
plus or times a number, an array (elementwise) or a variable, and ``k ** p`` for a scalar p.
Stationary kernels use ``r^2 = sum_d ((x_d - x'_d) / ls_d)^2`` (``ls`` a vector for ARD).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from functools import reduce
from operator import add, mul
from typing import Any

import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammaln, i0e

from credo.errors import ParameterError, ShapeError, warn_user
from credo.model import tensor as T

__all__ = [
    "Covariance",
    "Constant",
    "Coregion",
    "Cosine",
    "ExpQuad",
    "Exponential",
    "Gibbs",
    "Kron",
    "Linear",
    "Matern12",
    "Matern32",
    "Matern52",
    "Periodic",
    "Polynomial",
    "RatQuad",
    "ScaledCov",
    "WarpedInput",
    "WhiteNoise",
    "WrappedPeriodic",
]

_EPS_DIST = 1e-12  # added under the square root so that gradients at r = 0 stay finite


def as_input(X: Any, who: str, what: str = "X") -> Any:
    """X as a node or a float array, which must be 2-d: (n_points, n_columns)."""
    x = T.as_tensor(X)
    shape = tuple(x.shape) if T.is_node(x) else np.shape(x)
    if len(shape) != 2:
        raise ShapeError(
            f"{who}: {what} must be a 2-d array (n_points, input_dim), got shape {shape}; "
            f"for one input dimension pass {what}[:, None]"
        )
    if not T.is_node(x):
        x = np.asarray(x, dtype=float)
    return x


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(x.shape) if T.is_node(x) else np.shape(x)


def _node(x: Any) -> T.TensorVariable:
    """Any value as a node (constants become constant nodes), so results are uniform."""
    if T.is_node(x):
        return x
    return T.apply(lambda v: v, np.asarray(x, dtype=float), opname="constant")


class BaseCovariance:
    """Base of all covariance functions: ``__call__``, ``full``, ``diag`` and arithmetic."""

    # numpy arrays and credo variables hand their operators over to these objects.
    __array_ufunc__ = None
    _credo_defer = True

    def __call__(self, X: Any, Xs: Any = None, diag: bool = False) -> T.TensorVariable:
        """The covariance matrix (n, m), or its diagonal (n,) with ``diag=True``."""
        who = type(self).__name__
        X = as_input(X, who)
        if diag:
            return self.diag(X)
        if Xs is not None:
            Xs = as_input(Xs, who, "Xs")
            if _shape(Xs)[1] != _shape(X)[1]:
                raise ShapeError(
                    f"{who}: X has {_shape(X)[1]} column(s) but Xs has {_shape(Xs)[1]}"
                )
        return self.full(X, Xs)

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        raise NotImplementedError(f"{type(self).__name__}.full")

    def diag(self, X: Any) -> T.TensorVariable:
        raise NotImplementedError(f"{type(self).__name__}.diag")

    def __add__(self, other: Any) -> Add:
        if isinstance(other, numbers.Real):
            other = Constant(c=other)
        return Add([self, other])

    def __radd__(self, other: Any) -> Add:
        return self.__add__(other)

    def __mul__(self, other: Any) -> Prod:
        return Prod([self, other])

    def __rmul__(self, other: Any) -> Prod:
        return self.__mul__(other)

    def __pow__(self, other: Any) -> Exponentiated:
        p = T.as_tensor(other)
        if len(_shape(p)) != 0 and int(np.prod(_shape(p))) != 1:
            raise ValueError("A covariance function can only be exponentiated by a scalar value")
        if not isinstance(self, Covariance):
            raise TypeError(
                "Can only exponentiate covariance functions which inherit from `Covariance`"
            )
        return Exponentiated(self, p)


class Covariance(BaseCovariance):
    """A covariance function of ``input_dim`` columns, using the columns ``active_dims``."""

    input_dim: int
    active_dims: np.ndarray

    def __init__(
        self, input_dim: int, active_dims: Sequence[int] | np.ndarray | None = None
    ) -> None:
        who = type(self).__name__
        if not isinstance(input_dim, numbers.Integral) or int(input_dim) < 1:
            raise ValueError(f"{who}: input_dim must be a positive integer, got {input_dim!r}")
        self.input_dim = int(input_dim)
        if active_dims is None:
            self.active_dims = np.arange(self.input_dim)
        else:
            ad = np.atleast_1d(np.asarray(active_dims))
            if ad.dtype.kind not in "iu" or ad.ndim != 1 or ad.size == 0:
                raise ValueError(f"{who}: active_dims must be a list of column indices")
            if np.any(ad < 0) or np.any(ad >= self.input_dim):
                raise ValueError(
                    f"{who}: values in `active_dims` must lie in [0, input_dim={self.input_dim})"
                    f", got {ad.tolist()}"
                )
            self.active_dims = ad.astype(int)

    @property
    def n_dims(self) -> int:
        """The number of active dimensions."""
        return len(self.active_dims)

    def _slice(self, X: Any, Xs: Any = None) -> tuple[Any, Any]:
        who = type(self).__name__
        ncol = _shape(X)[1]
        if ncol < self.input_dim:
            raise ShapeError(
                f"{who}(input_dim={self.input_dim}): X has {ncol} column(s), fewer than input_dim"
            )
        if ncol > self.input_dim:
            warn_user(
                f"Only {self.input_dim} column(s) out of {ncol} are being used to compute the "
                "covariance function. If this is not intended, increase 'input_dim' parameter "
                "to the number of columns to use. Ignore otherwise."
            )
        ad = self.active_dims
        if ncol == len(ad) and np.array_equal(ad, np.arange(ncol)):
            return X, Xs
        X = T.apply(lambda x: x[:, ad], X, opname="active_dims")
        if Xs is not None:
            Xs = T.apply(lambda x: x[:, ad], Xs, opname="active_dims")
        return X, Xs


# -- arithmetic ---------------------------------------------------------------------------
class Combination(Covariance):
    def __init__(self, factor_list: Sequence[Any]) -> None:
        covs = [f for f in factor_list if isinstance(f, Covariance)]
        input_dims = {f.input_dim for f in covs}
        if len(input_dims) > 1:
            raise ValueError(
                f"All covariances must have the same `input_dim`, got {sorted(input_dims)}"
            )
        if covs:
            active = sorted(set().union(*[set(f.active_dims.tolist()) for f in covs]))
            super().__init__(input_dims.pop(), active)
        else:  # only Constant / WhiteNoise factors: no columns of their own
            self.input_dim = 0
            self.active_dims = np.arange(0)
        self._factor_list: list[Any] = []
        for f in factor_list:
            if isinstance(f, type(self)):
                self._factor_list.extend(f._factor_list)
            else:
                self._factor_list.append(f if isinstance(f, BaseCovariance) else T.as_tensor(f))

    def _merge_factors_cov(self, X: Any, Xs: Any, diag: bool) -> list[Any]:
        out = []
        for f in self._factor_list:
            if isinstance(f, BaseCovariance):
                out.append(f.diag(X) if diag else f.full(X, Xs))
            elif diag and len(_shape(f)) == 2:
                out.append(T.apply(jnp.diagonal, f, opname="diagonal"))
            else:
                out.append(f)
        return out

    def _merge_factors_psd(self, omega: Any) -> list[Any]:
        out = []
        for f in self._factor_list:
            if isinstance(f, Covariance):
                if set(self.active_dims.tolist()) != set(f.active_dims.tolist()):
                    raise ValueError(
                        "For power spectral density calculations `active_dims` must be the "
                        "same for all covariances in the combination."
                    )
                if not hasattr(f, "power_spectral_density"):
                    raise ValueError(
                        f"{type(f).__name__} has no power spectral density: HSGP needs a "
                        "stationary covariance such as ExpQuad, Matern52 or Matern32"
                    )
                out.append(f.power_spectral_density(omega))
            elif isinstance(f, BaseCovariance):
                raise ValueError(
                    f"{type(f).__name__} has no power spectral density; use it outside the HSGP"
                )
            else:
                out.append(f)
        return out

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        return _node(self._reduce(self._merge_factors_cov(X, Xs, False)))

    def diag(self, X: Any) -> T.TensorVariable:
        return _node(self._reduce(self._merge_factors_cov(X, None, True)))

    def _reduce(self, parts: list[Any]) -> Any:
        raise NotImplementedError


class Add(Combination):
    """The sum of covariance functions (and constants)."""

    def _reduce(self, parts: list[Any]) -> Any:
        return reduce(add, parts)

    def power_spectral_density(self, omega: Any) -> T.TensorVariable:
        return _node(reduce(add, self._merge_factors_psd(omega)))


class Prod(Combination):
    """The elementwise product of covariance functions, numbers, arrays and variables."""

    def _reduce(self, parts: list[Any]) -> Any:
        # Start from a covariance node so that numpy constants never lead the product.
        parts = sorted(parts, key=lambda p: not T.is_node(p))
        return reduce(mul, parts)

    def power_spectral_density(self, omega: Any) -> T.TensorVariable:
        if sum(isinstance(f, BaseCovariance) for f in self._factor_list) >= 2:
            raise NotImplementedError(
                "The power spectral density of products of covariance functions is not implemented."
            )
        return _node(self._reduce(self._merge_factors_psd(omega)))


class Exponentiated(Covariance):
    """A covariance function raised to a scalar power."""

    def __init__(self, kernel: Covariance, power: Any) -> None:
        self.kernel = kernel
        self.power = power
        super().__init__(kernel.input_dim, kernel.active_dims)

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        return T.apply(lambda k, p: k ** jnp.reshape(p, ()), self.kernel.full(X, Xs), self.power)

    def diag(self, X: Any) -> T.TensorVariable:
        return T.apply(lambda k, p: k ** jnp.reshape(p, ()), self.kernel.diag(X), self.power)


class Kron(Covariance):
    """The product of covariance functions on consecutive blocks of columns:
    ``k(x, x') = prod_i k_i(x[block_i], x'[block_i])``. On the cartesian product of the
    blocks' inputs this is the Kronecker product of the factors' matrices."""

    def __init__(self, factor_list: Sequence[Covariance]) -> None:
        factors = list(factor_list)
        if not factors or not all(isinstance(f, Covariance) for f in factors):
            raise TypeError("Kron needs a list of covariance functions")
        self.input_dims = [f.input_dim for f in factors]
        super().__init__(int(sum(self.input_dims)))
        self._factor_list = factors

    def _split(self, X: Any) -> list[Any]:
        bounds = np.concatenate([[0], np.cumsum(self.input_dims)])
        return [
            T.apply(lambda x, a=int(a), b=int(b): x[:, a:b], X, opname="columns")
            for a, b in zip(bounds[:-1], bounds[1:])
        ]

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        X, Xs = self._slice(X, Xs)
        xs = self._split(X)
        xss = self._split(Xs) if Xs is not None else [None] * len(xs)
        return reduce(mul, [f.full(a, b) for f, a, b in zip(self._factor_list, xs, xss)])

    def diag(self, X: Any) -> T.TensorVariable:
        X, _ = self._slice(X)
        return reduce(mul, [f.diag(a) for f, a in zip(self._factor_list, self._split(X))])


# -- covariances without input columns -----------------------------------------------------
class Constant(BaseCovariance):
    """k(x, x') = c."""

    def __init__(self, c: Any) -> None:
        self.c = T.as_tensor(c)

    def diag(self, X: Any) -> T.TensorVariable:
        n = _shape(X)[0]
        return T.apply(lambda c, x: jnp.full((n,), c, dtype=float), self.c, X)

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        n = _shape(X)[0]
        m = n if Xs is None else _shape(Xs)[0]
        return T.apply(lambda c, x: jnp.full((n, m), c, dtype=float), self.c, X)


class WhiteNoise(BaseCovariance):
    """k(x, x') = sigma^2 if x and x' are the same point, else 0; ``sigma`` a scalar or a
    vector with one entry per point."""

    def __init__(self, sigma: Any) -> None:
        self.sigma = T.as_tensor(sigma)
        if not T.is_node(self.sigma) and np.any(np.asarray(self.sigma) < 0):
            raise ParameterError(f"WhiteNoise: sigma must be non-negative, got {sigma}")

    def diag(self, X: Any) -> T.TensorVariable:
        n = _shape(X)[0]
        return T.apply(lambda s, x: jnp.broadcast_to(jnp.square(s), (n,)) + 0.0, self.sigma, X)

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        if Xs is None:
            return T.apply(jnp.diag, self.diag(X), opname="diag")
        n, m = _shape(X)[0], _shape(Xs)[0]
        return T.apply(lambda x: jnp.zeros((n, m)), X)


# -- stationary -------------------------------------------------------------------------------
def _check_positive(value: Any, who: str, name: str) -> Any:
    v = T.as_tensor(value)
    if not T.is_node(v):
        arr = np.asarray(v, dtype=float)
        if np.any(~(arr > 0)):
            raise ParameterError(f"{who}: the lengthscale '{name}' must be positive, got {value}")
        return arr
    return v


def _sq_dist(x: Any, xs: Any, ls: Any) -> Any:
    """Squared scaled distances (n, m) by the dot-product expansion, clipped at 0."""
    x = x / ls
    xs = x if xs is None else xs / ls
    x2 = jnp.sum(x**2, axis=1)
    xs2 = jnp.sum(xs**2, axis=1)
    sqd = x2[:, None] + xs2[None, :] - 2.0 * x @ xs.T
    return jnp.clip(sqd, 0.0, None)


class Stationary(Covariance):
    """A covariance that depends on ``r = |x - x'| / ls``: give ``ls`` or ``ls_inv``."""

    def __init__(
        self,
        input_dim: int,
        ls: Any = None,
        ls_inv: Any = None,
        active_dims: Sequence[int] | None = None,
    ) -> None:
        super().__init__(input_dim, active_dims)
        who = type(self).__name__
        if (ls is None) == (ls_inv is None):
            raise ValueError(f"{who}: Only one of 'ls' or 'ls_inv' must be provided")
        if ls_inv is not None:
            inv = _check_positive(ls_inv, who, "ls_inv")
            ls = 1.0 / inv
        else:
            ls = _check_positive(ls, who, "ls")
        n = int(np.prod(_shape(ls)))
        if len(_shape(ls)) > 1 or n not in (1, self.n_dims):
            raise ShapeError(
                f"{who}: ls must be a scalar or have one entry per active dimension "
                f"({self.n_dims}), got shape {_shape(ls)}"
            )
        self.ls = ls

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        X, Xs = self._slice(X, Xs)
        k = self.full_from_distance
        if Xs is None:
            return T.apply(lambda x, ls: k(_sq_dist(x, None, ls), squared=True), X, self.ls)
        return T.apply(lambda x, xs, ls: k(_sq_dist(x, xs, ls), squared=True), X, Xs, self.ls)

    def diag(self, X: Any) -> T.TensorVariable:
        n = _shape(X)[0]
        return T.apply(lambda x: jnp.ones((n,)), X)

    def full_from_distance(self, dist: Any, squared: bool = False) -> Any:
        """The kernel as a jax function of r^2 (``squared=True``) or r."""
        raise NotImplementedError

    @staticmethod
    def _r(dist: Any, squared: bool) -> Any:
        return jnp.sqrt(dist + _EPS_DIST) if squared else dist

    def _ls_vec(self) -> Any:
        d = self.n_dims
        return T.apply(lambda ls: jnp.ones((d,)) * ls, self.ls, opname="ls")


def _matern_psd(nu: float, d: int) -> Callable[[Any, Any], Any]:
    """S(w) = 2^D pi^(D/2) Gamma(nu + D/2) (2 nu)^nu / Gamma(nu) * prod(ls)
    * (2 nu + sum(ls^2 w^2))^-(nu + D/2), the Matern spectral density (Rasmussen & Williams
    2006, eq. 4.15, with one lengthscale per dimension)."""
    log_c = (
        d * np.log(2.0)
        + 0.5 * d * np.log(np.pi)
        + float(gammaln(nu + d / 2.0))
        + nu * np.log(2.0 * nu)
        - float(gammaln(nu))
    )

    def psd(omega: Any, ls: Any) -> Any:
        q = jnp.sum(omega**2 * ls**2, axis=-1)
        return jnp.exp(log_c) * jnp.prod(ls) * (2.0 * nu + q) ** (-(nu + d / 2.0))

    return psd


class ExpQuad(Stationary):
    """k(x, x') = exp(-r^2 / 2)."""

    def full_from_distance(self, dist: Any, squared: bool = False) -> Any:
        r2 = dist if squared else dist**2
        return jnp.exp(-0.5 * r2)

    def power_spectral_density(self, omega: Any) -> T.TensorVariable:
        """S(w) = (2 pi)^(D/2) prod(ls) exp(-sum(ls^2 w^2) / 2); omega: (m, D) -> (m,)."""
        d = self.n_dims

        def psd(w: Any, ls: Any) -> Any:
            return (
                (2.0 * np.pi) ** (d / 2.0)
                * jnp.prod(ls)
                * jnp.exp(-0.5 * jnp.sum(w**2 * ls**2, -1))
            )

        return T.apply(psd, omega, self._ls_vec(), opname="psd")


class RatQuad(Stationary):
    """k(x, x') = (1 + r^2 / (2 alpha))^(-alpha)."""

    def __init__(
        self,
        input_dim: int,
        alpha: Any,
        ls: Any = None,
        ls_inv: Any = None,
        active_dims: Sequence[int] | None = None,
    ) -> None:
        super().__init__(input_dim, ls, ls_inv, active_dims)
        self.alpha = T.as_tensor(alpha)

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        X, Xs = self._slice(X, Xs)

        def k(x: Any, xs: Any, ls: Any, a: Any) -> Any:
            return (1.0 + 0.5 * _sq_dist(x, xs, ls) / a) ** (-a)

        if Xs is None:
            return T.apply(lambda x, ls, a: k(x, None, ls, a), X, self.ls, self.alpha)
        return T.apply(k, X, Xs, self.ls, self.alpha)


class _Matern(Stationary):
    _nu = 0.0

    def power_spectral_density(self, omega: Any) -> T.TensorVariable:
        """The Matern spectral density; omega: (m, D) -> (m,)."""
        return T.apply(_matern_psd(self._nu, self.n_dims), omega, self._ls_vec(), opname="psd")


class Matern52(_Matern):
    """k(x, x') = (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r)."""

    _nu = 2.5

    def full_from_distance(self, dist: Any, squared: bool = False) -> Any:
        r = self._r(dist, squared)
        return (1.0 + np.sqrt(5.0) * r + 5.0 / 3.0 * r**2) * jnp.exp(-np.sqrt(5.0) * r)


class Matern32(_Matern):
    """k(x, x') = (1 + sqrt(3) r) exp(-sqrt(3) r)."""

    _nu = 1.5

    def full_from_distance(self, dist: Any, squared: bool = False) -> Any:
        r = self._r(dist, squared)
        return (1.0 + np.sqrt(3.0) * r) * jnp.exp(-np.sqrt(3.0) * r)


class Matern12(_Matern):
    """k(x, x') = exp(-r)."""

    _nu = 0.5

    def full_from_distance(self, dist: Any, squared: bool = False) -> Any:
        return jnp.exp(-self._r(dist, squared))


class Exponential(Stationary):
    """k(x, x') = exp(-r / 2) (PyMC's scaling)."""

    def full_from_distance(self, dist: Any, squared: bool = False) -> Any:
        return jnp.exp(-0.5 * self._r(dist, squared))


class Cosine(Stationary):
    """k(x, x') = cos(2 pi r)."""

    def full_from_distance(self, dist: Any, squared: bool = False) -> Any:
        return jnp.cos(2.0 * np.pi * self._r(dist, squared))


def _periodic_r2(x: Any, xs: Any, period: Any, ls: Any) -> Any:
    xs = x if xs is None else xs
    r = np.pi * (x[:, None, :] - xs[None, :, :]) / period
    return jnp.sum((jnp.sin(r) / ls) ** 2, axis=2)


class Periodic(Stationary):
    """k(x, x') = exp(-sum_d sin^2(pi (x_d - x'_d) / period) / (2 ls_d^2)) (PyMC's scaling:
    0.5 in the exponent where the usual definition has 2)."""

    def __init__(
        self,
        input_dim: int,
        period: Any,
        ls: Any = None,
        ls_inv: Any = None,
        active_dims: Sequence[int] | None = None,
    ) -> None:
        super().__init__(input_dim, ls, ls_inv, active_dims)
        self.period = T.as_tensor(period)

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        X, Xs = self._slice(X, Xs)

        def k(x: Any, xs: Any, p: Any, ls: Any) -> Any:
            return jnp.exp(-0.5 * _periodic_r2(x, xs, p, ls))

        if Xs is None:
            return T.apply(lambda x, p, ls: k(x, None, p, ls), X, self.period, self.ls)
        return T.apply(k, X, Xs, self.period, self.ls)

    def full_from_distance(self, dist: Any, squared: bool = False) -> Any:
        r2 = dist if squared else dist**2
        return jnp.exp(-0.5 * r2)

    def power_spectral_density_approx(self, J: Any) -> T.TensorVariable:
        """The coefficients q_j of ``k(tau) = sum_j q_j cos(j w0 tau)``, ``w0 = 2 pi/period``:
        with ``a = 1 / (4 ls^2)``, ``q_0 = I_0(a) e^-a`` and ``q_j = 2 I_j(a) e^-a`` (the
        expansion of Solin & Sarkka 2014 for this kernel's scaling). ``J``: ``arange(m)``."""
        J = np.asarray(J, dtype=int)

        def q(ls: Any) -> Any:
            a = 1.0 / (4.0 * jnp.reshape(ls, ()) ** 2)
            return jnp.where(J > 0, 2.0, 1.0) * _ive_int(J, a)

        return T.apply(q, self.ls, opname="periodic_coeffs")


def _ive_int(J: np.ndarray, a: Any) -> Any:
    """I_j(a) e^-a for the integers j in J. The ratios r_j = I_j / I_(j-1) come from the
    backward recurrence r_j = 1 / (2 j / a + r_(j+1)) (a continued fraction, stable for any
    a > 0 and never overflowing), and I_j = I_0 * r_1 * ... * r_j."""
    jmax = int(np.max(J)) if J.size else 0
    start = jmax + 40 + int(4 * np.sqrt(jmax + 40))
    r = jnp.zeros_like(a)
    ratios = {}
    for j in range(start, 0, -1):
        r = 1.0 / (2.0 * j / a + r)
        if j <= jmax:
            ratios[j] = r
    vals = [i0e(a)]
    for j in range(1, jmax + 1):
        vals.append(vals[-1] * ratios[j])
    return jnp.stack([vals[int(j)] for j in J])


class WrappedPeriodic(Covariance):
    """A stationary covariance made periodic by the warping ``u(x) = (sin, cos)(2 pi x / T)``
    (MacKay 1998): its r^2 is ``sum_d (sin(pi (x_d - x'_d) / T) / ls_d)^2``."""

    def __init__(self, cov_func: Stationary, period: Any) -> None:
        if not isinstance(cov_func, Stationary):
            raise TypeError("WrappedPeriodic: cov_func must be a stationary covariance")
        super().__init__(cov_func.input_dim, cov_func.active_dims)
        self.cov_func = cov_func
        self.period = T.as_tensor(period)

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        X, Xs = self._slice(X, Xs)
        kfn = self.cov_func.full_from_distance

        def k(x: Any, xs: Any, p: Any, ls: Any) -> Any:
            return kfn(_periodic_r2(x, xs, p, ls), squared=True)

        if Xs is None:
            return T.apply(lambda x, p, ls: k(x, None, p, ls), X, self.period, self.cov_func.ls)
        return T.apply(k, X, Xs, self.period, self.cov_func.ls)

    def diag(self, X: Any) -> T.TensorVariable:
        n = _shape(X)[0]
        return T.apply(lambda x: jnp.ones((n,)), X)


# -- non-stationary -------------------------------------------------------------------------
class Linear(Covariance):
    """k(x, x') = (x - c)^T (x' - c)."""

    def __init__(self, input_dim: int, c: Any, active_dims: Sequence[int] | None = None) -> None:
        super().__init__(input_dim, active_dims)
        self.c = T.as_tensor(c)

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        X, Xs = self._slice(X, Xs)
        if Xs is None:
            return T.apply(lambda x, c: (x - c) @ (x - c).T, X, self.c, opname="linear")
        return T.apply(lambda x, xs, c: (x - c) @ (xs - c).T, X, Xs, self.c, opname="linear")

    def diag(self, X: Any) -> T.TensorVariable:
        X, _ = self._slice(X)
        return T.apply(lambda x, c: jnp.sum((x - c) ** 2, axis=1), X, self.c, opname="linear")


class Polynomial(Linear):
    """k(x, x') = ((x - c)^T (x' - c) + offset)^d."""

    def __init__(
        self, input_dim: int, c: Any, d: Any, offset: Any, active_dims: Sequence[int] | None = None
    ) -> None:
        super().__init__(input_dim, c, active_dims)
        self.d = T.as_tensor(d)
        self.offset = T.as_tensor(offset)

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        return T.apply(lambda k, o, d: (k + o) ** d, super().full(X, Xs), self.offset, self.d)

    def diag(self, X: Any) -> T.TensorVariable:
        return T.apply(lambda k, o, d: (k + o) ** d, super().diag(X), self.offset, self.d)


def _handle_args(func: Callable[..., Any], args: Any) -> Callable[[Any], Any]:
    def f(x: Any) -> Any:
        if args is None:
            return func(x)
        return func(x, *(args if isinstance(args, tuple) else (args,)))

    return f


class WarpedInput(Covariance):
    """k(x, x') = cov_func(w(x), w(x')) for a warping function ``warp_func(X, *args)`` of the
    (n, input_dim) inputs (it receives credo variables: use credo.math in it)."""

    def __init__(
        self,
        input_dim: int,
        cov_func: Covariance,
        warp_func: Callable[..., Any],
        args: Any = None,
        active_dims: Sequence[int] | None = None,
    ) -> None:
        super().__init__(input_dim, active_dims)
        if not callable(warp_func):
            raise TypeError("warp_func must be callable")
        if not isinstance(cov_func, Covariance):
            raise TypeError("Must be or inherit from the Covariance class")
        self.w = _handle_args(warp_func, args)
        self.args = args
        self.cov_func = cov_func

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        X, Xs = self._slice(X, Xs)
        return self.cov_func(self.w(X), None if Xs is None else self.w(Xs))

    def diag(self, X: Any) -> T.TensorVariable:
        X, _ = self._slice(X)
        return self.cov_func(self.w(X), diag=True)


class Gibbs(Covariance):
    """Gibbs' non-stationary kernel with a lengthscale function l(x) (1-d inputs):
    k(x, x') = sqrt(2 l(x) l(x') / (l(x)^2 + l(x')^2)) exp(-(x - x')^2 / (l(x)^2 + l(x')^2))."""

    def __init__(
        self,
        input_dim: int,
        lengthscale_func: Callable[..., Any],
        args: Any = None,
        active_dims: Sequence[int] | None = None,
    ) -> None:
        super().__init__(input_dim, active_dims)
        if self.n_dims != 1:
            raise NotImplementedError("Gibbs: higher dimensional inputs are not supported")
        if not callable(lengthscale_func):
            raise TypeError("lengthscale_func must be callable")
        self.lfunc = _handle_args(lengthscale_func, args)
        self.args = args

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        X, Xs = self._slice(X, Xs)
        Xs = X if Xs is None else Xs
        rx, rz = self.lfunc(X), self.lfunc(Xs)

        def k(x: Any, xs: Any, lx: Any, lz: Any) -> Any:
            lx, lz = jnp.ravel(lx), jnp.ravel(lz)
            r2 = _sq_dist(x, xs, 1.0)
            s = lx[:, None] ** 2 + lz[None, :] ** 2
            return jnp.sqrt(2.0 * jnp.outer(lx, lz) / s) * jnp.exp(-r2 / s)

        return T.apply(k, X, Xs, rx, rz, opname="gibbs")

    def diag(self, X: Any) -> T.TensorVariable:
        n = _shape(X)[0]
        return T.apply(lambda x: jnp.ones((n,)), X)


class ScaledCov(Covariance):
    """k(x, x') = s(x) cov_func(x, x') s(x') for a scaling function ``scaling_func(X, *args)``
    returning (n,) values."""

    def __init__(
        self,
        input_dim: int,
        cov_func: Covariance,
        scaling_func: Callable[..., Any],
        args: Any = None,
        active_dims: Sequence[int] | None = None,
    ) -> None:
        super().__init__(input_dim, active_dims)
        if not callable(scaling_func):
            raise TypeError("scaling_func must be callable")
        if not isinstance(cov_func, Covariance):
            raise TypeError("Must be or inherit from the Covariance class")
        self.cov_func = cov_func
        self.scaling_func = _handle_args(scaling_func, args)
        self.args = args

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        X, Xs = self._slice(X, Xs)
        sx = self.scaling_func(X)
        sz = sx if Xs is None else self.scaling_func(Xs)
        k = self.cov_func(X, Xs)
        return T.apply(lambda a, b, c: jnp.outer(jnp.ravel(a), jnp.ravel(b)) * c, sx, sz, k)

    def diag(self, X: Any) -> T.TensorVariable:
        X, _ = self._slice(X)
        sx = self.scaling_func(X)
        return T.apply(lambda a, c: jnp.ravel(a) ** 2 * c, sx, self.cov_func(X, diag=True))


class Coregion(Covariance):
    """k(x, x') = B[x, x'] for integer-valued inputs (output indices), with
    ``B = W W^T + diag(kappa)`` or B given. Needs exactly one active dimension."""

    def __init__(
        self,
        input_dim: int,
        W: Any = None,  # noqa: N803 (PyMC's name)
        kappa: Any = None,
        B: Any = None,  # noqa: N803
        active_dims: Sequence[int] | None = None,
    ) -> None:
        super().__init__(input_dim, active_dims)
        if self.n_dims != 1:
            raise ValueError("Coregion requires exactly one dimension to be active")
        make_b = W is not None or kappa is not None
        if make_b == (B is not None):
            raise ValueError("Exactly one of (W, kappa) and B must be provided to Coregion")
        if make_b:
            if W is None or kappa is None:
                raise ValueError("Coregion: give both W and kappa")
            self.W, self.kappa = T.as_tensor(W), T.as_tensor(kappa)
            self.B = T.apply(lambda w, k: w @ w.T + jnp.diag(k), self.W, self.kappa)
        else:
            self.B = T.as_tensor(B)
            bs = _shape(self.B)
            if len(bs) != 2 or bs[0] != bs[1]:
                raise ShapeError(f"Coregion: B must be a square matrix, got shape {bs}")

    def full(self, X: Any, Xs: Any = None) -> T.TensorVariable:
        X, Xs = self._slice(X, Xs)
        Xs = X if Xs is None else Xs

        def k(b: Any, x: Any, xs: Any) -> Any:
            i = x[:, 0].astype(jnp.int32)
            j = xs[:, 0].astype(jnp.int32)
            return b[i[:, None], j[None, :]]

        return T.apply(k, self.B, X, Xs, opname="coregion")

    def diag(self, X: Any) -> T.TensorVariable:
        X, _ = self._slice(X)
        return T.apply(lambda b, x: jnp.diag(b)[x[:, 0].astype(jnp.int32)], self.B, X)
