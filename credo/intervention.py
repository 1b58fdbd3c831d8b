"""``do`` and ``observe``: new models with an intervention or a conditioning applied.

``do(model, {"x": 2.0})`` is the model in which ``x`` is *set* to 2 (Pearl's do-operator):
``x`` becomes a Data container of that value (change it later with ``set_data``), its
own distribution no longer counts, and everything downstream of ``x`` sees the value.
``observe(model, {"y": data})`` is the model in which the free variable ``y`` is observed
at ``data``. Both copy the model's graph; the original model is unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

import jax.numpy as jnp
import numpy as np

from credo import tensor as T
from credo.context import _stack
from credo.errors import ModelError, ShapeError
from credo.model import Model

__all__ = ["do", "observe"]


def _name_of(model: Model, key: Any, what: str) -> str:
    name = key if isinstance(key, str) else getattr(key, "name", None)
    root = model.root
    if isinstance(name, str) and name not in root._named_vars:
        prefixed = model.prefix + name
        name = prefixed if prefixed in root._named_vars else name
    if not isinstance(name, str) or name not in root._named_vars:
        raise ModelError(
            f"{what}: {name if isinstance(name, str) else key!r} is not a variable of the "
            f"model; its variables are {list(root._named_vars)}"
        )
    node = root._named_vars[name]
    if not isinstance(key, str) and key is not node:
        raise ModelError(f"{what}: the variable {name!r} given belongs to another model")
    return name


def _deps(node: T.TensorVariable) -> list[T.TensorVariable]:
    out = [i for i in node.inputs if isinstance(i, T.TensorVariable)]
    if isinstance(node.observed, T.TensorVariable):
        out.append(node.observed)
    if node.transform is not None:
        out.extend(i for i in node.transform.inputs if isinstance(i, T.TensorVariable))
    return out


def _new_root(old: Model) -> Model:
    """An empty root model with ``old``'s name, coords, dims and initial values."""
    stack = _stack()
    saved = list(stack)
    stack.clear()  # not a sub-model of whatever model is open now
    try:
        new = Model(name=old.name)
    finally:
        stack.extend(saved)
    new._coords = dict(old.root._coords)
    new._dims = dict(old.root._dims)
    new._initvals = dict(old.root._initvals)
    return new


def _clone(model: Model, replace: dict[str, T.TensorVariable], observe: dict[str, Any]) -> Model:
    """Copy ``model``'s graph into a new model, with the named nodes in ``replace``
    substituted (by a Data node, or by a Deterministic of an expression of the model's
    variables) and the free variables in ``observe`` made observed at those values."""
    old = model.root
    if old._marginals:
        raise ModelError(
            f"the model has the summed-out variables {list(old._marginals)} (pm.marginalize): "
            "apply do / observe to the original model, then marginalize the result"
        )
    new = _new_root(old)
    memo: dict[int, Any] = {}

    def get(x: Any) -> Any:
        return memo[id(x)] if isinstance(x, T.TensorVariable) else x

    replaced = {id(old._named_vars[n]): r for n, r in replace.items()}

    def deps(node: T.TensorVariable) -> list[T.TensorVariable]:
        if id(node) in replaced:
            repl = replaced[id(node)]
            return [repl] if repl.model is old or repl.kind == T.EXPR else []
        return _deps(node)

    for node in T.toposort(list(old._named_vars.values()), deps):
        if id(node) not in replaced:
            memo[id(node)] = _copy_node(node, get, observe.get(str(node.name), _NOT))
            continue
        repl = replaced[id(node)]
        if repl.kind == T.DATA and repl.model is None:
            memo[id(node)] = repl
            continue
        shape = node.shape
        memo[id(node)] = T.TensorVariable(
            lambda v, s=shape, d=node.dtype: jnp.broadcast_to(v, s).astype(d),
            [memo[id(repl)]],
            shape,
            node.dtype,
            kind=T.DETERMINISTIC,
        )
    for name, node in old._named_vars.items():
        clone = memo[id(node)]
        clone.name = name
        clone.model = new
        clone.dims = node.dims
        new._named_vars[name] = clone
        if clone.kind == T.RV and clone.observed is None:
            new._free_RVs.append(clone)
        elif clone.kind == T.RV:
            new._observed_RVs.append(clone)
        elif clone.kind == T.DATA:
            new._data_vars.append(clone)
        elif clone.kind == T.DETERMINISTIC:
            new._deterministics.append(clone)
        elif clone.kind == T.POTENTIAL:
            new._potentials.append(clone)
    free = {v.name for v in new._free_RVs}
    new._initvals = {k: v for k, v in new._initvals.items() if k in free}
    new.structure_version += 1
    return new


_NOT: Any = object()


