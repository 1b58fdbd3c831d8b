"""credo.math: functions on credo variables (lazy) and on plain arrays (eager).

Each function accepts nodes, constants, or lists mixing them. Any other jax.numpy (or jax)
function can be lifted the same way::

    import jax.numpy as jnp
    cosh = credo.math.lift(jnp.cosh)
    y = cosh(x)          # a lazy node when x is a credo variable
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp

from credo import special
from credo.model.tensor import apply, as_tensor, lift, mark_stacked

__all__ = [
    "lift",
    "exp",
    "log",
    "log1p",
    "expm1",
    "sqrt",
    "abs",
    "sigmoid",
    "invlogit",
    "logit",
    "dot",
    "matmul",
    "sum",
    "mean",
    "prod",
    "cumsum",
    "diag",
    "stack",
    "concatenate",
    "where",
    "switch",
    "maximum",
    "minimum",
    "clip",
    "logsumexp",
    "softmax",
    "log_softmax",
    "erf",
    "erfc",
    "gammaln",
    "sqr",
    "square",
    "pow",
    "tanh",
    "sin",
    "cos",
    "floor",
    "ceil",
    "round",
    "sgn",
    "sign",
    "eq",
    "neq",
    "lt",
    "le",
    "gt",
    "ge",
    "and_",
    "or_",
    "log1mexp",
    "logaddexp",
    "dimshuffle",
    "transpose",
    "reshape",
    "flatten",
    "outer",
    "det",
    "matrix_inverse",
    "cholesky",
    "trace",
    "zeros_like",
    "ones_like",
    "erfinv",
    "probit",
    "invprobit",
    "softplus",
    "std",
    "var",
    "constant",
    "max",
    "min",
    "full",
    "zeros",
    "ones",
    "arange",
    "kron",
]

exp = lift(jnp.exp, "exp")
log = lift(jnp.log, "log")
log1p = lift(jnp.log1p, "log1p")
expm1 = lift(jnp.expm1, "expm1")
sqrt = lift(jnp.sqrt, "sqrt")
abs = lift(jnp.abs, "abs")  # noqa: A001 (PyMC's name)
sigmoid = lift(jax.nn.sigmoid, "sigmoid")
invlogit = sigmoid
logit = lift(jsp.logit, "logit")
tanh = lift(jnp.tanh, "tanh")
sin = lift(jnp.sin, "sin")
cos = lift(jnp.cos, "cos")
floor = lift(jnp.floor, "floor")
ceil = lift(jnp.ceil, "ceil")
round = lift(jnp.round, "round")  # noqa: A001
sign = lift(jnp.sign, "sign")
sgn = sign
square = lift(jnp.square, "square")
sqr = square
pow = lift(jnp.power, "pow")  # noqa: A001
erf = lift(jsp.erf, "erf")
erfc = lift(jsp.erfc, "erfc")
erfinv = lift(jsp.erfinv, "erfinv")
gammaln = lift(jsp.gammaln, "gammaln")
softplus = lift(jax.nn.softplus, "softplus")
logaddexp = lift(jnp.logaddexp, "logaddexp")
maximum = lift(jnp.maximum, "maximum")
minimum = lift(jnp.minimum, "minimum")
clip = lift(jnp.clip, "clip")
dot = lift(jnp.dot, "dot")
matmul = lift(jnp.matmul, "matmul")
outer = lift(jnp.outer, "outer")
kron = lift(jnp.kron, "kron")
sum = lift(jnp.sum, "sum")  # noqa: A001
mean = lift(jnp.mean, "mean")
prod = lift(jnp.prod, "prod")
std = lift(jnp.std, "std")
var = lift(jnp.var, "var")
max = lift(jnp.max, "max")  # noqa: A001
min = lift(jnp.min, "min")  # noqa: A001
cumsum = lift(jnp.cumsum, "cumsum")
transpose = lift(jnp.transpose, "transpose")
reshape = lift(jnp.reshape, "reshape")
flatten = lift(jnp.ravel, "flatten")
det = lift(jnp.linalg.det, "det")
matrix_inverse = lift(jnp.linalg.inv, "matrix_inverse")
cholesky = lift(jnp.linalg.cholesky, "cholesky")
trace = lift(jnp.trace, "trace")
zeros_like = lift(jnp.zeros_like, "zeros_like")
ones_like = lift(jnp.ones_like, "ones_like")
eq = lift(jnp.equal, "eq")
neq = lift(jnp.not_equal, "neq")
lt = lift(jnp.less, "lt")
le = lift(jnp.less_equal, "le")
gt = lift(jnp.greater, "gt")
ge = lift(jnp.greater_equal, "ge")
and_ = lift(jnp.logical_and, "and")
or_ = lift(jnp.logical_or, "or")
full = jnp.full
zeros = jnp.zeros
ones = jnp.ones
arange = jnp.arange


def _diag(x: Any) -> Any:
    return jnp.diag(x) if jnp.ndim(x) <= 2 else jnp.diagonal(x, axis1=-2, axis2=-1)


diag = lift(_diag, "diag")


def _stack(xs: Any, axis: int = 0) -> Any:
    return jnp.stack(jnp.broadcast_arrays(*xs), axis=axis) if axis == 0 else jnp.stack(xs, axis)


_lifted_stack = lift(_stack, "stack")


def stack(xs: Any, axis: int = 0) -> Any:
    """Stack a sequence of variables (or numbers) along a new axis."""
    out = _lifted_stack(xs, axis=axis)
    if axis == 0 and isinstance(xs, list | tuple) and len(xs) == len(getattr(out, "inputs", ())):
        mark_stacked(out)
    return out


concatenate = lift(jnp.concatenate, "concatenate")


def _where(cond: Any, a: Any, b: Any) -> Any:
    return jnp.where(cond, a, b)


where = lift(_where, "where")
switch = where


def _logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return jsp.logsumexp(x, axis=axis, keepdims=keepdims)


logsumexp = lift(_logsumexp, "logsumexp")


def _softmax(x: Any, axis: int = -1) -> Any:
    return jax.nn.softmax(x, axis=axis)


softmax = lift(_softmax, "softmax")


def _log_softmax(x: Any, axis: int = -1) -> Any:
    return jax.nn.log_softmax(x, axis=axis)


log_softmax = lift(_log_softmax, "log_softmax")


# log(1 - exp(-x)) for x > 0 (PyMC 3's convention).
log1mexp = lift(special.log1mexp, "log1mexp")


def _probit(p: Any) -> Any:
    return jnp.sqrt(2.0) * jsp.erfinv(2 * p - 1)


def _invprobit(x: Any) -> Any:
    return 0.5 * jsp.erfc(-x / jnp.sqrt(2.0))


probit = lift(_probit, "probit")
invprobit = lift(_invprobit, "invprobit")


def dimshuffle(x: Any, *pattern: Any) -> Any:
    return as_tensor(x).dimshuffle(*pattern)


def constant(x: Any) -> Any:
    return as_tensor(x)


def expand_packed_triangular(
    n: int, packed: Any, lower: bool = True, diagonal_only: bool = False
) -> Any:
    """Unpack a packed triangle (row-major lower triangle, as LKJCholeskyCov gives it)
    into an (n, n) matrix; ``lower=False`` gives the upper triangle (the transpose)."""
    import numpy as np

    rows, cols = np.tril_indices(n)
    diag_idx = np.cumsum(np.arange(1, n + 1)) - 1

    def op(v: Any) -> Any:
        if diagonal_only:
            return v[..., diag_idx]
        out = jnp.zeros(v.shape[:-1] + (n, n), v.dtype).at[..., rows, cols].set(v)
        return out if lower else jnp.swapaxes(out, -1, -2)

    return apply(op, packed, opname="expand_packed_triangular")
