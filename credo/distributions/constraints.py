"""Supports as objects, and the one registry from a support to its default bijector.

A distribution declares ``support = constraints.positive`` (or ``interval("lower",
"upper")``, ``simplex``, ...). A bound may be a number, the name of one of the
distribution's parameters, or a function of the parameters' dict, so that supports which
depend on parameters (Uniform, Binomial's ``n``, Categorical's length) are declared, not
coded::

    support = constraints.interval("lower", "upper")
    support = constraints.integer_interval(0, "n")

``check(value, params)`` gives whether values lie in the support (the batch shape: event
dims reduced). :func:`biject_to` looks up the bijector that maps the unconstrained space
onto a support, built from the distribution's parameters (nodes or constants), through
the registry :data:`BIJECTORS` (constraint type -> factory). New supports register a factory
with :func:`register_bijector`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

from credo import tensor as T
from credo.distributions import transforms as tr

__all__ = [
    "Constraint",
    "real",
    "positive",
    "nonnegative",
    "unit_interval",
    "open_unit_interval",
    "interval",
    "greater_than",
    "less_than",
    "nonnegative_integer",
    "positive_integer",
    "integer_interval",
    "boolean",
    "integer",
    "real_vector",
    "simplex",
    "ordered",
    "positive_ordered",
    "corr_packed",
    "cholesky_cov_packed",
    "multinomial",
    "zero_sum",
    "circular",
    "unconstrained",
    "biject_to",
    "register_bijector",
    "BIJECTORS",
]


def _resolve(bound: Any, params: dict[str, Any]) -> Any:
    if isinstance(bound, str):
        return params[bound]
    if callable(bound):
        return bound(params)
    return bound


def _describe_bound(b: Any) -> str:
    if isinstance(b, str):
        return b
    if callable(b):
        return getattr(b, "__doc__", None) or "f(params)"
    return repr(b) if not isinstance(b, float) or np.isfinite(b) else ("-inf" if b < 0 else "inf")


class Constraint:
    """A support. ``event_ndim``: how many trailing axes one point of it spans."""

    name = "constraint"
    event_ndim = 0
    discrete = False

    def check(self, value: Any, params: dict[str, Any]) -> Any:
        raise NotImplementedError

    def range(self, params: dict[str, Any]) -> tuple[Any, Any]:
        """(lowest, highest) value of a scalar support (for CDFs and truncation)."""
        return -np.inf, np.inf

    def describe(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"constraints.{self.describe()}"


class _Real(Constraint):
    name = "real"

    def check(self, value: Any, params: dict[str, Any]) -> Any:
        return jnp.isfinite(value)


class _Unconstrained(Constraint):
    """Anything (used by wrappers whose base decides, and improper/custom densities)."""

    name = "unconstrained"

    def check(self, value: Any, params: dict[str, Any]) -> Any:
        return ~jnp.isnan(value)


class _Positive(Constraint):
    name = "positive"

    def range(self, params: dict[str, Any]) -> tuple[Any, Any]:
        return 0.0, np.inf

    def check(self, value: Any, params: dict[str, Any]) -> Any:
        return value > 0


class _NonNegative(Constraint):
    name = "nonnegative"

    def range(self, params: dict[str, Any]) -> tuple[Any, Any]:
        return 0.0, np.inf

    def check(self, value: Any, params: dict[str, Any]) -> Any:
        return value >= 0


class _UnitInterval(Constraint):
    def range(self, params: dict[str, Any]) -> tuple[Any, Any]:
        return 0.0, 1.0

    name = "unit_interval"

    def check(self, value: Any, params: dict[str, Any]) -> Any:
        return (value >= 0) & (value <= 1)


class _OpenUnitInterval(Constraint):
    def range(self, params: dict[str, Any]) -> tuple[Any, Any]:
        return 0.0, 1.0

    name = "open_unit_interval"

    def check(self, value: Any, params: dict[str, Any]) -> Any:
        return (value > 0) & (value < 1)


class Interval(Constraint):
    """[lower, upper]; either end may be infinite (then it is a half line or the line)."""

    name = "interval"

    def __init__(self, lower: Any = -np.inf, upper: Any = np.inf) -> None:
        self.lower, self.upper = lower, upper

    def bounds(self, params: dict[str, Any]) -> tuple[Any, Any]:
        return _resolve(self.lower, params), _resolve(self.upper, params)

    def range(self, params: dict[str, Any]) -> tuple[Any, Any]:
        return self.bounds(params)

    def check(self, value: Any, params: dict[str, Any]) -> Any:
        lo, hi = self.bounds(params)
        return (value >= lo) & (value <= hi) & ~jnp.isnan(value)

    def describe(self) -> str:
        return f"interval({_describe_bound(self.lower)}, {_describe_bound(self.upper)})"


class IntegerInterval(Interval):
    name = "integer_interval"
    discrete = True

    def check(self, value: Any, params: dict[str, Any]) -> Any:
        return super().check(value, params) & (value == jnp.floor(value))

    def describe(self) -> str:
        lo, hi = _describe_bound(self.lower), _describe_bound(self.upper)
        return f"integer_interval({lo}, {hi})"


class _Integer(Constraint):
    name = "integer"
    discrete = True

    def check(self, value: Any, params: dict[str, Any]) -> Any:
        return jnp.isfinite(value) & (value == jnp.floor(value))


class _Boolean(Constraint):
    def range(self, params: dict[str, Any]) -> tuple[Any, Any]:
        return 0.0, 1.0

    name = "boolean"
    discrete = True

    def check(self, value: Any, params: dict[str, Any]) -> Any:
        return (value == 0) | (value == 1)


class _Vector(Constraint):
    """A constraint on the last axis (or two) of the value."""

    event_ndim = 1

    def __init__(self, name: str, fn: Callable[[Any], Any], event_ndim: int = 1) -> None:
        self.name = name
        self._fn = fn
        self.event_ndim = event_ndim

    def check(self, value: Any, params: dict[str, Any]) -> Any:
        return self._fn(value)


def _real_vector(x: Any) -> Any:
    return jnp.all(jnp.isfinite(x), axis=-1)


def sum_tolerance(x: Any, terms: int = 1) -> float:
    """How far from its target a sum of ``terms`` of ``x``'s values may be and still count
    as exact: 1e-8 in double precision; in single precision (eps 1.2e-7) 16 units of
    rounding per term, which a float32 softmax or centring meets."""
    eps = float(jnp.finfo(jnp.result_type(x, float)).eps)
    return max(1e-8, 16.0 * eps * terms)


def _simplex(x: Any) -> Any:
    tol = sum_tolerance(x, x.shape[-1])
    return jnp.all(x >= 0, axis=-1) & (jnp.abs(jnp.sum(x, axis=-1) - 1.0) <= tol)


def _ordered(x: Any) -> Any:
    return jnp.all(jnp.isfinite(x), axis=-1) & jnp.all(jnp.diff(x, axis=-1) > 0, axis=-1)


def _positive_ordered(x: Any) -> Any:
    return _ordered(x) & jnp.all(x > 0, axis=-1)


def _zero_sum(x: Any) -> Any:
    scale = 1.0 + jnp.max(jnp.abs(x), axis=-1)
    return _real_vector(x) & (
        jnp.abs(jnp.sum(x, axis=-1)) <= sum_tolerance(x) * scale * x.shape[-1]
    )


real = _Real()
unconstrained = _Unconstrained()
positive = _Positive()
nonnegative = _NonNegative()
unit_interval = _UnitInterval()
open_unit_interval = _OpenUnitInterval()
interval = Interval
integer = _Integer()
boolean = _Boolean()
real_vector = _Vector("real_vector", _real_vector)
simplex = _Vector("simplex", _simplex)
ordered = _Vector("ordered", _ordered)
positive_ordered = _Vector("positive_ordered", _positive_ordered)
zero_sum = _Vector("zero_sum", _zero_sum)
# Checked by the distributions themselves (they need their static sizes).
corr_packed = _Vector("corr_packed", _real_vector)
cholesky_cov_packed = _Vector("cholesky_cov_packed", _real_vector)
multinomial = _Vector("multinomial", _real_vector)
multinomial.discrete = True


def greater_than(lower: Any) -> Interval:
    return Interval(lower, np.inf)


def less_than(upper: Any) -> Interval:
    return Interval(-np.inf, upper)


def integer_interval(lower: Any, upper: Any) -> IntegerInterval:
    return IntegerInterval(lower, upper)


nonnegative_integer = IntegerInterval(0, np.inf)
nonnegative_integer.name = "nonnegative_integer"
positive_integer = IntegerInterval(1, np.inf)
positive_integer.name = "positive_integer"
circular = Interval(-np.pi, np.pi)


# -- the registry: constraint -> default bijector -------------------------------------------
Factory = Callable[[Constraint, dict[str, Any], dict[str, Any]], "tr.Transform | None"]
BIJECTORS: dict[Any, Factory] = {}


def register_bijector(key: Any) -> Callable[[Factory], Factory]:
    """Register the default-bijector factory of a constraint (its type, or an instance)."""

    def deco(fn: Factory) -> Factory:
        BIJECTORS[key] = fn
        return fn

    return deco


def biject_to(
    constraint: Constraint, params: dict[str, Any], static: dict[str, Any] | None = None
) -> tr.Transform | None:
    """The bijector from the unconstrained space onto ``constraint`` (None: identity).

    ``params``: the distribution's parameters (nodes or constants); bounds that are
    parameters become the transform's inputs, evaluated with the model.
    """
    if constraint.discrete:
        return None
    fn = BIJECTORS.get(id(constraint)) or BIJECTORS.get(type(constraint))
    if fn is None:
        return None
    return fn(constraint, params, static or {})


def _constant_inf(x: Any, sign: float) -> bool:
    """Whether a bound is a constant equal to sign * inf everywhere."""
    if isinstance(x, T.TensorVariable):
        return False
    arr = np.asarray(x)
    return bool(np.all(np.isinf(arr) & (np.sign(arr) == sign)))


@register_bijector(_Real)
@register_bijector(_Unconstrained)
def _identity(c: Constraint, params: dict, static: dict) -> None:
    return None


@register_bijector(_Positive)
@register_bijector(_NonNegative)
def _log(c: Constraint, params: dict, static: dict) -> tr.Transform:
    return tr.log


@register_bijector(_UnitInterval)
@register_bijector(_OpenUnitInterval)
def _logodds(c: Constraint, params: dict, static: dict) -> tr.Transform:
    return tr.logodds


@register_bijector(Interval)
def _interval(c: Constraint, params: dict, static: dict) -> tr.Transform | None:
    assert isinstance(c, Interval)
    lo, hi = c.bounds(params)
    no_lo, no_hi = _constant_inf(lo, -1.0), _constant_inf(hi, 1.0)
    if no_lo and no_hi:
        return None
    if no_hi:
        return tr.LowerBoundTransform(lo)
    if no_lo:
        return tr.UpperBoundTransform(hi)
    return tr.IntervalTransform(lo, hi)


def _register_instance(c: Constraint, fn: Factory) -> None:
    BIJECTORS[id(c)] = fn


_register_instance(real_vector, _identity)
_register_instance(simplex, lambda c, p, s: tr.simplex)
_register_instance(ordered, lambda c, p, s: tr.ordered)
_register_instance(positive_ordered, lambda c, p, s: tr.Chain([tr.log, tr.ordered]))
_register_instance(zero_sum, lambda c, p, s: tr.ZeroSumTransform([-1]))
_register_instance(corr_packed, lambda c, p, s: tr.LKJCorrTransform(s["n"]))
_register_instance(cholesky_cov_packed, lambda c, p, s: tr.CholeskyCovPackedTransform(s["n"]))
