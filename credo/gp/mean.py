"""Mean functions: ``mean_func(X)`` is the (n,) mean at the (n, input_dim) inputs X."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from credo.gp.cov import _shape, as_input
from credo.model import tensor as T

__all__ = ["Mean", "Zero", "Constant", "Linear"]


class Mean:
    """Base class of mean functions; ``+`` and ``*`` combine them."""

    __array_ufunc__ = None
    _credo_defer = True

    def __call__(self, X: Any) -> T.TensorVariable:
        raise NotImplementedError(f"{type(self).__name__}.__call__")

    def __add__(self, other: Mean) -> Add:
        return Add(self, other)

    def __mul__(self, other: Mean) -> Prod:
        return Prod(self, other)


class Zero(Mean):
    """m(x) = 0."""

    def __call__(self, X: Any) -> T.TensorVariable:
        X = as_input(X, "Zero")
        n = _shape(X)[0]
        return T.apply(lambda x: jnp.zeros((n,)), X, opname="zeros")


class Constant(Mean):
    """m(x) = c."""

    def __init__(self, c: Any = 0) -> None:
        self.c = T.as_tensor(c)

    def __call__(self, X: Any) -> T.TensorVariable:
        X = as_input(X, "Constant")
        n = _shape(X)[0]
        return T.apply(lambda x, c: jnp.ones((n,)) * c, X, self.c, opname="constant_mean")


class Linear(Mean):
    """m(x) = x^T coeffs + intercept; ``coeffs``: (input_dim,)."""

    def __init__(self, coeffs: Any, intercept: Any = 0) -> None:
        self.b = T.as_tensor(intercept)
        self.A = T.as_tensor(coeffs)

    def __call__(self, X: Any) -> T.TensorVariable:
        X = as_input(X, "Linear")
        return T.apply(
            lambda x, a, b: jnp.reshape(x @ jnp.reshape(a, (x.shape[1], -1)), (-1,)) + b,
            X,
            self.A,
            self.b,
            opname="linear_mean",
        )


class Add(Mean):
    def __init__(self, first: Mean, second: Mean) -> None:
        self.m1, self.m2 = first, second

    def __call__(self, X: Any) -> T.TensorVariable:
        return self.m1(X) + self.m2(X)


class Prod(Mean):
    def __init__(self, first: Mean, second: Mean) -> None:
        self.m1, self.m2 = first, second

    def __call__(self, X: Any) -> T.TensorVariable:
        return self.m1(X) * self.m2(X)
