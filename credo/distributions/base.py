"""The distribution base class: parameters, aliases, shapes, checks, registration.

A concrete distribution is a small class (see ``continuous.py`` for examples)::

    class Normal(Continuous):
        param_names = ("mu", "sigma")            # canonical names, positional order
        aliases = {"sd": "sigma"}                # alias -> canonical name
        defaults = {"mu": 0.0, "sigma": 1.0}
        param_checks = {"sigma": (positive, "positive")}
        support = "real"                         # see SUPPORTS

        @classmethod
        def standardize(cls, given):             # optional: other parametrisations
            ...                                  # e.g. tau -> sigma = tau ** -0.5

        @classmethod
        def logp(cls, value, mu, sigma): ...     # jax arrays -> log-density, batch shape
        @classmethod
        def sample(cls, rng_key, shape, mu, sigma): ...  # draws of `shape`
        @classmethod
        def support_point(cls, shape, mu, sigma): ...    # a central value of `shape`

``Normal("x", 0, 1)`` registers a random variable in the model on the context stack and
returns its node; ``Normal.dist(0, 1)`` returns an unregistered node (for ``sd_dist=``).
``Distribution.__new__`` returns a :class:`~credo.tensor.TensorVariable`, not an instance:
the node's ``distribution`` attribute holds the bound instance (parameters and shape).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import jax.numpy as jnp
import numpy as np

from credo import tensor as T
from credo.distributions import transforms as tr
from credo.errors import ParameterError, ShapeError
from credo.model import UNSET, Model

__all__ = [
    "Distribution",
    "Continuous",
    "Discrete",
    "positive",
    "nonnegative",
    "unit",
    "UNSET",
]



# Parameter checks: functions valid for numpy (definition time) and jax (run time).
def positive(x: Any) -> Any:
    return x > 0


def nonnegative(x: Any) -> Any:
    return x >= 0


def unit(x: Any) -> Any:
    return (x >= 0) & (x <= 1)


def finite(x: Any) -> Any:
    return (x > -np.inf) & (x < np.inf)


class Distribution:
    """Base class. See the module docstring for what a subclass declares."""

    param_names: ClassVar[tuple[str, ...]] = ()
    positional: ClassVar[tuple[str, ...] | None] = None  # positional order, if not param_names
    aliases: ClassVar[dict[str, str]] = {}
    defaults: ClassVar[dict[str, Any]] = {}
    param_checks: ClassVar[dict[str, tuple[Callable[[Any], Any], str]]] = {}
    param_ndims: ClassVar[dict[str, int]] = {}  # event rank of each parameter
    static_params: ClassVar[tuple[str, ...]] = ()  # Python values, not tensors (e.g. n of LKJ)
    ndim_supp: ClassVar[int] = 0  # event rank of the variable
    support: ClassVar[str] = "real"
    discrete: ClassVar[bool] = False
    rv_dtype: ClassVar[Any] = np.float64

    # Filled per instance by ``dist``.
    params: dict[str, Any]
    static: dict[str, Any]
    shape: tuple[int, ...]
    explicit_shape: bool

    # -- construction ---------------------------------------------------------------------
    def __new__(  # type: ignore[misc]
        cls,
        name: str,
        *args: Any,
        observed: Any = None,
        dims: Any = None,
        shape: Any = None,
        size: Any = None,
        transform: Any = UNSET,
        default_transform: Any = UNSET,
        initval: Any = None,
        testval: Any = None,
        **kwargs: Any,
    ) -> T.TensorVariable:
        if not isinstance(name, str):
            raise TypeError(
                f"{cls.__name__}(...): the first argument must be the variable's name (a str), "
                f"got {type(name).__name__}; use {cls.__name__}.dist(...) for an unnamed "
                "distribution"
            )
        model = Model.get_context(error_if_none=False)
        if model is None:
            raise _model_error(
                f"{cls.__name__}('{name}') was created outside any model: "
                "write it inside `with credo.Model():`"
            )
        full_name = model.prefix + name
        model.check_new_name(full_name)
        dims = model.resolve_dims(full_name, dims)
        if dims is not None and shape is None and size is None:
            shape = model.shape_from_dims(full_name, dims)
        obs = model.prepare_observed(full_name, observed) if observed is not None else None
        rv = cls._build(args, kwargs, shape=shape, size=size, observed=obs, name=full_name)
        if transform is UNSET and default_transform is not UNSET:
            transform = default_transform
        return model.register_rv(
            rv,
            full_name,
            observed=obs,
            dims=dims,
            transform=transform,
            initval=initval if initval is not None else testval,
        )

    @classmethod
    def dist(cls, *args: Any, shape: Any = None, size: Any = None, **kwargs: Any) -> Any:
        """An unregistered distribution node, e.g. ``sd_dist=pm.Exponential.dist(1.0)``."""
        return cls._build(args, kwargs, shape=shape, size=size, observed=None, name=None)

    @classmethod
    def _build(
        cls,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        shape: Any,
        size: Any,
        observed: Any,
        name: str | None,
    ) -> T.TensorVariable:
        label = f"{cls.__name__}('{name}')" if name else f"{cls.__name__}.dist"
        given = cls._collect(args, kwargs, label)
        static = {k: given.pop(k) for k in cls.static_params if k in given}
        try:
            params = (
                cls.standardize(dict(given), static) if hasattr(cls, "standardize") else given
            )
        except ParameterError as err:
            msg = str(err)
            # Name the variable (standardize only knows the class).
            for prefix in (f"{cls.__name__}: ", f"{cls.__name__}.dist: "):
                if msg.startswith(prefix):
                    msg = msg[len(prefix) :]
            raise ParameterError(f"{label}: {msg}") from None
        params = cls._complete(params, label)
        params = {k: T.as_tensor(v) for k, v in params.items()}
        cls._check_constant_params(params, label)
        inst = object.__new__(cls)
        inst.params = params
        inst.static = static
        inst.shape, inst.explicit_shape = cls._infer_shape(
            params, static, shape, size, observed, label
        )
        node = T.TensorVariable(
            None,
            list(params.values()),
            inst.shape,
            cls.rv_dtype,
            name=name,
            kind=T.RV,
            label=label,
        )
        node.distribution = inst
        return node

    @classmethod
    def _collect(cls, args: tuple[Any, ...], kwargs: dict[str, Any], label: str) -> dict:
        positional = cls.positional if cls.positional is not None else cls.param_names
        known = set(cls.param_names) | set(cls.aliases) | set(cls.static_params)
        known |= set(getattr(cls, "alt_params", ()))
        if len(args) > len(positional):
            raise ParameterError(
                f"{label}: takes at most {len(positional)} positional parameters "
                f"({', '.join(positional)}), got {len(args)}"
            )
        given: dict[str, Any] = {}
        for pname, value in zip(positional, args):
            given[pname] = value
        for key, value in kwargs.items():
            if key not in known:
                raise ParameterError(
                    f"{label}: unknown keyword argument '{key}'; expected one of {sorted(known)}"
                )
            canonical = cls.aliases.get(key, key)
            if canonical in given:
                other = [k for k in kwargs if cls.aliases.get(k, k) == canonical and k != key]
                first = other[0] if other else canonical
                raise ParameterError(
                    f"{label}: '{key}' and '{first}' both give the parameter '{canonical}'; "
                    "pass only one"
                )
            given[canonical] = value
        for k, v in list(given.items()):
            if v is None:
                del given[k]
        return given

    @classmethod
    def _complete(cls, params: dict[str, Any], label: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pname in cls.param_names:
            if pname in params:
                out[pname] = params[pname]
            elif pname in cls.defaults:
                out[pname] = cls.defaults[pname]
            else:
                raise ParameterError(f"{label}: missing the parameter '{pname}'")
        extra = set(params) - set(out)
        if extra:
            raise ParameterError(f"{label}: unexpected parameters {sorted(extra)}")
        return out

    @classmethod
    def _check_constant_params(cls, params: dict[str, Any], label: str) -> None:
        for pname, value in params.items():
            if isinstance(value, T.TensorVariable):
                continue
            arr = np.asarray(value)
            if arr.dtype.kind in "fc" and np.any(np.isnan(arr)):
                raise ParameterError(f"{label}: parameter '{pname}' contains NaN")
            check = cls.param_checks.get(pname)
            if check is None:
                continue
            fn, what = check
            ok = np.asarray(fn(arr))
            if not np.all(ok):
                bad = arr[~ok] if arr.ndim else arr
                raise ParameterError(
                    f"{label}: parameter '{pname}' must be {what}, got {np.ravel(bad)[:5]}"
                )

    @classmethod
    def _param_shape(cls, value: Any) -> tuple[int, ...]:
        return value.shape if isinstance(value, T.TensorVariable) else np.shape(value)

    @classmethod
    def event_shape(cls, shapes: dict[str, tuple[int, ...]], static: dict[str, Any]) -> tuple:
        """The event shape from the parameters' shapes (override for multivariates)."""
        return ()

    @classmethod
    def _infer_shape(
        cls,
        params: dict[str, Any],
        static: dict[str, Any],
        shape: Any,
        size: Any,
        observed: Any,
        label: str,
    ) -> tuple[tuple[int, ...], bool]:
        shapes = {k: tuple(cls._param_shape(v)) for k, v in params.items()}
        event = tuple(cls.event_shape(shapes, static))
        batch_shapes = []
        for k, s in shapes.items():
            nd = cls.param_ndims.get(k, 0)
            if len(s) < nd:
                raise ShapeError(
                    f"{label}: parameter '{k}' must have at least {nd} dimension(s), got shape {s}"
                )
            batch_shapes.append(s[: len(s) - nd])
        try:
            batch = np.broadcast_shapes(*batch_shapes) if batch_shapes else ()
        except ValueError:
            desc = ", ".join(f"{k} {s}" for k, s in shapes.items())
            raise ShapeError(f"{label}: parameter shapes do not broadcast: {desc}") from None
        natural = tuple(batch) + event
        if size is not None:
            size_t = tuple(np.atleast_1d(np.asarray(size, dtype=int)).tolist())
            shape = size_t + event if shape is None else shape
        if shape is not None:
            target = _as_shape(shape, label)
            if event and target[len(target) - len(event) :] != event:
                raise ShapeError(
                    f"{label}: shape {target} must end with the event shape {event} given "
                    "by the parameters"
                )
            _check_broadcast(natural, target, label, "the parameters' shape")
            if observed is not None:
                obs_shape = _shape_of(observed)
                if obs_shape != target:
                    raise ShapeError(
                        f"{label}: observed data of shape {obs_shape} do not match shape {target}"
                    )
            return target, True
        if observed is not None:
            obs_shape = _shape_of(observed)
            if event and obs_shape[len(obs_shape) - len(event) :] != event:
                raise ShapeError(
                    f"{label}: observed data of shape {obs_shape} must end with the event "
                    f"shape {event}"
                )
            _check_broadcast(
                natural, obs_shape, label, "the parameters' shape", against="observed data"
            )
            return obs_shape, False
        return natural, False

    # -- what a subclass implements ----------------------------------------------------------
    @classmethod
    def logp(cls, value: Any, **params: Any) -> Any:
        raise NotImplementedError(f"{cls.__name__}.logp")

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple[int, ...], **params: Any) -> Any:
        raise NotImplementedError(f"{cls.__name__}.sample")

    @classmethod
    def support_point(cls, shape: tuple[int, ...], **params: Any) -> Any:
        raise NotImplementedError(f"{cls.__name__}.support_point")

    @classmethod
    def support_check(cls, value: Any, **params: Any) -> Any:
        """Whether ``value`` lies in the support (batch shape); derived from ``support``."""
        s = cls.support
        if s == "real":
            return jnp.isfinite(value) if not cls.discrete else jnp.ones_like(value, bool)
        if s == "positive":
            return value > 0
        if s == "nonnegative":
            return value >= 0
        if s == "unit":
            return (value >= 0) & (value <= 1)
        if s == "open_unit":
            return (value > 0) & (value < 1)
        if s == "interval":
            lo, hi = cls.bounds(**params)
            return (value >= lo) & (value <= hi)
        if s == "greater_than":
            lo, _ = cls.bounds(**params)
            return value >= lo
        if s == "less_than":
            _, hi = cls.bounds(**params)
            return value <= hi
        if s == "counts":
            return (value >= 0) & (value == jnp.floor(value))
        if s == "integer_interval":
            lo, hi = cls.bounds(**params)
            return (value >= lo) & (value <= hi) & (value == jnp.floor(value))
        if s == "binary":
            return (value == 0) | (value == 1)
        if s == "any":
            return jnp.ones(jnp.shape(value)[: jnp.ndim(value) - cls.ndim_supp], bool)
        raise ValueError(f"unknown support {s!r}")

    @classmethod
    def bounds(cls, **params: Any) -> tuple[Any, Any]:
        """(lower, upper) of the support for bounded supports; uses ``bound_params``."""
        lo_name, hi_name = getattr(cls, "bound_params", ("lower", "upper"))
        lo = params[lo_name] if lo_name else -jnp.inf
        hi = params[hi_name] if hi_name else jnp.inf
        return lo, hi

    def default_transform(self) -> tr.Transform | None:
        """The transform to the unconstrained space, built from this instance's params."""
        s = self.support
        if self.discrete:
            return None
        if s == "positive" or s == "nonnegative":
            return tr.log
        if s in ("unit", "open_unit"):
            return tr.logodds
        lo_name, hi_name = getattr(self, "bound_params", ("lower", "upper"))
        if s == "interval":
            return tr.IntervalTransform(self.params[lo_name], self.params[hi_name])
        if s == "greater_than":
            return tr.LowerBoundTransform(self.params[lo_name])
        if s == "less_than":
            return tr.UpperBoundTransform(self.params[hi_name])
        return None

    # -- used by the compiler ------------------------------------------------------------------
    def checked_logp(self, value: Any, params: dict[str, Any]) -> Any:
        """``logp`` with the support and parameter checks: invalid -> -inf, never NaN."""
        cls = type(self)
        # Integer data and parameters take part as floats: the log-density is a real
        # function of them (and JAX's derivative rules refuse integer inputs).
        value = _as_float(value)
        params = {k: _as_float(v) for k, v in params.items()}
        lp = cls.logp(value, **params, **self.static)
        ok = cls.support_check(value, **params, **self.static)
        for pname, (fn, _) in cls.param_checks.items():
            pv = params[pname]
            okp = fn(pv)
            nd = cls.param_ndims.get(pname, 0)
            if nd:
                okp = jnp.all(okp, axis=tuple(range(-nd, 0)))
            ok = ok & okp
        lp = jnp.where(ok, lp, -jnp.inf)
        return jnp.where(jnp.isnan(lp), -jnp.inf, lp)

    def draw(self, rng_key: Any, shape: tuple[int, ...], params: dict[str, Any]) -> Any:
        return type(self).sample(rng_key, tuple(shape), **params, **self.static)

    def initial_value(self, params: dict[str, Any]) -> Any:
        return type(self).support_point(tuple(self.shape), **params, **self.static)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(shape={self.shape})"


