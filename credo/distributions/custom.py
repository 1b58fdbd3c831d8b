"""CustomDist (and its older name DensityDist): a distribution from user functions.

Two forms, as in PyMC:

* ``CustomDist(name, *params, logp=fn, random=fn, logcdf=fn, support_point=fn,
  ndim_supp=0, dtype="floatX")``: ``logp(value, *params)`` is written with ``pm.math``
  (or ``jax.numpy``) and may call ``pm.logp(pm.Normal.dist(...), value)``;
  ``random(*params, rng=np.random.Generator, size=tuple)`` returns a numpy array (it runs
  outside the compiled program, through ``jax.pure_callback``).
* ``CustomDist(name, *params, dist=fn)``: ``fn(*params, size)`` builds the variable from
  other distributions (``.dist()`` calls and ``pm.math``). Draws come from that graph; the
  log-density is derived when ``fn`` returns a distribution (e.g. a ``Mixture`` or
  ``Truncated`` built from the parameters), else ``logp=`` must be given.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo import tensor as T
from credo.distributions import constraints as C
from credo.distributions.base import Distribution
from credo.errors import ParameterError

__all__ = ["CustomDist", "DensityDist"]


def _dtype(dtype: Any) -> Any:
    if dtype in (None, "floatX"):
        return np.float64
    return np.dtype(dtype).type


def _graph_eval(out: T.TensorVariable, params: list[Any], values: list[Any], key: Any) -> Any:
    """Evaluate (drawing its random variables) the graph ``out``, with ``params`` (nodes)
    replaced by ``values``."""
    env = {id(p): v for p, v in zip(params, values) if isinstance(p, T.TensorVariable)}

    def deps(node: T.TensorVariable) -> list[T.TensorVariable]:
        if id(node) in env or node.kind == T.DATA:
            return []
        return [i for i in node.inputs if isinstance(i, T.TensorVariable)]

    for idx, node in enumerate(T.toposort([out], deps)):
        if id(node) in env:
            continue
        if node.kind == T.DATA:
            env[id(node)] = node.value
            continue
        args = [env[id(i)] if isinstance(i, T.TensorVariable) else i for i in node.inputs]
        if node.kind == T.RV:
            if key is None:
                raise NotImplementedError("a random variable where a value is needed")
            dist = node.distribution
            p = dict(zip(dist.params, args))
            sub = jax.random.fold_in(key, idx)
            env[id(node)] = jnp.asarray(dist.draw(sub, dist.runtime_shape(p), p))
        else:
            env[id(node)] = node.op(*args)
    return env[id(out)]


class CustomDist(Distribution):
    """A distribution defined by user functions; see the module docstring."""

    transform_doc = "none (the returned distribution's for dist=)"
    support_doc = "user-defined"

    support = C.unconstrained
    _fns: dict[str, Any] = {}

    def __new__(  # type: ignore[misc]
        cls, name: str, *params: Any, **kwargs: Any
    ) -> T.TensorVariable:
        sub, rest = _make_class(cls, params, kwargs)
        return Distribution.__new__(sub, name, *params, **rest)

    @classmethod
    def dist(cls, *params: Any, **kwargs: Any) -> Any:
        if getattr(cls, "_made", False):
            return super().dist(*params, **kwargs)
        sub, rest = _make_class(cls, params, kwargs)
        return sub.dist(*params, **rest)  # type: ignore[attr-defined]

    @classmethod
    def support_check(cls, value: Any, **params: Any) -> Any:
        return jnp.ones((), bool)

    def default_transform(self) -> Any:
        out = self._fns.get("graph")
        if out is not None and out.kind == T.RV:
            return out.distribution.default_transform()
        return None

    @classmethod
    def _args(cls, params: dict[str, Any]) -> list[Any]:
        # JAX values, so that pm.logp(...) inside the user's function computes at once.
        return [jnp.asarray(params[k]) for k in cls.param_names]

    @classmethod
    def logp(cls, value: Any, **params: Any) -> Any:
        fns = cls._fns
        args = cls._args(params)
        if fns.get("logp") is not None:
            return jnp.asarray(fns["logp"](jnp.asarray(value), *args))
        out = fns.get("graph")
        if out is not None and out.kind == T.RV:
            dist = out.distribution
            inner = [
                _graph_eval(i, fns["params"], args, None) if isinstance(i, T.TensorVariable) else i
                for i in out.inputs
            ]
            return dist.checked_logp(value, dict(zip(dist.params, inner)))
        raise NotImplementedError(
            f"{cls.__name__}: no logp; give logp= (the dist= function did not return a "
            "distribution whose log-density credo can use)"
        )

    @classmethod
    def logcdf(cls, value: Any, **params: Any) -> Any:
        fn = cls._fns.get("logcdf")
        if fn is None:
            raise NotImplementedError(f"{cls.__name__}: no logcdf; give logcdf=")
        return jnp.asarray(fn(jnp.asarray(value), *cls._args(params)))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, **params: Any) -> Any:
        fns = cls._fns
        args = cls._args(params)
        dtype = cls.rv_dtype
        if fns.get("graph") is not None:
            draw = _graph_eval(fns["graph"], fns["params"], args, rng_key)
            return jnp.broadcast_to(draw, shape).astype(dtype)
        random = fns.get("random")
        if random is None:
            raise NotImplementedError(
                f"{cls.__name__}: no random= function, so it cannot be drawn from"
            )
        nd = cls.ndim_supp
        size = tuple(shape[: len(shape) - nd]) if nd else tuple(shape)
        seed = jax.random.randint(rng_key, (), 0, 2**31 - 1)

        def host(seed: Any, *vals: Any) -> Any:
            rng = np.random.default_rng(int(seed))
            out = random(*[np.asarray(v) for v in vals], rng=rng, size=size)
            return np.broadcast_to(np.asarray(out, dtype=dtype), shape).copy()

        spec = jax.ShapeDtypeStruct(tuple(shape), np.dtype(dtype))
        return jax.pure_callback(host, spec, seed, *args, vmap_method="sequential")

    @classmethod
    def support_point(cls, shape: tuple, **params: Any) -> Any:
        fn = cls._fns.get("support_point")
        if fn is not None:
            return jnp.broadcast_to(jnp.asarray(fn(*cls._args(params))), shape)
        out = cls._fns.get("graph")
        if out is not None and out.kind == T.RV:
            return jnp.broadcast_to(jnp.asarray(0.0), shape).astype(cls.rv_dtype)
        return jnp.zeros(shape, cls.rv_dtype)


DensityDist = CustomDist


def _make_class(
    base: type[Distribution], params: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[type, dict[str, Any]]:
    fns: dict[str, Any] = {}
    for k in ("logp", "logcdf", "random", "dist", "support_point", "moment"):
        fn = kwargs.pop(k, None)
        if fn is not None and not callable(fn):
            raise ParameterError(f"CustomDist: '{k}' must be a function, got {type(fn).__name__}")
        fns[k] = fn
    if fns["moment"] is not None and fns["support_point"] is None:
        fns["support_point"] = fns.pop("moment")
    class_name = kwargs.pop("class_name", None) or "CustomDist"
    dtype = _dtype(kwargs.pop("dtype", "floatX"))
    ndim_supp = kwargs.pop("ndim_supp", None)
    for unused in ("signature", "ndims_params"):
        kwargs.pop(unused, None)
    names = tuple(f"param_{i}" for i in range(len(params)))
    attrs: dict[str, Any] = {
        "param_names": names,
        "rv_dtype": dtype,
        "discrete": np.dtype(dtype).kind in "iub",
        "_made": True,
    }
    if fns["dist"] is not None:
        size = kwargs.get("shape", kwargs.get("size"))
        as_nodes = [T.as_tensor(p) for p in params]
        out = fns["dist"](*as_nodes, size=size)
        if not isinstance(out, T.TensorVariable):
            raise ParameterError(f"{class_name}: dist= must return a credo variable, got {out!r}")
        fns["graph"] = out
        fns["params"] = as_nodes
        if out.kind == T.RV:
            ndim_supp = out.distribution.ndim_supp if ndim_supp is None else ndim_supp
            attrs["discrete"] = bool(out.distribution.discrete)
            attrs["rv_dtype"] = np.int64 if attrs["discrete"] else np.float64
        elif ndim_supp is None:
            ndim_supp = 0
        if "shape" not in kwargs and "size" not in kwargs and "observed" not in kwargs:
            kwargs["shape"] = out.shape
    fns.pop("dist")
    attrs["ndim_supp"] = int(ndim_supp or 0)
    attrs["_fns"] = fns
    if attrs["ndim_supp"]:
        attrs["event_shape"] = classmethod(lambda c, shapes, static: None)
    sub = type(class_name, (base,), attrs)
    return sub, kwargs