def _copy_node(node: T.TensorVariable, get: Any, observed: Any) -> T.TensorVariable:
    inputs = [get(i) for i in node.inputs]
    out = T.TensorVariable(
        node.op,
        inputs,
        node.shape,
        node.dtype,
        name=node.name,
        kind=node.kind,
        label=node._label,
    )
    out.dims = node.dims
    if node.kind == T.DATA:
        out.value = node.value
        out.nan_count = getattr(node, "nan_count", 0)
        if hasattr(node, "minibatch"):  # fit draws its rows by the node's name
            out.minibatch = node.minibatch
    if node.kind == T.RV:
        dist = node.distribution
        new_dist = object.__new__(type(dist))  # Distribution.__new__ registers a variable
        new_dist.__dict__.update(dist.__dict__)
        new_dist.params = dict(zip(dist.params, inputs))
        out.distribution = new_dist
        out.total_size = getattr(node, "total_size", None)
        if observed is not _NOT:
            out.observed = observed
            out.transform = None
        else:
            out.observed = get(node.observed)
            tr = node.transform
            if tr is not None and any(isinstance(i, T.TensorVariable) for i in tr.inputs):
                tr = copy.copy(tr)
                tr.inputs = tuple(get(i) for i in tr.inputs)
            out.transform = tr
    return out


def do(model: Model, vars_to_interventions: dict[Any, Any], *, prune_vars: bool = False) -> Model:
    """A new model in which each named variable is set to a value: ``do(model, {"x": 1.0})``.

    Keys: names (or variables) of free or observed random variables or Deterministics.
    Values: numbers/arrays (the variable becomes a Data container of that name, so
    ``set_data`` can change the intervention later) or an expression of the model's other
    variables. The variable's distribution no longer enters the log-density; variables
    downstream of it see the value. ``prune_vars=True`` drops the free variables that
    nothing depends on any more.
    """
    if not isinstance(vars_to_interventions, dict):
        raise TypeError("do: give the interventions as a dict {name: value}")
    replace: dict[str, T.TensorVariable] = {}
    root = model.root
    for key, value in vars_to_interventions.items():
        name = _name_of(model, key, "do")
        node = root._named_vars[name]
        if node.kind not in (T.RV, T.DETERMINISTIC):
            raise ModelError(
                f"do: {name!r} is a {node.kind} variable; interventions apply to random "
                "variables and Deterministics (change Data with set_data)"
            )
        if isinstance(value, T.TensorVariable):
            if value.model is not None and value.model is not root:
                raise ModelError(f"do: the value given for {name!r} belongs to another model")
            _check_shape(name, node, value.shape)
            if any(n is node for n in T.toposort([value], _deps)):
                raise ModelError(f"do: the value given for {name!r} depends on {name!r}")
            replace[name] = value
            continue
        pandas = hasattr(value, "values") and hasattr(value, "index")
        arr = np.asarray(value.values if pandas else value)
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            raise TypeError(f"do: the value for {name!r} must be numeric, got {arr.dtype}")
        _check_shape(name, node, arr.shape)
        arr = np.broadcast_to(arr, node.shape).astype(node.dtype)
        data = T.TensorVariable(None, (), node.shape, node.dtype, name=name, kind=T.DATA)
        data.value = np.array(arr)
        data.dims = node.dims
        replace[name] = data
    new = _clone(model, replace, {})
    if prune_vars:
        _prune(new)
    return new


def _check_shape(name: str, node: T.TensorVariable, shape: tuple[int, ...]) -> None:
    try:
        ok = np.broadcast_shapes(tuple(shape), node.shape) == node.shape
    except ValueError:
        ok = False
    if not ok:
        raise ShapeError(
            f"do: the value for {name!r} has shape {tuple(shape)}, which does not broadcast "
            f"to the variable's shape {node.shape}"
        )


def _prune(model: Model) -> None:
    """Drop the free variables that no observed variable or Potential depends on, and the
    Deterministics computed from them."""
    root = model.root
    needed = {id(n) for n in T.toposort(root._observed_RVs + root._potentials, _deps)}
    dropped = [v for v in root._free_RVs if id(v) not in needed]
    gone = {id(v) for v in dropped}
    for det in root._deterministics:
        if any(id(n) in gone for n in T.toposort([det], _deps)):
            dropped.append(det)
    for node in dropped:
        (root._free_RVs if node.kind == T.RV else root._deterministics).remove(node)
        name = str(node.name)  # registered, so named
        del root._named_vars[name]
        root._dims.pop(name, None)
        root._initvals.pop(name, None)
    root.structure_version += 1
    root._compiled.clear()


def observe(model: Model, vars_to_observations: dict[Any, Any]) -> Model:
    """A new model in which each named free variable is observed at the given data:
    ``observe(model, {"y": y_data})``."""
    if not isinstance(vars_to_observations, dict):
        raise TypeError("observe: give the observations as a dict {name: data}")
    root = model.root
    observed: dict[str, Any] = {}
    for key, value in vars_to_observations.items():
        name = _name_of(model, key, "observe")
        node = root._named_vars[name]
        if node.kind != T.RV or node.observed is not None:
            what = "an observed variable" if node.kind == T.RV else f"a {node.kind}"
            raise ModelError(
                f"observe: {name!r} is {what}; only free random variables can be observed "
                f"(the free variables are {[v.name for v in root._free_RVs]})"
            )
        arr = model.prepare_observed(name, value)
        if not isinstance(arr, np.ndarray):
            raise ModelError(
                f"observe: the data for {name!r} must be a NaN-free numeric array (missing "
                "values are imputed only when a variable is defined with observed=)"
            )
        if arr.shape != node.shape:
            raise ShapeError(
                f"observe: the data for {name!r} have shape {arr.shape}, the variable has "
                f"shape {node.shape}"
            )
        observed[name] = arr.astype(node.dtype) if node.dtype.kind in "iu" else arr
    new = _clone(model, {}, observed)
    return new