class Continuous(Distribution):
    rv_dtype = np.float64


class Discrete(Distribution):
    discrete = True
    rv_dtype = np.int64
    support = "counts"


def _as_float(x: Any) -> Any:
    dt = getattr(x, "dtype", None)
    if dt is None:
        return jnp.asarray(x, dtype=float)
    if not jnp.issubdtype(dt, jnp.floating):
        return jnp.asarray(x).astype(float)
    return x


def _model_error(msg: str) -> Exception:
    from credo.errors import ModelError

    return ModelError(msg)


def _as_shape(shape: Any, label: str) -> tuple[int, ...]:
    try:
        if isinstance(shape, int | np.integer):
            out: tuple[int, ...] = (int(shape),)
        else:
            out = tuple(int(s) for s in shape)
    except TypeError:
        raise ShapeError(
            f"{label}: shape must be an int or a tuple of ints, got {shape!r}"
        ) from None
    if any(s < 0 for s in out):
        raise ShapeError(f"{label}: shape {out} has a negative length; lengths must be >= 0")
    return out


def _shape_of(x: Any) -> tuple[int, ...]:
    return x.shape if isinstance(x, T.TensorVariable) else np.shape(x)


def _check_broadcast(
    natural: tuple[int, ...],
    target: tuple[int, ...],
    label: str,
    what: str,
    against: str = "shape",
) -> None:
    try:
        out = np.broadcast_shapes(natural, target)
    except ValueError:
        out = None
    if out != tuple(target):
        raise ShapeError(
            f"{label}: {what} {natural} cannot be broadcast to the {against} {tuple(target)}"
        )
