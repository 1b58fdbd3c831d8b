"""Helpers the drivers share (``sample``, predictive sampling, VI, SMC): seeds, constrained
draws from unconstrained positions, and the observed and constant data groups."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo.compile import CompiledModel
from credo.errors import ParameterError
from credo.model import Model
from credo.model import tensor as T

__all__ = ["_constrained_draws", "_observed_and_constant", "_rng_key"]


def _is_seed_int(x: Any) -> bool:
    return isinstance(x, int | np.integer) and not isinstance(x, bool | np.bool_) and bool(x >= 0)


def _rng_key(random_seed: Any) -> tuple[Any, int]:
    if random_seed is None:
        seed = int(np.random.SeedSequence().generate_state(1)[0])
    elif isinstance(random_seed, np.random.Generator):
        seed = int(random_seed.integers(2**31))
    elif isinstance(random_seed, list | tuple) and all(_is_seed_int(s) for s in random_seed):
        seed = int(np.random.SeedSequence([int(s) for s in random_seed]).generate_state(1)[0])
    elif _is_seed_int(random_seed):
        seed = int(random_seed)
    else:
        raise ParameterError(
            "random_seed must be None, a non-negative int, a list of them or a "
            f"numpy.random.Generator, got {random_seed!r}"
        )
    return jax.random.key(seed), seed


def _constrained_draws(cm: CompiledModel, positions: np.ndarray) -> dict[str, np.ndarray]:
    """(chain, draw, dim) unconstrained -> {name: (chain, draw, *shape)} constrained."""
    chains, draws, _ = positions.shape
    if draws == 0:
        out = {}
        for n in cm.free_nodes + cm.deterministic_nodes:
            out[n.name] = np.zeros((chains, 0) + n.shape)
        return out
    data = cm.data_values()
    flat = positions.reshape(chains * draws, -1)
    res = cm.constrained_batch(jnp.asarray(flat), data)
    return {k: np.asarray(v).reshape((chains, draws) + v.shape[1:]) for k, v in res.items()}


def _observed_and_constant(model: Model) -> tuple[dict[str, Any], dict[str, Any]]:
    observed: dict[str, Any] = {}
    cm = model.compiled()
    for rv in model.observed_RVs:
        obs, name = rv.observed, str(rv.name)
        if isinstance(obs, T.TensorVariable):
            observed[name] = np.asarray(T.evaluate([obs], {})[0]) if _data_only(obs) else None
        else:
            observed[name] = np.asarray(obs)
    observed = {k: v for k, v in observed.items() if v is not None}
    constant = {k: np.asarray(v) for k, v in cm.data_values().items()}
    for name, val in list(constant.items()):
        if any(rv.observed is model[name] for rv in model.observed_RVs):
            constant.pop(name)  # shown as observed_data instead, as PyMC does
            del val
    return observed, constant


def _data_only(node: T.TensorVariable) -> bool:
    return all(n.kind != T.RV or n.observed is not None for n in T.toposort([node]))
