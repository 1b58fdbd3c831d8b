"""Metropolis-Hastings block kernels (the compound protocol of :mod:`compound`).

- :class:`RandomWalk`: random-walk Metropolis, the proposal rounded on discrete entries;
  the scale tuned during warm-up every ``tune_interval`` steps by PyMC's schedule
  (:func:`tune_scale`); the whole block at once, or one entry at a time in a random order.
- :class:`BinaryFlip`: flips each binary entry with probability ``1 - 0.5**scaling``.
- :class:`BinaryGibbs`: one entry at a time, flipped with probability ``transit_p`` and the
  flip accepted by Metropolis.
- :class:`CategoricalGibbs`: one entry at a time: a uniform proposal among the other
  categories, or the Metropolised Gibbs proposal of Liu (1996, "Metropolized independent
  sampling with comparisons to rejection sampling and importance sampling").
- :class:`DifferentialZ`: differential evolution from the chain's own past (ter Braak and
  Vrugt 2008, "Differential Evolution Markov Chain with snooker updater and fewer chains");
  :class:`DifferentialPopulation`: from the other chains' current states.

Every acceptance test treats a NaN log-density ratio as a rejection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from credo.inference.protocols import Array, LogDensity

__all__ = [
    "CHAIN_AXIS",
    "BinaryFlip",
    "BinaryGibbs",
    "CategoricalGibbs",
    "DifferentialPopulation",
    "DifferentialZ",
    "RandomWalk",
    "tune_scale",
]


def tune_scale(scale: jax.Array, acc_rate: jax.Array) -> jax.Array:
    """PyMC's proposal-scale schedule: the acceptance rate of the last interval sets the
    factor (< 0.001: 0.1, < 0.05: 0.5, < 0.2: 0.9, > 0.95: 10, > 0.75: 2, > 0.5: 1.1)."""
    # Thresholds checked from the lowest up, then from the highest down, as PyMC's nesting.
    factor = jnp.select(
        [
            acc_rate < 0.001,
            acc_rate < 0.05,
            acc_rate < 0.2,
            acc_rate > 0.95,
            acc_rate > 0.75,
            acc_rate > 0.5,
        ],
        [0.1, 0.5, 0.9, 10.0, 2.0, 1.1],
        1.0,
    )
    return scale * factor


def _schedule(
    until: jax.Array, accepted: jax.Array, tuning: jax.Array, enabled: bool, interval: int
) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """PyMC's tuning every ``interval`` warm-up steps, counted down in ``until``: whether
    the scale is tuned at this step, the acceptance rate of the last interval, and
    ``accepted`` and ``until`` after this step's tuning."""
    due = (until == 0) & tuning & enabled
    rate = accepted / float(interval)
    return due, rate, jnp.where(due, 0.0, accepted), jnp.where(due, interval, until)


