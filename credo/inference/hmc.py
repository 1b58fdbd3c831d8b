"""Hamiltonian Monte Carlo with a fixed path length, and gradient-based kernels as blocks
of a compound step.

:class:`StaticHMC` follows PyMC's ``HamiltonianMC``: ``n_steps = path_length / step_size``
leapfrog steps (at least 1, at most ``max_steps``) with the step size jittered uniformly
in ``[0.85, 1.15]`` times its value each transition, then a Metropolis test on the energy.
It speaks the kernel protocol (``init`` / ``step(rng_key, state, params, value_and_grad)``,
``params`` a :class:`~credo.inference.nuts.NUTSParams`), so the warm-up adaptations drive it
as they drive NUTS; ``depth_limit == 1`` (a step-size search trial) is a single step.

:class:`AdaptedBlock` makes any such kernel with its adaptation a block kernel of
:mod:`credo.inference.compound`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from credo.inference import metrics, nuts
from credo.inference.integrators import IntegratorState, velocity_verlet
from credo.inference.protocols import LogDensity
from credo.inference.runner import make_adaptation

__all__ = ["AdaptedBlock", "HMCInfo", "StaticHMC"]


class HMCInfo(NamedTuple):
    """One static HMC transition's statistics (PyMC's names)."""

    energy: jax.Array
    energy_error: jax.Array
    diverging: jax.Array
    n_steps: jax.Array
    accept: jax.Array
    accepted: jax.Array
    path_length: jax.Array

    @property
    def acceptance_rate(self) -> jax.Array:
        # The name the adaptations read.
        return self.accept


@dataclass(frozen=True)
class StaticHMC:
    path_length: float = 2.0
    max_steps: int = 1024

    Info = HMCInfo

    def init(self, position: jax.Array, logdensity_and_grad: Any) -> nuts.HMCState:
        lp, grad = logdensity_and_grad(position)
        return nuts.HMCState(position, lp, grad)

    def step(
        self, rng_key: jax.Array, state: nuts.HMCState, params: Any, logdensity_and_grad: Any
    ) -> tuple[nuts.HMCState, HMCInfo]:
        metric = metrics.as_metric(params.metric)
        k_mom, k_jit, k_acc = jax.random.split(jax.random.wrap_key_data(_words(rng_key)), 3)
        dtype = state.position.dtype
        trial = params.depth_limit == 1
        jitter = jax.random.uniform(k_jit, dtype=dtype, minval=0.85, maxval=1.15)
        eps = params.step_size * jnp.where(trial, 1.0, jitter)
        n = jnp.floor(self.path_length / eps).astype(jnp.int32)
        n = jnp.where(trial, 1, jnp.clip(n, 1, self.max_steps))
        z = jax.random.normal(k_mom, state.position.shape, dtype)
        p = metric.momentum(z)
        energy0 = -state.logdensity + metric.kinetic_energy(p)
        start = IntegratorState(state.position, p, state.logdensity, state.logdensity_grad)

        def leap(_, s):
            return velocity_verlet(s, eps, logdensity_and_grad, metric.velocity)

        end = lax.fori_loop(0, n, leap, start)
        energy = -end.logdensity + metric.kinetic_energy(end.momentum)
        error = energy - energy0
        error = jnp.where(jnp.isnan(error), jnp.inf, error)
        diverging = error > nuts.DIVERGENCE_THRESHOLD
        accept = jnp.exp(jnp.minimum(-error, 0.0))
        ok = jax.random.uniform(k_acc, dtype=dtype) < accept
        new = nuts.HMCState(
            jnp.where(ok, end.position, state.position),
            jnp.where(ok, end.logdensity, state.logdensity),
            jnp.where(ok, end.logdensity_grad, state.logdensity_grad),
        )
        info = HMCInfo(
            jnp.where(ok, energy, energy0),
            error,
            diverging,
            n,
            accept,
            ok,
            n * eps,
        )
        return new, info


def _words(rng_key: jax.Array) -> jax.Array:
    k0, k1 = nuts.key_words(rng_key)
    return jnp.stack([k0, k1])


_KINDS = {"diverging": "bool", "accepted": "bool"}
_INTS = {"tree_depth", "n_steps", "index_in_trajectory"}


@dataclass(frozen=True)
class AdaptedBlock:
    """A gradient kernel with its warm-up adaptation, as a compound block: ``kind`` is
    ``"nuts"`` or ``"hmc"`` (:class:`StaticHMC`), ``adaptation`` one of
    ``runner.ADAPTATIONS``. The block's gradient is evaluated afresh at the start of each
    step, as the other blocks have moved since."""

    kind: str = "nuts"
    adaptation_name: str = "stan_diag"
    max_treedepth: int = 10
    path_length: float = 2.0
    max_steps: int = 1024
    target_accept: float | None = None  # None: the run's

    @property
    def kernel(self) -> Any:
        if self.kind == "hmc":
            return StaticHMC(self.path_length, self.max_steps)
        return nuts.NUTS(self.max_treedepth)

    @property
    def adaptation(self) -> Any:
        return make_adaptation(self.adaptation_name, self.max_treedepth)

    @property
    def stats(self) -> tuple[tuple[str, str], ...]:
        names = (*self.kernel.Info._fields, "step_size", "step_size_bar")
        return tuple(
            (n, _KINDS.get(n, "int" if n in _INTS else "float"))
            for n in names
            if n != "acceptance_rate_sym"
        )

    def init(
        self,
        x: np.ndarray,
        logdensity: float,
        gradient: np.ndarray,
        num_tune: int,
        num_draws: int,
        target_accept: float,
    ) -> Any:
        target = target_accept if self.target_accept is None else self.target_accept
        return self.adaptation.init(x, logdensity, gradient, num_tune, target)

    def step(
        self,
        rng_key: jax.Array,
        x: jax.Array,
        logdensity: jax.Array,
        state: Any,
        logdensity_fn: LogDensity,
        tuning: jax.Array,
    ) -> tuple[jax.Array, jax.Array, Any, tuple, jax.Array]:
        adapt = self.adaptation
        value_and_grad = jax.value_and_grad(logdensity_fn)
        lp, grad = value_and_grad(x)
        params = adapt.params(state)
        words = jax.random.key_data(rng_key)
        kstate, info = self.kernel.step(words, nuts.HMCState(x, lp, grad), params, value_and_grad)
        is_draw = adapt.is_draw(state)
        new = adapt.update(state, kstate.position, kstate.logdensity_grad, info)
        values = [v for n, v in zip(info._fields, info) if n != "acceptance_rate_sym"]
        stats = (*values, params.step_size, adapt.step_size_bar(new))
        return kstate.position, kstate.logdensity, new, stats, is_draw
