"""Velocity Verlet (leapfrog) integration over a flat position vector.

The state carries the log-density and its gradient at ``position`` so that each step
evaluates the gradient exactly once: the gradient at the end of one step is the one used
for the first half-step of the next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax

from credo.inference.protocols import Array

__all__ = ["IntegratorState", "velocity_verlet"]

ValueAndGrad = Callable[[jax.Array], tuple[jax.Array, jax.Array]]


class IntegratorState(NamedTuple):
    """A point in phase space.

    position, momentum, logdensity_grad: ``(dim,)``; logdensity: scalar.
    """

    position: Array
    momentum: Array
    logdensity: Array
    logdensity_grad: Array


def velocity_verlet(
    state: IntegratorState,
    step_size: Array | float,
    value_and_grad_fn: ValueAndGrad,
    velocity_fn: Callable[[jax.Array], jax.Array],
) -> IntegratorState:
    """One leapfrog step of signed size ``step_size``.

    ``value_and_grad_fn(position) -> (logdensity, grad)``; ``velocity_fn(momentum)`` gives
    ``M^-1 momentum``. A negative ``step_size`` integrates backwards in time.
    """
    half = 0.5 * step_size
    momentum = state.momentum + half * state.logdensity_grad
    position = state.position + step_size * velocity_fn(momentum)
    logdensity, grad = value_and_grad_fn(position)
    momentum = momentum + half * grad
    return IntegratorState(position, momentum, logdensity, grad)