def _accept(rng_key: jax.Array, log_ratio: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(accepted, acceptance probability) of a Metropolis test."""
    log_ratio = jnp.where(jnp.isnan(log_ratio), -jnp.inf, log_ratio)
    u = jax.random.uniform(rng_key, dtype=jnp.result_type(float))
    return jnp.log(u) < log_ratio, jnp.exp(jnp.minimum(log_ratio, 0.0))


def _noise(rng_key: jax.Array, kind: str, scale: jax.Array, size: int) -> jax.Array:
    """Zero-centred proposal deviates ``(size,)``; ``scale`` is ``(size,)`` or, for the
    multivariate normal, the Cholesky factor ``(size, size)`` of its covariance."""
    if kind == "normal":
        return scale * jax.random.normal(rng_key, (size,))
    if kind == "uniform":
        return scale * jax.random.uniform(rng_key, (size,), minval=-1.0, maxval=1.0)
    if kind == "cauchy":
        return scale * jax.random.cauchy(rng_key, (size,))
    if kind == "laplace":
        return scale * jax.random.laplace(rng_key, (size,))
    if kind == "mvnormal":
        return scale @ jax.random.normal(rng_key, (size,))
    raise ValueError(f"unknown proposal {kind!r}")


class RandomWalkState(NamedTuple):
    scaling: Array  # (size,) when one entry at a time, else (1,)
    accepted_sum: Array  # same shape
    steps_until_tune: Array


@dataclass(frozen=True)
class RandomWalk:
    """Random-walk Metropolis on a block of ``size`` entries.

    proposal: ``"normal"``, ``"uniform"``, ``"cauchy"``, ``"laplace"`` (``S`` the per-entry
    scales) or ``"mvnormal"`` (``S`` a covariance, flattened row-major). ``discrete``: per
    entry, whether its proposal is rounded to an integer. ``elemwise``: entries proposed
    and accepted one at a time in a random order (scales tuned per entry).
    """

    size: int
    S: tuple[float, ...]
    proposal: str = "normal"
    scaling: float = 1.0
    tune: bool = True
    tune_interval: int = 100
    discrete: tuple[bool, ...] = ()
    elemwise: bool = False

    stats = (("accept", "float"), ("accepted", "float"), ("scaling", "float"))

    def init(
        self,
        x: np.ndarray,
        logdensity: float,
        gradient: np.ndarray,
        num_tune: int,
        num_draws: int,
        target_accept: float,
    ) -> Any:
        n = self.size if self.elemwise else 1
        return RandomWalkState(
            np.full(n, float(self.scaling)), np.zeros(n), np.int32(self.tune_interval)
        )

    def _scale(self) -> np.ndarray:
        s = np.asarray(self.S, np.float64)
        if self.proposal == "mvnormal":
            return np.linalg.cholesky(s.reshape(self.size, self.size))
        return s

    def step(
        self,
        rng_key: jax.Array,
        x: jax.Array,
        logdensity: jax.Array,
        state: Any,
        logdensity_fn: LogDensity,
        tuning: jax.Array,
    ) -> tuple[jax.Array, jax.Array, Any, tuple, jax.Array]:
        k_noise, k_order, k_acc = jax.random.split(rng_key, 3)
        due, rate, accepted_sum, until = _schedule(
            state.steps_until_tune, state.accepted_sum, tuning, self.tune, self.tune_interval
        )
        scaling = jnp.where(due, tune_scale(state.scaling, rate), state.scaling)
        delta = _noise(k_noise, self.proposal, jnp.asarray(self._scale()), self.size)
        delta = delta * (scaling if self.elemwise else scaling[0])
        mask = np.asarray(self.discrete or (False,) * self.size, bool)
        if jnp.issubdtype(x.dtype, jnp.integer):
            q = x + jnp.round(delta).astype(x.dtype)
        else:
            q = x + jnp.where(mask, jnp.round(delta), delta)
        if self.elemwise:
            order = jax.random.permutation(k_order, self.size)
            keys = jax.random.split(k_acc, self.size)

            def body(i, carry):
                cur, lp, acc, probs = carry
                j = order[i]
                prop = cur.at[j].set(q[j])
                lp_new = logdensity_fn(prop)
                ok, prob = _accept(keys[i], lp_new - lp)
                return (
                    jnp.where(ok, prop, cur),
                    jnp.where(ok, lp_new, lp),
                    acc.at[j].set(ok.astype(acc.dtype)),
                    probs.at[j].set(prob),
                )

            zeros = jnp.zeros(self.size)
            x, logdensity, acc, probs = lax.fori_loop(
                0, self.size, body, (x, logdensity, zeros, zeros)
            )
        else:
            lp_new = logdensity_fn(q)
            ok, prob = _accept(k_acc, lp_new - logdensity)
            x = jnp.where(ok, q, x)
            logdensity = jnp.where(ok, lp_new, logdensity)
            acc, probs = ok.astype(jnp.result_type(float))[None], prob[None]
        new = RandomWalkState(scaling, accepted_sum + acc, until - 1)
        info = (jnp.mean(probs), jnp.mean(acc), jnp.mean(scaling))
        return x, logdensity, new, info, jnp.bool_(True)


class _Stateless:
    """A block kernel that keeps no state and does no warm-up tuning, every step a draw;
    subclasses give ``move(rng_key, x, logdensity, logdensity_fn) -> (x, logdensity,
    stats)``."""

    stats: ClassVar[tuple[tuple[str, str], ...]] = ()

    def init(
        self,
        x: np.ndarray,
        logdensity: float,
        gradient: np.ndarray,
        num_tune: int,
        num_draws: int,
        target_accept: float,
    ) -> Any:
        return ()

    def step(
        self,
        rng_key: jax.Array,
        x: jax.Array,
        logdensity: jax.Array,
        state: Any,
        logdensity_fn: LogDensity,
        tuning: jax.Array,
    ) -> tuple[jax.Array, jax.Array, Any, tuple, jax.Array]:
        x, logdensity, info = self.move(rng_key, x, logdensity, logdensity_fn)
        return x, logdensity, state, info, jnp.bool_(True)

    def move(
        self, rng_key: jax.Array, x: jax.Array, logdensity: jax.Array, logdensity_fn: LogDensity
    ) -> tuple[jax.Array, jax.Array, tuple]:
        raise NotImplementedError


@dataclass(frozen=True)
class BinaryFlip(_Stateless):
    """Flips each entry of a binary block with probability ``1 - 0.5**scaling``; the whole
    proposal accepted or rejected at once."""

    size: int
    scaling: float = 1.0

    stats = (("accept", "float"), ("p_jump", "float"))

    def move(
        self, rng_key: jax.Array, x: jax.Array, logdensity: jax.Array, logdensity_fn: LogDensity
    ) -> tuple[jax.Array, jax.Array, tuple]:
        k_flip, k_acc = jax.random.split(rng_key)
        p_jump = 1.0 - 0.5**self.scaling
        flip = jax.random.uniform(k_flip, (self.size,)) < p_jump
        q = jnp.where(flip, 1 - x, x)
        lp_new = logdensity_fn(q)
        ok, prob = _accept(k_acc, lp_new - logdensity)
        info = (prob, jnp.asarray(p_jump, jnp.result_type(float)))
        return jnp.where(ok, q, x), jnp.where(ok, lp_new, logdensity), info


def _visit_order(rng_key: jax.Array, order: tuple[int, ...] | None, size: int) -> jax.Array:
    if order is None:
        return jax.random.permutation(rng_key, size)
    return jnp.asarray(order, jnp.int32)


@dataclass(frozen=True)
class BinaryGibbs(_Stateless):
    """Metropolis-within-Gibbs for binary entries: in ``order`` (None: a random order each
    step), flip the entry with probability ``transit_p`` and accept by Metropolis."""

    size: int
    order: tuple[int, ...] | None = None
    transit_p: float = 0.8

    def move(
        self, rng_key: jax.Array, x: jax.Array, logdensity: jax.Array, logdensity_fn: LogDensity
    ) -> tuple[jax.Array, jax.Array, tuple]:
        k_order, k_loop = jax.random.split(rng_key)
        order = _visit_order(k_order, self.order, self.size)
        keys = jax.random.split(k_loop, self.size)

        def body(i, carry):
            cur, lp = carry
            k_try, k_acc = jax.random.split(keys[i])
            j = order[i]
            prop = cur.at[j].set(1 - cur[j])
            lp_new = logdensity_fn(prop)
            ok, _ = _accept(k_acc, lp_new - lp)
            ok = ok & (jax.random.uniform(k_try) < self.transit_p)
            return jnp.where(ok, prop, cur), jnp.where(ok, lp_new, lp)

        x, logdensity = lax.fori_loop(0, self.size, body, (x, logdensity))
        return x, logdensity, ()


@dataclass(frozen=True)
class CategoricalGibbs(_Stateless):
    """Metropolis-within-Gibbs for categorical entries; ``categories[i]`` is the number of
    categories of entry ``i``. ``proposal="uniform"``: one of the other categories, uniformly;
    ``"proportional"``: Liu's Metropolised Gibbs step from the entry's full conditional."""

    categories: tuple[int, ...]
    proposal: str = "uniform"
    order: tuple[int, ...] | None = None

    def move(
        self, rng_key: jax.Array, x: jax.Array, logdensity: jax.Array, logdensity_fn: LogDensity
    ) -> tuple[jax.Array, jax.Array, tuple]:
        size = len(self.categories)
        ks = jnp.asarray(self.categories, x.dtype)
        kmax = max(self.categories)
        k_order, k_loop = jax.random.split(rng_key)
        order = _visit_order(k_order, self.order, size)
        keys = jax.random.split(k_loop, size)

        def uniform(i, carry):
            cur, lp = carry
            k_prop, k_acc = jax.random.split(keys[i])
            j = order[i]
            r = jax.random.randint(k_prop, (), 0, ks[j] - 1).astype(x.dtype)
            new_val = r + (r >= cur[j]).astype(x.dtype)
            prop = cur.at[j].set(new_val)
            lp_new = logdensity_fn(prop)
            ok, _ = _accept(k_acc, lp_new - lp)
            return jnp.where(ok, prop, cur), jnp.where(ok, lp_new, lp)

        def proportional(i, carry):
            cur, lp = carry
            k_prop, k_acc = jax.random.split(keys[i])
            j = order[i]
            given = cur[j]
            cats = jnp.arange(kmax, dtype=x.dtype)
            lps = jax.vmap(lambda c: logdensity_fn(cur.at[j].set(c)))(cats)
            lps = jnp.where(cats < ks[j], lps, -jnp.inf)
            lps = jnp.where(jnp.isnan(lps), -jnp.inf, lps)
            probs = jax.nn.softmax(lps)
            p_cur = probs[given]
            others = jnp.where(cats == given, 0.0, probs)
            proposed = jax.random.categorical(k_prop, jnp.log(others)).astype(x.dtype)
            ratio = (1.0 - p_cur) / (1.0 - probs[proposed])
            ok = jnp.isfinite(ratio) & (jax.random.uniform(k_acc) < ratio)
            return (
                jnp.where(ok, cur.at[j].set(proposed), cur),
                jnp.where(ok, lps[proposed], lp),
            )

        body = proportional if self.proposal == "proportional" else uniform
        x, logdensity = lax.fori_loop(0, size, body, (x, logdensity))
        return x, logdensity, ()


class PopulationState(NamedTuple):
    scaling: Array
    lamb: Array
    accepted: Array
    steps_until_tune: Array


class DifferentialState(NamedTuple):
    scaling: Array  # the fields of PopulationState first
    lamb: Array
    accepted: Array
    steps_until_tune: Array
    history: Array  # (capacity, size)
    filled: Array  # entries written
    start: Array  # first entry proposals draw from
    was_tuning: Array


@dataclass(frozen=True)
class _DifferentialEvolution:
    """The settings, statistics and tuning that both differential-evolution kernels have."""

    size: int
    S: tuple[float, ...]
    proposal: str = "normal"
    lamb: float | None = None
    scaling: float = 0.001
    tune: str | None = "scaling"
    tune_interval: int = 100

    stats = (
        ("accept", "float"),
        ("accepted", "bool"),
        ("lambda", "float"),
        ("scaling", "float"),
    )

    def _tuning_start(self) -> PopulationState:
        lamb = 2.38 / np.sqrt(2 * self.size) if self.lamb is None else float(self.lamb)
        return PopulationState(
            np.asarray(float(self.scaling)),
            np.asarray(lamb),
            np.asarray(0.0),
            np.int32(self.tune_interval),
        )

    def _tuned(self, s: Any, tuning: jax.Array) -> PopulationState:
        """``s``'s tuning fields after this step's tuning (when one is due)."""
        due, rate, accepted, until = _schedule(
            s.steps_until_tune, s.accepted, tuning, self.tune is not None, self.tune_interval
        )
        scaling = jnp.where(due & (self.tune == "scaling"), tune_scale(s.scaling, rate), s.scaling)
        lamb = jnp.where(due & (self.tune == "lambda"), tune_scale(s.lamb, rate), s.lamb)
        return PopulationState(scaling, lamb, accepted, until)


@dataclass(frozen=True)
class DifferentialZ(_DifferentialEvolution):
    """Differential-evolution Metropolis from the chain's past: the proposal is
    ``x + lamb (z1 - z2) + scaling * noise`` with ``z1 != z2`` drawn from the stored past
    states. ``tune``: ``"scaling"``, ``"lambda"`` or None (PyMC's schedule every
    ``tune_interval`` steps). When warm-up ends, the first ``tune_drop_fraction`` of the
    past is dropped, so proposals are not informed by the unconverged start."""

    tune_drop_fraction: float = 0.9

    def init(
        self,
        x: np.ndarray,
        logdensity: float,
        gradient: np.ndarray,
        num_tune: int,
        num_draws: int,
        target_accept: float,
    ) -> Any:
        # Room for every iteration, plus the few a step-size search of another block adds.
        capacity = int(num_tune) + int(num_draws) + 256
        return DifferentialState(
            *self._tuning_start(),
            np.zeros((capacity, self.size)),
            np.int32(0),
            np.int32(0),
            np.bool_(True),
        )

    def step(
        self,
        rng_key: jax.Array,
        x: jax.Array,
        logdensity: jax.Array,
        state: Any,
        logdensity_fn: LogDensity,
        tuning: jax.Array,
    ) -> tuple[jax.Array, jax.Array, Any, tuple, jax.Array]:
        k_noise, k1, k2, k_acc = jax.random.split(rng_key, 4)
        s = state
        scaling, lamb, accepted, until = self._tuned(s, tuning)
        # Warm-up just ended: forget the first part of the past.
        stopped = s.was_tuning & ~tuning
        start = jnp.where(
            stopped, jnp.floor(self.tune_drop_fraction * s.filled).astype(s.filled.dtype), s.start
        )
        eps = _noise(k_noise, self.proposal, jnp.asarray(self.S), self.size) * scaling
        n = s.filled - start
        i1 = start + jax.random.randint(k1, (), 0, jnp.maximum(n, 1))
        i2 = start + jax.random.randint(k2, (), 0, jnp.maximum(n - 1, 1))
        i2 = i2 + (i2 >= i1).astype(i2.dtype)
        jump = jnp.where(n > 1, lamb * (s.history[i1] - s.history[i2]), 0.0)
        q = x + jump + eps
        lp_new = logdensity_fn(q)
        ok, prob = _accept(k_acc, lp_new - logdensity)
        x = jnp.where(ok, q, x)
        logdensity = jnp.where(ok, lp_new, logdensity)
        capacity = s.history.shape[0]
        history = lax.dynamic_update_index_in_dim(
            s.history, x, jnp.minimum(s.filled, capacity - 1), 0
        )
        filled = jnp.minimum(s.filled + 1, capacity)
        new = DifferentialState(
            scaling,
            lamb,
            accepted + ok.astype(jnp.result_type(float)),
            until - 1,
            history,
            filled,
            start,
            jnp.asarray(tuning),
        )
        return x, logdensity, new, (prob, ok, lamb, scaling), jnp.bool_(True)


# The vmapped axis of a program that runs all chains together (see compound.run_compound).
CHAIN_AXIS = "chain"


@dataclass(frozen=True)
class DifferentialPopulation(_DifferentialEvolution):
    """Differential-evolution Metropolis across chains (ter Braak 2006, "A Markov Chain
    Monte Carlo version of the genetic algorithm Differential Evolution"): a chain proposes
    ``x + lamb (x_r1 - x_r2) + scaling * noise`` from two other chains' current states.

    All chains run in one program (``population``): the even chains move first, from
    differences of odd chains, then the odd chains from the updated even ones. Each move
    is then a symmetric proposal given the other half, so a Metropolis test leaves the
    product of the chains' targets invariant (updating all chains at once from one
    snapshot would not). Needs at least 4 chains.
    """

    population = True

    def init(
        self,
        x: np.ndarray,
        logdensity: float,
        gradient: np.ndarray,
        num_tune: int,
        num_draws: int,
        target_accept: float,
    ) -> Any:
        return self._tuning_start()

    def step(
        self,
        rng_key: jax.Array,
        x: jax.Array,
        logdensity: jax.Array,
        state: Any,
        logdensity_fn: LogDensity,
        tuning: jax.Array,
    ) -> tuple[jax.Array, jax.Array, Any, tuple, jax.Array]:
        s = state
        scaling, lamb, accepted, until = self._tuned(s, tuning)
        me = lax.axis_index(CHAIN_AXIS)
        chains = lax.all_gather(x, CHAIN_AXIS).shape[0]
        # The other half's chain indices, padded to one length (static).
        halves = [np.arange(1 - p, chains, 2) for p in (0, 1)]
        width = max(len(h) for h in halves)
        table = np.stack([np.pad(h, (0, width - len(h)), mode="edge") for h in halves])
        sizes = np.array([len(h) for h in halves])
        keys = jax.random.split(rng_key, 2)

        def phase(p, carry):
            x, lp, ok_mine, prob_mine = carry
            k_noise, k1, k2, k_acc = jax.random.split(keys[p], 4)
            population = lax.all_gather(x, CHAIN_AXIS)
            m = jnp.asarray(sizes)[p]
            a = jax.random.randint(k1, (), 0, m)
            b = jax.random.randint(k2, (), 0, m - 1)
            b = b + (b >= a).astype(b.dtype)
            rows = jnp.asarray(table)[p]
            diff = population[rows[a]] - population[rows[b]]
            eps = _noise(k_noise, self.proposal, jnp.asarray(self.S), self.size) * scaling
            q = x + lamb * diff + eps
            lp_new = logdensity_fn(q)
            ok, prob = _accept(k_acc, lp_new - lp)
            mine = (me % 2) == p
            ok = ok & mine
            return (
                jnp.where(ok, q, x),
                jnp.where(ok, lp_new, lp),
                jnp.where(mine, ok, ok_mine),
                jnp.where(mine, prob, prob_mine),
            )

        start = (x, logdensity, jnp.bool_(False), jnp.zeros((), jnp.result_type(float)))
        x, logdensity, ok, prob = lax.fori_loop(0, 2, phase, start)
        accepted = accepted + ok.astype(jnp.result_type(float))
        new = PopulationState(scaling, lamb, accepted, until - 1)
        return x, logdensity, new, (prob, ok, lamb, scaling), jnp.bool_(True)
