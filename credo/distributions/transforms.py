"""Bijections between a constrained support and an unconstrained space.

Conventions (the same as PyMC's):
    ``forward(x, *args)``   constrained value -> unconstrained value
    ``backward(y, *args)``  unconstrained value -> constrained value
    ``log_jac_det(y, *args)``  log |det d backward(y) / dy|, reduced over the transform's
                               event dims (``event_ndim``); elementwise for event_ndim 0.
    ``unconstrained_shape(shape)``  shape of ``y`` for a constrained value of ``shape``.

``args`` are the evaluated values of ``transform.inputs`` (nodes or constants, e.g. the
bounds of an interval), so bounds that are random variables work.

``Chain`` (an alias of :class:`ChainedTransform`), ``Ordered`` and ``CholeskyCovPacked`` are
PyMC's spellings.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

__all__ = [
    "Transform",
    "LogTransform",
    "LogOddsTransform",
    "IntervalTransform",
    "LowerBoundTransform",
    "UpperBoundTransform",
    "SimplexTransform",
    "OrderedTransform",
    "CholeskyCorrTransform",
    "LKJCorrTransform",
    "CholeskyCovPackedTransform",
    "ChainedTransform",
    "ZeroSumTransform",
    "LogExpM1Transform",
    "SumTo1Transform",
    "log",
    "logodds",
    "simplex",
    "ordered",
    "Interval",
    "LowerBound",
    "UpperBound",
]


class Transform:
    """Base bijection. ``inputs`` are nodes/constants whose values are passed as ``*args``."""

    name = "transform"
    event_ndim = 0

    def __init__(self, *inputs: Any) -> None:
        self.inputs = tuple(inputs)

    def forward(self, x: Any, *args: Any) -> Any:
        raise NotImplementedError

    def backward(self, y: Any, *args: Any) -> Any:
        raise NotImplementedError

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        raise NotImplementedError

    def unconstrained_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return shape

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class LogTransform(Transform):
    """Positive reals: x = exp(y)."""

    name = "log"

    def forward(self, x: Any, *args: Any) -> Any:
        return jnp.log(x)

    def backward(self, y: Any, *args: Any) -> Any:
        return jnp.exp(y)

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        return y


class LogOddsTransform(Transform):
    """Unit interval: x = sigmoid(y)."""

    name = "logodds"

    def forward(self, x: Any, *args: Any) -> Any:
        return jnp.log(x) - jnp.log1p(-x)

    def backward(self, y: Any, *args: Any) -> Any:
        return jax.nn.sigmoid(y)

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        # log(sigmoid(y) * (1 - sigmoid(y))) written stably.
        return -jax.nn.softplus(-y) - jax.nn.softplus(y)


class IntervalTransform(Transform):
    """(lower, upper): x = lower + (upper - lower) * sigmoid(y). Inputs: lower, upper."""

    name = "interval"

    def forward(self, x: Any, lower: Any, upper: Any) -> Any:
        return jnp.log(x - lower) - jnp.log(upper - x)

    def backward(self, y: Any, lower: Any, upper: Any) -> Any:
        return lower + (upper - lower) * jax.nn.sigmoid(y)

    def log_jac_det(self, y: Any, lower: Any, upper: Any) -> Any:
        return jnp.log(upper - lower) - jax.nn.softplus(-y) - jax.nn.softplus(y)


class LowerBoundTransform(Transform):
    """(lower, inf): x = lower + exp(y). Input: lower."""

    name = "lowerbound"

    def forward(self, x: Any, lower: Any) -> Any:
        return jnp.log(x - lower)

    def backward(self, y: Any, lower: Any) -> Any:
        return lower + jnp.exp(y)

    def log_jac_det(self, y: Any, lower: Any) -> Any:
        return y + jnp.zeros_like(lower)


class UpperBoundTransform(Transform):
    """(-inf, upper): x = upper - exp(y). Input: upper."""

    name = "upperbound"

    def forward(self, x: Any, upper: Any) -> Any:
        return jnp.log(upper - x)

    def backward(self, y: Any, upper: Any) -> Any:
        return upper - jnp.exp(y)

    def log_jac_det(self, y: Any, upper: Any) -> Any:
        return y + jnp.zeros_like(upper)


class SimplexTransform(Transform):
    """Simplex of size K along the last axis <-> R^(K-1).

    Additive log-ratio with the last component as reference, centred as Stan's
    stick-breaking is not: x = softmax([y, 0]). log|J| = sum(log x) (all K components),
    the determinant of the (K-1)x(K-1) Jacobian of y -> x[:-1].
    """

    name = "simplex"
    event_ndim = 1

    def forward(self, x: Any, *args: Any) -> Any:
        logx = jnp.log(x)
        return logx[..., :-1] - logx[..., -1:]

    def backward(self, y: Any, *args: Any) -> Any:
        z = jnp.concatenate([y, jnp.zeros(y.shape[:-1] + (1,), y.dtype)], axis=-1)
        return jax.nn.softmax(z, axis=-1)

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        z = jnp.concatenate([y, jnp.zeros(y.shape[:-1] + (1,), y.dtype)], axis=-1)
        return jnp.sum(jax.nn.log_softmax(z, axis=-1), axis=-1)

    def unconstrained_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return shape[:-1] + (shape[-1] - 1,)


class OrderedTransform(Transform):
    """Increasing vectors along the last axis: x0 = y0, x_i = x_{i-1} + exp(y_i)."""

    name = "ordered"
    event_ndim = 1

    def forward(self, x: Any, *args: Any) -> Any:
        return jnp.concatenate([x[..., :1], jnp.log(jnp.diff(x, axis=-1))], axis=-1)

    def backward(self, y: Any, *args: Any) -> Any:
        return jnp.cumsum(jnp.concatenate([y[..., :1], jnp.exp(y[..., 1:])], axis=-1), axis=-1)

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        return jnp.sum(y[..., 1:], axis=-1)


def _log1m_tanh2(y: Any) -> Any:
    """log(1 - tanh(y)^2) = 2 (log 2 - |y| - log(1 + exp(-2|y|))), finite for any y."""
    a = jnp.abs(y)
    return 2.0 * (np.log(2.0) - a - jnp.log1p(jnp.exp(-2.0 * a)))


def corr_chol_from_cpc(z: Any, log1mz2: Any, n: int) -> tuple[Any, Any, Any]:
    """Canonical partial correlations -> Cholesky factor of a correlation matrix.

    ``z``: (..., n(n-1)/2) in (-1, 1), row-major over the strictly lower triangle;
    ``log1mz2``: log(1 - z^2), passed in so that callers can compute it stably.
    Row i of L is ``L_ij = z_ij sqrt(prod_{k<j} (1 - z_ik^2))`` for j < i and
    ``L_ii = sqrt(prod_{k<i} (1 - z_ik^2))`` (Stan Reference Manual, "Cholesky factors of
    correlation matrices"), so every row has unit norm.
    Returns (L of shape (..., n, n), log|det dw/dz| of z -> w = strictly lower entries of L,
    log diag(L) of shape (..., n)).
    """
    rows, cols = np.tril_indices(n, k=-1)
    batch = z.shape[:-1]
    zmat = jnp.zeros(batch + (n, n), z.dtype).at[..., rows, cols].set(z)
    lmat = jnp.zeros(batch + (n, n), z.dtype).at[..., rows, cols].set(log1mz2)
    # Exclusive cumulative sum along the row: log prod_{k<j} (1 - z_ik^2).
    lrem = jnp.cumsum(lmat, axis=-1) - lmat
    log_diag = jnp.sum(lmat, axis=-1) * 0.5
    strict = np.tril(np.ones((n, n), bool), k=-1)
    L = jnp.where(strict, zmat * jnp.exp(0.5 * lrem), 0.0)
    L = L + jnp.exp(log_diag)[..., None] * np.eye(n)
    # Within a row, w_ij depends on z_ik for k <= j only: a triangular Jacobian whose
    # diagonal is d w_ij / d z_ij = sqrt(prod_{k<j} (1 - z_ik^2)).
    logdet = 0.5 * jnp.sum(lrem[..., rows, cols], axis=-1)
    return L, logdet, log_diag


def cpc_from_corr_chol(L: Any, n: int) -> Any:
    """Inverse of :func:`corr_chol_from_cpc`: z_ij = L_ij / sqrt(sum_{k>=j} L_ik^2)."""
    rows, cols = np.tril_indices(n, k=-1)
    sq = jnp.tril(L) ** 2
    # Tail sums sum_{k=j}^{i} L_ik^2 (= 1 - sum_{k<j} L_ik^2 for a unit row, without the
    # cancellation).
    tail = jnp.flip(jnp.cumsum(jnp.flip(sq, axis=-1), axis=-1), axis=-1)
    return L[..., rows, cols] / jnp.sqrt(tail[..., rows, cols])


class CholeskyCorrTransform(Transform):
    """Cholesky factors of n x n correlation matrices <-> R^(n(n-1)/2).

    Stan's construction (Stan Reference Manual, "Cholesky factors of correlation
    matrices"): canonical partial correlations z = tanh(y), filled row by row below the
    diagonal, then each row scaled to unit norm. The value is the (n, n) lower factor; its
    free coordinates are the strictly lower entries (row-major), and ``log_jac_det`` is
    the log-determinant of y -> those entries (the diagonal is determined by them).
    """

    name = "cholesky_corr"
    event_ndim = 2

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = int(n)

    def unconstrained_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        n = self.n
        return shape[:-2] + (n * (n - 1) // 2,)

    def backward(self, y: Any, *args: Any) -> Any:
        return self._backward_and_logdet(y)[0]

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        return self._backward_and_logdet(y)[1]

    def _backward_and_logdet(self, y: Any) -> tuple[Any, Any, Any]:
        y = jnp.asarray(y)
        log1mz2 = _log1m_tanh2(y)
        L, logdet, log_diag = corr_chol_from_cpc(jnp.tanh(y), log1mz2, self.n)
        # dz/dy = 1 - tanh(y)^2.
        return L, logdet + jnp.sum(log1mz2, axis=-1), log_diag

    def forward(self, x: Any, *args: Any) -> Any:
        return jnp.arctanh(cpc_from_corr_chol(jnp.asarray(x), self.n))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={self.n})"


class LKJCorrTransform(Transform):
    """Packed correlation matrices (LKJCorr's value) <-> R^(n(n-1)/2).

    The value is the upper triangle of an n x n correlation matrix C, row-major
    (``np.triu_indices(n, k=1)``). Backward: y -> L (:class:`CholeskyCorrTransform`) ->
    C = L L^T -> packed. The Jacobian of the strictly lower entries of L -> those of C is
    block triangular by rows (row i of C below the diagonal is L[:i, :i] @ L[i, :i]), so
    log|det| = sum_j (n - 1 - j) log L_jj (0-based j).
    """

    name = "lkj_corr"
    event_ndim = 1

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = int(n)
        self._chol = CholeskyCorrTransform(self.n)
        self._iu = np.triu_indices(self.n, k=1)

    def backward(self, y: Any, *args: Any) -> Any:
        L = self._chol.backward(y)
        C = L @ jnp.swapaxes(L, -1, -2)
        return C[..., self._iu[0], self._iu[1]]

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        _, logdet, log_diag = self._chol._backward_and_logdet(y)
        return logdet + jnp.sum(log_diag * (self.n - 1 - np.arange(self.n)), axis=-1)

    def forward(self, x: Any, *args: Any) -> Any:
        n = self.n
        x = jnp.asarray(x)
        C = jnp.zeros(x.shape[:-1] + (n, n), x.dtype).at[..., self._iu[0], self._iu[1]].set(x)
        C = C + jnp.swapaxes(C, -1, -2) + np.eye(n)
        return self._chol.forward(jnp.linalg.cholesky(C))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={self.n})"


class CholeskyCovPackedTransform(Transform):
    """Packed lower-triangular matrices with a positive diagonal <-> R^(n(n+1)/2).

    The value is LKJCholeskyCov's: the lower triangle of an n x n Cholesky factor,
    row-major (``np.tril_indices(n)``). Diagonal entries are exp(y), the others y, so
    log|J| = sum of y over the diagonal positions (PyMC's CholeskyCovPacked).
    """

    name = "cholesky_cov_packed"
    event_ndim = 1

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = int(n)
        self._diag = np.cumsum(np.arange(1, self.n + 1)) - 1
        self._is_diag = np.zeros(self.n * (self.n + 1) // 2, bool)
        self._is_diag[self._diag] = True

    def forward(self, x: Any, *args: Any) -> Any:
        x = jnp.asarray(x)
        return jnp.where(self._is_diag, jnp.log(jnp.where(self._is_diag, x, 1.0)), x)

    def backward(self, y: Any, *args: Any) -> Any:
        y = jnp.asarray(y)
        return jnp.where(self._is_diag, jnp.exp(jnp.where(self._is_diag, y, 0.0)), y)

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        return jnp.sum(jnp.asarray(y)[..., self._diag], axis=-1)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n={self.n})"


class ChainedTransform(Transform):
    """Transforms applied in turn: ``Chain([log, ordered])`` maps a positive ordered vector
    to R^n by ``log`` first, then ``ordered`` (PyMC's order). ``backward`` runs the list in
    reverse; the log-Jacobians add up, each reduced to the chain's event dims."""

    name = "chain"

    def __init__(self, transform_list: Any) -> None:
        self.transform_list = tuple(transform_list)
        if not self.transform_list:
            raise ValueError("Chain needs at least one transform")
        for t in self.transform_list:
            if not isinstance(t, Transform):
                raise TypeError(f"Chain: {t!r} is not a transform")
        self.inputs = tuple(i for t in self.transform_list for i in t.inputs)
        self.event_ndim = max(t.event_ndim for t in self.transform_list)

    def _split(self, args: tuple) -> list[tuple]:
        out, at = [], 0
        for t in self.transform_list:
            n = len(t.inputs)
            out.append(tuple(args[at : at + n]))
            at += n
        return out

    def forward(self, x: Any, *args: Any) -> Any:
        for t, a in zip(self.transform_list, self._split(args)):
            x = t.forward(x, *a)
        return x

    def backward(self, y: Any, *args: Any) -> Any:
        pairs = list(zip(self.transform_list, self._split(args)))
        for t, a in reversed(pairs):
            y = t.backward(y, *a)
        return y

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        pairs = list(zip(self.transform_list, self._split(args)))
        n_batch = jnp.ndim(y) - self.event_ndim
        total = jnp.zeros(jnp.shape(y)[:n_batch])
        for t, a in reversed(pairs):
            term = jnp.asarray(t.log_jac_det(y, *a))
            extra = tuple(range(n_batch, term.ndim))
            total = total + (jnp.sum(term, axis=extra) if extra else term)
            y = t.backward(y, *a)
        return total

    def unconstrained_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        for t in self.transform_list:
            shape = t.unconstrained_shape(shape)
        return shape

    def __repr__(self) -> str:
        return f"Chain({list(self.transform_list)})"


Chain = ChainedTransform


class ZeroSumTransform(Transform):
    """Arrays summing to zero along each of ``zerosum_axes`` (trailing axes) <-> one entry
    fewer per axis.

    Along an axis of length n, backward is the Householder reflection H that swaps the
    last basis vector with 1/sqrt(n) (1, ..., 1), applied to (y, 0): an isometry onto the
    zero-sum subspace, so log|J| = 0 with respect to that subspace's own measure.
    In closed form, with s = sum(y): x_i = y_i - s / (sqrt(n) (sqrt(n) - 1)) for i < n and
    x_n = s / sqrt(n); forward: y_i = x_i + x_n / (sqrt(n) - 1).
    """

    name = "zerosum"

    def __init__(self, zerosum_axes: Any = (-1,)) -> None:
        super().__init__()
        axes = sorted({int(a) for a in np.atleast_1d(zerosum_axes)})
        if any(a >= 0 for a in axes):
            raise ValueError("ZeroSumTransform: give the zero-sum axes as negative (trailing)")
        self.zerosum_axes = tuple(axes)
        self.event_ndim = -min(axes)

    def forward(self, x: Any, *args: Any) -> Any:
        for ax in self.zerosum_axes:
            n = x.shape[ax]
            last = jnp.take(x, jnp.array([n - 1]), axis=ax)
            rest = jnp.take(x, jnp.arange(n - 1), axis=ax)
            x = rest + last / (np.sqrt(n) - 1.0)
        return x

    def backward(self, y: Any, *args: Any) -> Any:
        for ax in self.zerosum_axes:
            n = y.shape[ax] + 1
            s = jnp.sum(y, axis=ax, keepdims=True)
            rn = np.sqrt(n)
            y = jnp.concatenate([y - s / (rn * (rn - 1.0)), s / rn], axis=ax)
        return y

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        return jnp.zeros(jnp.shape(y)[: jnp.ndim(y) - self.event_ndim])

    def unconstrained_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        out = list(shape)
        for ax in self.zerosum_axes:
            out[ax] -= 1
        return tuple(out)

    def __repr__(self) -> str:
        return f"ZeroSumTransform({list(self.zerosum_axes)})"


class LogExpM1Transform(Transform):
    """Positive reals through the softplus: x = log(1 + exp(y)) (PyMC's log_exp_m1)."""

    name = "log_exp_m1"

    def forward(self, x: Any, *args: Any) -> Any:
        # log(exp(x) - 1) = x + log(1 - exp(-x)), stable for large x.
        return x + jnp.log(-jnp.expm1(-x))

    def backward(self, y: Any, *args: Any) -> Any:
        return jax.nn.softplus(y)

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        return -jax.nn.softplus(-y)  # log sigmoid(y)


class SumTo1Transform(Transform):
    """Vectors summing to 1 along the last axis <-> their first K - 1 entries (PyMC's
    sum_to_1): the last entry is 1 minus the others; log|J| = 0 in those coordinates."""

    name = "sum_to_1"
    event_ndim = 1

    def forward(self, x: Any, *args: Any) -> Any:
        return x[..., :-1]

    def backward(self, y: Any, *args: Any) -> Any:
        return jnp.concatenate([y, 1.0 - jnp.sum(y, axis=-1, keepdims=True)], axis=-1)

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        return jnp.zeros(jnp.shape(y)[:-1])

    def unconstrained_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return shape[:-1] + (shape[-1] - 1,)


# Shared instances for transforms with no inputs (PyMC spells them this way too).
log = LogTransform()
logodds = LogOddsTransform()
simplex = SimplexTransform()
ordered = OrderedTransform()
log_exp_m1 = LogExpM1Transform()
sum_to_1 = SumTo1Transform()
Ordered = OrderedTransform
CholeskyCovPacked = CholeskyCovPackedTransform


def Interval(lower: Any, upper: Any) -> IntervalTransform:  # noqa: N802 (PyMC's spelling)
    return IntervalTransform(lower, upper)


def LowerBound(lower: Any) -> LowerBoundTransform:  # noqa: N802
    return LowerBoundTransform(lower)


def UpperBound(upper: Any) -> UpperBoundTransform:  # noqa: N802
    return UpperBoundTransform(upper)
