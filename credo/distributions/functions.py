"""Functions of a distribution: ``logp``, ``logcdf``, ``icdf`` (lazy nodes) and ``draw``.

``pm.logp(pm.Normal.dist(0, 1), x)`` returns a node of the graph, as PyMC returns a
tensor: ``.eval()`` gives its value, and it can enter a model (``pm.Potential``). ``draw``
samples any node ancestrally (parameters that are distributions or model variables are
drawn too) and returns numpy arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo.errors import ParameterError
from credo.model import tensor as T

__all__ = ["logp", "logcdf", "icdf", "draw"]


def _rv(rv: Any, who: str) -> Any:
    if not (isinstance(rv, T.TensorVariable) and rv.kind == T.RV and rv.distribution):
        raise ParameterError(
            f"pm.{who}: the first argument must be a distribution such as "
            f"pm.Normal.dist(0, 1) or a model variable, got {type(rv).__name__}"
        )
    return rv.distribution


def _node_of(rv: Any, value: Any, who: str, method: str) -> T.TensorVariable:
    dist = _rv(rv, who)
    names = list(dist.params)
    if method != "checked_logp" and not getattr(type(dist), f"has_{who}")():
        raise NotImplementedError(f"pm.{who}: {type(dist).__name__} has no {who}")

    def op(v: Any, *ps: Any) -> Any:
        # JAX arrays throughout (eager .eval() would otherwise mix numpy into the formulas).
        v = jnp.asarray(v)
        params = {k: jnp.asarray(p) for k, p in zip(names, ps)}
        return getattr(dist, method)(v, params)

    if any(isinstance(x, jax.Array) for x in (value, *rv.inputs)):
        # Inside traced code (a CustomDist's logp): a value, not a node.
        return op(value, *rv.inputs)

    return T.apply(op, value, *rv.inputs, opname=f"{who}({type(dist).__name__})")


def logp(rv: Any, value: Any, **_: Any) -> T.TensorVariable:
    """The log-density (log-probability) of ``rv``'s distribution at ``value`` (a node)."""
    return _node_of(rv, value, "logp", "checked_logp")


def logcdf(rv: Any, value: Any, **_: Any) -> T.TensorVariable:
    """log P(X <= value) of ``rv``'s (univariate) distribution (a node)."""
    return _node_of(rv, value, "logcdf", "checked_logcdf")


def icdf(rv: Any, value: Any, **_: Any) -> T.TensorVariable:
    """The quantile function of ``rv``'s (univariate) distribution at ``value`` (a node)."""
    return _node_of(rv, value, "icdf", "checked_icdf")


def _deps(node: T.TensorVariable) -> list[T.TensorVariable]:
    if node.kind == T.DATA:
        return []
    return [i for i in node.inputs if isinstance(i, T.TensorVariable)]


def draw(
    vars: Any, draws: int = 1, random_seed: Any = None, **_: Any
) -> np.ndarray | list[np.ndarray]:
    """Draws of one node (or a list of nodes): shape ``(draws, *shape)``, or ``shape`` for
    ``draws=1`` (as PyMC). Every random variable the nodes depend on is drawn from its
    distribution (observed data play no part)."""
    single = not isinstance(vars, list | tuple)
    outputs: Sequence[Any] = [vars] if single else list(vars)
    for v in outputs:
        if not isinstance(v, T.TensorVariable):
            raise ParameterError(f"pm.draw: expected a distribution or a node, got {v!r}")
    order = T.toposort(outputs, _deps)

    def one(rng_key: Any) -> list[Any]:
        env: dict[int, Any] = {}
        for idx, node in enumerate(order):
            if node.kind == T.DATA:
                env[id(node)] = node.value
                continue
            args = [env[id(i)] if isinstance(i, T.TensorVariable) else i for i in node.inputs]
            if node.kind == T.RV:
                dist = node.distribution
                params = dict(zip(dist.params, args))
                shape = dist.runtime_shape(params)
                key = jax.random.fold_in(rng_key, idx)
                env[id(node)] = jnp.asarray(dist.draw(key, shape, params)).astype(node.dtype)
            else:
                env[id(node)] = node.op(*args)
        return [env[id(o)] for o in outputs]

    seed = random_seed
    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(2**31))
    elif seed is None:
        seed = int(np.random.default_rng().integers(2**31))
    keys = jax.random.split(jax.random.key(int(seed)), int(draws))
    out = jax.jit(jax.vmap(one))(keys)
    res = [np.asarray(o) if draws != 1 else np.asarray(o)[0] for o in out]
    return res[0] if single else res
