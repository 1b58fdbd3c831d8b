"""The distribution base class: parameters, aliases, shapes, checks, registration.

A concrete distribution is a small class (see ``continuous.py`` for examples)::

    class Normal(Continuous):
        param_names = ("mu", "sigma")            # canonical names, positional order
        aliases = {"sd": "sigma"}                # alias -> canonical name
        defaults = {"mu": 0.0, "sigma": 1.0}
        param_checks = {"sigma": (positive, "positive")}
        support = constraints.real               # a Constraint (constraints.py)

        @classmethod
        def standardize(cls, given):             # optional: other parametrisations
            ...                                  # e.g. tau -> sigma = tau ** -0.5

        @classmethod
        def logp(cls, value, mu, sigma): ...     # jax arrays -> log-density, batch shape
        @classmethod
        def sample(cls, rng_key, shape, mu, sigma): ...  # draws of `shape`
        @classmethod
        def support_point(cls, shape, mu, sigma): ...    # a central value of `shape`

Optional: ``logcdf(value, ...)`` and ``icdf(q, ...)`` classmethods (univariates), and
``dist_params``: parameters whose values are distributions (``.dist()`` nodes, or lists of
them): their own parameters become inputs of this node, and the class's methods receive
them as :class:`BoundDist` objects (``.logp(x)``, ``.logcdf(x)``, ``.sample(key, shape)``).

``Normal("x", 0, 1)`` registers a random variable in the model on the context stack and
returns its node; ``Normal.dist(0, 1)`` returns an unregistered node (for ``sd_dist=``).
``Distribution.__new__`` returns a :class:`~credo.tensor.TensorVariable`, not an instance:
the node's ``distribution`` attribute holds the bound instance (parameters and shape).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np

from credo import tensor as T
from credo.distributions import constraints as C
from credo.distributions import transforms as tr
from credo.distributions.bound import (
    BoundDist,
    _as_subdist,
    _final_transform,
)
from credo.errors import ModelError, ParameterError, ShapeError
from credo.missing_data import MissingData
from credo.model import UNSET, Model

__all__ = [
    "Distribution",
    "Continuous",
    "Discrete",
    "positive",
    "nonnegative",
    "unit",
    "UNSET",
    "BoundDist",
]


# Imputation of missing observations builds new variables from distributions, so it lives
# in a layer above this one (credo.missing), which installs itself here when imported.
_IMPUTER: list[Callable[..., Any]] = [lambda *a, **k: _no_imputer()]


def _no_imputer() -> Any:
    raise ModelError("observed data with missing values need credo.missing (import credo)")


def set_imputer(fn: Callable[..., Any]) -> None:
    """Install the function that turns observed data with missing entries into variables."""
    _IMPUTER[0] = fn


def _defined(cls: type) -> set[str]:
    """Names defined by ``cls`` and its bases below Distribution."""
    names: set[str] = set()
    for c in cls.__mro__:
        if c is Distribution:
            break
        names |= set(vars(c))
    return names


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
    # Event rank and kind: class-level, but a wrapper (Mixture, Censored, a random walk) sets
    # them per instance from its components.
    ndim_supp: int = 0  # event rank of the variable
    support: ClassVar[C.Constraint] = C.real
    discrete: bool = False
    rv_dtype: ClassVar[Any] = np.float64
    dist_params: ClassVar[tuple[str, ...]] = ()  # parameters that are distributions

    # Filled per instance by ``dist``.
    params: dict[str, Any]
    static: dict[str, Any]
    subdists: dict[str, tuple[bool, list[Distribution]]]  # name -> (given as a list, dists)
    shape: tuple[int, ...]
    event: tuple[int, ...]
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
        total_size: Any = None,
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
        if isinstance(obs, MissingData):  # missing entries become free variables
            if transform is UNSET and default_transform is not UNSET:
                transform = default_transform
            return _IMPUTER[0](
                cls,
                args,
                kwargs,
                obs,
                model=model,
                name=full_name,
                dims=dims,
                shape=shape,
                size=size,
                transform=transform,
                total_size=total_size,
            )
        rv = cls._build(args, kwargs, shape=shape, size=size, observed=obs, name=full_name)
        if obs is None:
            transform = _final_transform(
                rv.distribution, transform, default_transform, f"{cls.__name__}('{full_name}')"
            )
        return model.register_rv(
            rv,
            full_name,
            observed=obs,
            dims=dims,
            transform=transform,
            initval=initval if initval is not None else testval,
            total_size=total_size,
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
            params = cls.standardize(dict(given), static) if hasattr(cls, "standardize") else given
        except ParameterError as err:
            msg = str(err)
            # Name the variable (standardize only knows the class).
            for prefix in (f"{cls.__name__}: ", f"{cls.__name__}.dist: "):
                if msg.startswith(prefix):
                    msg = msg[len(prefix) :]
            raise ParameterError(f"{label}: {msg}") from None
        subs = {k: params.pop(k) for k in cls.dist_params if k in params}
        params = cls._complete(params, label)
        params = {k: T.as_tensor(v) for k, v in params.items()}
        cls._check_constant_params(params, label)
        inst = object.__new__(cls)
        inst.static = static
        inst.subdists = {}
        for k, value in subs.items():
            is_list = isinstance(value, list | tuple)
            nodes = list(value) if is_list else [value]
            if not nodes:
                raise ParameterError(f"{label}: '{k}' must hold at least one distribution")
            inst.subdists[k] = (is_list, [_as_subdist(v, label, k) for v in nodes])
            for i, d in enumerate(inst.subdists[k][1]):
                for pk, pv in d.params.items():
                    params[f"{k}.{i}.{pk}"] = pv
        inst.params = params
        inst._post_init(label)
        inst.shape, inst.explicit_shape = inst._infer_shape(shape, size, observed, label)
        node = T.TensorVariable(
            None,
            list(params.values()),
            inst.shape,
            inst.value_dtype(),
            name=name,
            kind=T.RV,
            label=label,
        )
        node.distribution = inst
        return node

    def _post_init(self, label: str) -> None:
        """Checks and settings that need the bound parameters and sub-distributions."""

    def value_dtype(self) -> Any:
        # float64/int64, or their 32-bit kinds in single precision (CREDO_FLOAT32=1).
        return jax.dtypes.canonicalize_dtype(type(self).rv_dtype)

    @classmethod
    def _collect(cls, args: tuple[Any, ...], kwargs: dict[str, Any], label: str) -> dict:
        positional = cls.positional if cls.positional is not None else cls.param_names
        known = set(cls.param_names) | set(cls.aliases) | set(cls.static_params)
        known |= set(getattr(cls, "alt_params", ())) | set(cls.dist_params)
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
            if isinstance(value, T.TensorVariable | jax.core.Tracer):
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

    def batch_and_event(
        self, shapes: dict[str, tuple[int, ...]], sub_shapes: dict[str, list[tuple[int, ...]]]
    ) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
        """(batch shape, event shape) from the parameters' shapes (and the sub-distributions'
        shapes). An event shape of None means the variable's shape= declares it (a time
        series' length)."""
        cls = type(self)
        event = cls.event_shape(shapes, self.static)
        batch_shapes = []
        for k, s in shapes.items():
            nd = cls.param_ndims.get(k, 0)
            batch_shapes.append(s[: len(s) - nd])
        batch = np.broadcast_shapes(*batch_shapes) if batch_shapes else ()
        return tuple(batch), (None if event is None else tuple(event))

    def _regular(self, params: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in params.items() if "." not in k}

    def _infer_shape(
        self, shape: Any, size: Any, observed: Any, label: str
    ) -> tuple[tuple[int, ...], bool]:
        cls = type(self)
        shapes = {k: tuple(cls._param_shape(v)) for k, v in self._regular(self.params).items()}
        for k, s in shapes.items():
            nd = cls.param_ndims.get(k, 0)
            if len(s) < nd:
                raise ShapeError(
                    f"{label}: parameter '{k}' must have at least {nd} dimension(s), got shape {s}"
                )
        sub_shapes = {k: [d.shape for d in ds] for k, (_, ds) in self.subdists.items()}
        try:
            batch, event = self.batch_and_event(shapes, sub_shapes)
        except ShapeError:
            raise
        except ValueError:
            desc = ", ".join(f"{k} {s}" for k, s in shapes.items())
            raise ShapeError(f"{label}: parameter shapes do not broadcast: {desc}") from None
        if size is not None:
            size_t = tuple(np.atleast_1d(np.asarray(size, dtype=int)).tolist())
            if shape is None:
                shape = size_t + (event or ())
        if event is None:
            given = shape if shape is not None else observed
            if given is None:
                raise ShapeError(
                    f"{label}: give shape= (or dims=, steps=, observed=) for the length of "
                    "the series"
                )
            target = _as_shape(given, label) if shape is not None else _shape_of(observed)
            nd = int(self.ndim_supp)
            if len(target) < nd:
                raise ShapeError(f"{label}: shape {target} needs at least {nd} dimension(s)")
            event = tuple(target[len(target) - nd :])
            event = self.check_event(event, label)
        self.event = tuple(event)
        natural = tuple(batch) + self.event
        if shape is not None:
            target = _as_shape(shape, label)
            if event and target[len(target) - len(event) :] != tuple(event):
                raise ShapeError(
                    f"{label}: shape {target} must end with the event shape {tuple(event)} "
                    "given by the parameters"
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
            if event and obs_shape[len(obs_shape) - len(event) :] != tuple(event):
                raise ShapeError(
                    f"{label}: observed data of shape {obs_shape} must end with the event "
                    f"shape {tuple(event)}"
                )
            _check_broadcast(
                natural, obs_shape, label, "the parameters' shape", against="observed data"
            )
            return obs_shape, False
        return natural, False

    def check_event(self, event: tuple[int, ...], label: str) -> tuple[int, ...]:
        """Validate an event shape taken from shape= (time series override this)."""
        return event

    def natural_shape(self, params: dict[str, Any]) -> tuple[int, ...]:
        """The shape the parameters' current (possibly traced) values give."""
        shapes = {k: tuple(jnp.shape(v)) for k, v in self._regular(params).items()}
        sub_shapes = {
            k: [b.shape for b in (bs if isinstance(bs, list) else [bs])]
            for k, bs in self._bind(params).items()
            if k in self.subdists
        }
        batch, event = self.batch_and_event(shapes, sub_shapes)
        return tuple(batch) + (self.event if event is None else tuple(event))

    def runtime_shape(self, params: dict[str, Any]) -> tuple[int, ...]:
        """The draw shape of an unobserved variable (the declared shape when it fits)."""
        natural = self.natural_shape(params)
        try:
            if np.broadcast_shapes(natural, tuple(self.shape)) == tuple(self.shape):
                return tuple(self.shape)
        except ValueError:
            pass
        return natural

    # -- sub-distributions -------------------------------------------------------------------
    def _bind(self, params: dict[str, Any]) -> dict[str, Any]:
        """Regular parameters as they are; each distribution parameter as a BoundDist (or a
        list of them), with its own parameters picked out of the flat dict."""
        out = self._regular(params)
        for k, (is_list, dists) in self.subdists.items():
            bound = []
            for i, d in enumerate(dists):
                prefix = f"{k}.{i}."
                sub = {pk[len(prefix) :]: v for pk, v in params.items() if pk.startswith(prefix)}
                bound.append(BoundDist(d, sub))
            out[k] = bound if is_list else bound[0]
        return out

    # -- what a subclass implements ----------------------------------------------------------
    @classmethod
    def logp(cls, *args: Any, **params: Any) -> Any:
        """``logp(value, **params)``: the log-density, batch shape."""
        raise NotImplementedError(f"{cls.__name__}.logp")

    @classmethod
    def sample(cls, *args: Any, **params: Any) -> Any:
        """``sample(rng_key, shape, **params)``: draws of ``shape``."""
        raise NotImplementedError(f"{cls.__name__}.sample")

    @classmethod
    def support_point(cls, *args: Any, **params: Any) -> Any:
        """``support_point(shape, **params)``: a central value of ``shape``."""
        raise NotImplementedError(f"{cls.__name__}.support_point")

    @classmethod
    def logcdf(cls, *args: Any, **params: Any) -> Any:
        """``logcdf(value, **params)``, where the family has one (see ``has_logcdf``)."""
        raise NotImplementedError(f"{cls.__name__}.logcdf")

    @classmethod
    def icdf(cls, *args: Any, **params: Any) -> Any:
        """``icdf(q, **params)``, where the family has one (see ``has_icdf``)."""
        raise NotImplementedError(f"{cls.__name__}.icdf")

    @classmethod
    def support_check(cls, *args: Any, **params: Any) -> Any:
        """``support_check(value, **params)``: whether ``value`` lies in the support (batch
        shape); from the ``support``."""
        (value,) = args
        return cls.support.check(value, params)

    def default_transform(self) -> tr.Transform | None:
        """The bijector the constraint registry assigns to this support and parameters."""
        if self.discrete:
            return None
        return C.biject_to(type(self).support, self._bind(self.params), self.static)

    # -- used by the compiler ------------------------------------------------------------------
    def _prepared(self, params: dict[str, Any]) -> dict[str, Any]:
        # Integer data and parameters take part as floats: the log-density is a real
        # function of them (and JAX's derivative rules refuse integer inputs).
        return self._bind({k: _as_float(v) for k, v in params.items()})

    def _params_ok(self, params: dict[str, Any]) -> Any:
        cls = type(self)
        ok = jnp.ones((), bool)
        for pname, (fn, _) in cls.param_checks.items():
            okp = fn(params[pname])
            nd = cls.param_ndims.get(pname, 0)
            if nd:
                okp = jnp.all(okp, axis=tuple(range(-nd, 0)))
            ok = ok & okp
        return ok

    def checked_logp(self, value: Any, params: dict[str, Any]) -> Any:
        """``logp`` with the support and parameter checks: invalid -> -inf, never NaN."""
        cls = type(self)
        value = _as_float(value)
        bound = self._prepared(params)
        lp = cls.logp(value, **bound, **self.static)
        ok = cls.support_check(value, **bound, **self.static) & self._params_ok(bound)
        lp = jnp.where(ok, lp, -jnp.inf)
        return jnp.where(jnp.isnan(lp), -jnp.inf, lp)

    @classmethod
    def has_logcdf(cls) -> bool:
        return "logcdf" in _defined(cls)

    @classmethod
    def has_icdf(cls) -> bool:
        return "icdf" in _defined(cls)

    def checked_logcdf(self, value: Any, params: dict[str, Any]) -> Any:
        """log P(X <= value): -inf below the support, 0 above it, -inf for invalid
        parameters; never NaN."""
        cls = type(self)
        if not cls.has_logcdf():
            raise NotImplementedError(f"{cls.__name__} has no logcdf")
        value = _as_float(value)
        if self.discrete:
            value = jnp.floor(value)
        bound = self._prepared(params)
        lo, hi = cls.support.range(bound)
        inside = jnp.clip(value, lo, hi)
        lc = cls.logcdf(inside, **bound, **self.static)
        lc = jnp.where(value < lo, -jnp.inf, jnp.where(value >= hi, 0.0, lc))
        lc = jnp.where(self._params_ok(bound), jnp.minimum(lc, 0.0), -jnp.inf)
        return jnp.where(jnp.isnan(lc), -jnp.inf, lc)

    def checked_icdf(self, q: Any, params: dict[str, Any]) -> Any:
        """The quantile function; NaN for q outside [0, 1] or invalid parameters."""
        cls = type(self)
        if not cls.has_icdf():
            raise NotImplementedError(f"{cls.__name__} has no icdf")
        q = _as_float(q)
        bound = self._prepared(params)
        x = cls.icdf(q, **bound, **self.static)
        ok = (q >= 0) & (q <= 1) & self._params_ok(bound)
        return jnp.where(ok, x, jnp.nan)

    def draw(self, rng_key: Any, shape: tuple[int, ...], params: dict[str, Any]) -> Any:
        return type(self).sample(rng_key, tuple(shape), **self._bind(params), **self.static)

    def initial_value(self, params: dict[str, Any]) -> Any:
        return type(self).support_point(tuple(self.shape), **self._bind(params), **self.static)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(shape={self.shape})"


class Continuous(Distribution):
    rv_dtype = np.float64


class Discrete(Distribution):
    discrete = True
    rv_dtype = np.int64
    support: ClassVar[C.Constraint] = C.nonnegative_integer


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
