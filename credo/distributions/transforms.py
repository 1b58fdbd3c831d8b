"""Bijections between a constrained support and an unconstrained space.

Conventions (the same as PyMC's):
    ``forward(x, *args)``   constrained value -> unconstrained value
    ``backward(y, *args)``  unconstrained value -> constrained value
    ``log_jac_det(y, *args)``  log |det d backward(y) / dy|, reduced over the transform's
                               event dims (``event_ndim``); elementwise for event_ndim 0.
    ``unconstrained_shape(shape)``  shape of ``y`` for a constrained value of ``shape``.

``args`` are the evaluated values of ``transform.inputs`` (nodes or constants, e.g. the
bounds of an interval), so bounds that are random variables work.
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


class CholeskyCorrTransform(Transform):
    """Cholesky factors of n x n correlation matrices <-> R^(n(n-1)/2).

    Stan's construction (Stan Reference Manual, "Cholesky factors of correlation
    matrices"): canonical partial correlations z = tanh(y), filled row by row below the
    diagonal, then each row scaled to unit norm. The value is the (n, n) lower factor.
    """

    name = "cholesky_corr"
    event_ndim = 2

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = int(n)
        self._rows, self._cols = np.tril_indices(self.n, k=-1)

    def unconstrained_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        n = self.n
        return shape[:-2] + (n * (n - 1) // 2,)

    def backward(self, y: Any, *args: Any) -> Any:
        return self._backward_and_logdet(y)[0]

    def log_jac_det(self, y: Any, *args: Any) -> Any:
        return self._backward_and_logdet(y)[1]

    def _backward_and_logdet(self, y: Any) -> tuple[Any, Any]:
        n = self.n
        z = jnp.tanh(y)
        batch = y.shape[:-1]
        zmat = jnp.zeros(batch + (n, n), y.dtype).at[..., self._rows, self._cols].set(z)
        rows = [jnp.zeros(batch + (n,), y.dtype).at[..., 0].set(1.0)]
        logdet = jnp.zeros(batch, y.dtype)
        # dy -> dz: log(1 - z^2) for every z.
        logdet = logdet + jnp.sum(jnp.log1p(-(z**2)), axis=-1)
        for i in range(1, n):
            remaining = jnp.ones(batch, y.dtype)
            row = jnp.zeros(batch + (n,), y.dtype)
            for j in range(i):
                zij = zmat[..., i, j]
                row = row.at[..., j].set(zij * jnp.sqrt(remaining))
                # d x_ij / d z_ij = sqrt(remaining) (triangular Jacobian in the row).
                logdet = logdet + 0.5 * jnp.log(remaining)
                remaining = remaining * (1.0 - zij**2)
            row = row.at[..., i].set(jnp.sqrt(remaining))
            rows.append(row)
        return jnp.stack(rows, axis=-2), logdet

    def forward(self, x: Any, *args: Any) -> Any:
        n = self.n
        out = []
        for i in range(1, n):
            remaining = jnp.ones(x.shape[:-2], x.dtype)
            for j in range(i):
                zij = x[..., i, j] / jnp.sqrt(remaining)
                out.append(jnp.arctanh(zij))
                remaining = remaining - x[..., i, j] ** 2
        return jnp.stack(out, axis=-1)


# Shared instances for transforms with no inputs (PyMC spells them this way too).
log = LogTransform()
logodds = LogOddsTransform()
simplex = SimplexTransform()
ordered = OrderedTransform()


def Interval(lower: Any, upper: Any) -> IntervalTransform:  # noqa: N802 (PyMC's spelling)
    return IntervalTransform(lower, upper)


def LowerBound(lower: Any) -> LowerBoundTransform:  # noqa: N802
    return LowerBoundTransform(lower)


def UpperBound(upper: Any) -> UpperBoundTransform:  # noqa: N802
    return UpperBoundTransform(upper)
