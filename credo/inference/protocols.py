"""The three protocols everything in ``inference/`` implements.

- A **kernel** moves a chain: ``init(position, logdensity_and_grad) -> State`` and
  ``step(rng_key, state, params, logdensity_and_grad) -> (State, Info)``. ``Info`` is a
  NamedTuple of scalars whose field names are the sample statistics the driver records.
- A **metric** (:mod:`credo.inference.metrics`) draws momenta and gives velocities and
  kinetic energies; it is factorised when it is built, never per transition.
- An **adaptation** tunes a kernel's parameters during warm-up:
  ``init(position, logdensity, gradient, num_tune, target_accept) -> State`` (host side, numpy,
  so it runs no device program), ``params(state)`` (the parameters of the next transition),
  ``is_draw(state)`` (whether that transition is a draw, not a step-size search trial),
  ``update(state, position, gradient, info) -> State``, ``step_size_bar(state)`` and
  ``final(state)`` (the parameters after warm-up).

States are NamedTuples of arrays, so they jit, vmap and shard; the runner
(:mod:`credo.inference.runner`) drives any kernel with any adaptation and knows neither's
internals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import jax
import numpy as np

__all__ = ["Adaptation", "Array", "Kernel", "LogDensity", "ValueAndGrad"]

# State fields: jax arrays in traced code, numpy arrays or scalars when a state is built on
# the host (runs no device program); the union is not spelled out, as JAX's and numpy's
# operator stubs do not mix.
Array = Any

ValueAndGrad = Callable[[jax.Array], tuple[jax.Array, jax.Array]]

# A block's conditional log-density (the block kernels of :mod:`credo.inference.compound`).
LogDensity = Callable[[jax.Array], jax.Array]


class Kernel(Protocol):
    Info: type

    def init(self, position: jax.Array, logdensity_and_grad: ValueAndGrad) -> Any: ...

    def step(
        self, rng_key: jax.Array, state: Any, params: Any, logdensity_and_grad: ValueAndGrad
    ) -> tuple[Any, Any]: ...


class Adaptation(Protocol):
    def init(
        self,
        position: np.ndarray,
        logdensity: np.ndarray,
        gradient: np.ndarray,
        num_tune: int,
        target_accept: float,
    ) -> Any: ...

    def params(self, state: Any) -> Any: ...

    def is_draw(self, state: Any) -> jax.Array: ...

    def update(self, state: Any, position: jax.Array, gradient: jax.Array, info: Any) -> Any: ...

    def step_size_bar(self, state: Any) -> jax.Array: ...

    def final(self, state: Any) -> Any: ...
