"""The No-U-Turn Sampler, multinomial variant with the generalised no-U-turn criterion.

This follows Stan's ``base_nuts`` (Betancourt 2017, "A Conceptual Introduction to Hamiltonian
Monte Carlo", appendix A): the trajectory doubles in a random direction; the new subtree's
point is drawn multinomially (weights ``exp(-H)``) inside the subtree and accepted into the
trajectory with probability ``min(1, W_subtree / W_old)`` (biased progressive sampling); every
merge of two halves checks the criterion ``rho . M^-1 p > 0`` at both ends of a span, where
``rho`` sums the momenta over the span, on the merged span and, as Stan's ``base_nuts.hpp``
does since 2.21, on the left half extended by the first point of the right half and on the
right half extended by the last point of the left half. A leaf whose energy exceeds the
initial one by more than 1000 is divergent and ends the transition.

The recursion of ``build_tree`` is flattened into one ``lax.while_loop`` whose body is a
single leapfrog step, so the log-density gradient is traced once. In a subtree of depth
``d`` with leaves ``k = 0 .. 2**d - 1``, leaf ``k`` completes the merges of levels
``j = 1 .. tz(k + 1)`` (``tz``: trailing zero bits); the old trajectory is the left half of
level ``d + 1``, merged at the last leaf. Checkpoints (velocity, momentum and running
momentum sum at the start of open subtrees; velocity and momentum at the end of left
halves) are kept one row per level and written in place, so a leaf costs O(dim) plus the
checks of the levels it completes (a short inner loop, 1 level on average).

Within a subtree, the multinomial draw is made progressively (each new leaf replaces the
candidate with probability ``w_leaf / W_so_far``), which gives every leaf the probability
``w_leaf / W_subtree`` that Stan's recursive draw gives it. ``tests/inference/test_nuts.py``
compares the trajectories (leapfrog count, depth, divergence) with a recursive
transcription of Stan's code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax import lax

from credo.inference import metrics
from credo.inference.integrators import IntegratorState, velocity_verlet
from credo.inference.protocols import Array

__all__ = [
    "DIVERGENCE_THRESHOLD",
    "HMCState",
    "NUTS",
    "NUTSInfo",
    "NUTSParams",
    "init",
    "key_words",
    "random_words",
    "step",
    "transition",
]

# Stan's ``max_deltaH_``: a leaf whose energy exceeds the initial one by this is divergent.
DIVERGENCE_THRESHOLD = 1000.0

ValueAndGrad = Callable[[jax.Array], tuple[jax.Array, jax.Array]]


class HMCState(NamedTuple):
    """position, logdensity_grad: ``(dim,)``; logdensity: scalar."""

    position: Array
    logdensity: Array
    logdensity_grad: Array


class NUTSInfo(NamedTuple):
    """Statistics of one transition (all scalars).

    energy: the Hamiltonian at the selected point. energy_error: that minus the initial
    Hamiltonian. max_energy_error: the energy error of largest magnitude over the trajectory
    (signed, as PyMC reports it). diverging: a leaf's energy error exceeded 1000.
    tree_depth: number of completed doublings. n_steps: leapfrog steps taken.
    acceptance_rate: mean of ``min(1, exp(-energy_error))`` over all leaves (Stan's
    ``accept_stat``). acceptance_rate_sym: the mean of ``2 min(1, w) / (1 + w)``,
    ``w = exp(-energy_error)``, which also counts energy decreases as errors (the Fisher
    warm-up's last window targets it). index_in_trajectory: signed leapfrog steps from the
    initial point to the selected one (0: the chain did not move).
    """

    energy: Array
    energy_error: Array
    max_energy_error: Array
    diverging: Array
    tree_depth: Array
    n_steps: Array
    acceptance_rate: Array
    acceptance_rate_sym: Array
    index_in_trajectory: Array


class NUTSParams(NamedTuple):
    """What a transition needs besides the state: the step size, the metric, and a depth
    limit (may be traced, at most the kernel's ``max_treedepth``)."""

    step_size: Array
    metric: metrics.Metric
    depth_limit: Array


class _Tree(NamedTuple):
    left: IntegratorState  # backward end of the whole trajectory (incl. the open subtree)
    right: IntegratorState  # forward end
    left_velocity: Array
    right_velocity: Array
    left_index: Array  # signed leapfrog index of the backward end
    right_index: Array
    forward: Array  # direction of the open subtree
    depth: Array  # completed doublings = depth of the open subtree
    leaf: Array  # index of the next leaf in the open subtree
    sample: HMCState
    sample_energy: Array
    sample_index: Array
    log_weight: Array  # log sum of exp(-H + H0) over the merged trajectory
    rho: Array  # sum of momenta over the merged trajectory
    sub_sample: HMCState
    sub_energy: Array
    sub_index: Array
    sub_log_weight: Array
    sub_rho: Array  # sum of momenta over the open subtree so far
    # (3, rows, dim): velocity, momentum and sub_rho (just before it) of subtree starts
    starts: Array
    # (2, rows, dim): velocity and momentum of the last points of left halves
    ends: Array
    n_steps: Array
    sum_accept: Array
    sum_accept_sym: Array
    max_energy_error: Array
    diverging: Array
    done: Array


def init(position: jax.Array, logdensity_fn: Callable[[jax.Array], jax.Array]) -> HMCState:
    """The sampler state at ``position`` (``(dim,)``)."""
    logdensity, grad = jax.value_and_grad(logdensity_fn)(position)
    return HMCState(position, logdensity, grad)


def step(
    rng_key: Array,
    state: HMCState,
    logdensity_fn: Callable[[jax.Array], jax.Array],
    step_size: Array | float,
    inverse_mass_matrix: metrics.Metric | jax.Array,
    max_treedepth: int = 10,
) -> tuple[HMCState, NUTSInfo]:
    """One NUTS transition from ``state``.

    rng_key: a JAX PRNG key (typed, or raw uint32 key data); the transition's random numbers
    are a counter-based hash of its words. ``inverse_mass_matrix``: a metric, or an array
    ``(dim,)`` (diagonal) or ``(dim, dim)`` (dense).
    """
    return transition(
        rng_key,
        state,
        jax.value_and_grad(logdensity_fn),
        step_size,
        inverse_mass_matrix,
        max_treedepth,
    )


class NUTS:
    """The NUTS kernel: ``init(position, logdensity_and_grad) -> HMCState`` and
    ``step(rng_key, state, params, logdensity_and_grad) -> (HMCState, NUTSInfo)``.

    ``logdensity_and_grad(position) -> (logdensity, gradient)``. It is an argument of both
    calls rather than captured, so a driver can build it inside a traced program (over its
    data) and a compound step can hand each kernel the conditional density of its block.
    Only ``max_treedepth`` (static: it sizes the checkpoints) is configuration.
    """

    Info = NUTSInfo
    Params = NUTSParams

    def __init__(self, max_treedepth: int = 10) -> None:
        self.max_treedepth = int(max_treedepth)

    def init(self, position: jax.Array, logdensity_and_grad: ValueAndGrad) -> HMCState:
        logdensity, grad = logdensity_and_grad(position)
        return HMCState(position, logdensity, grad)

    def step(
        self,
        rng_key: jax.Array,
        state: HMCState,
        params: NUTSParams,
        logdensity_and_grad: ValueAndGrad,
    ) -> tuple[HMCState, NUTSInfo]:
        return transition(
            rng_key,
            state,
            logdensity_and_grad,
            params.step_size,
            params.metric,
            self.max_treedepth,
            params.depth_limit,
        )


def _select(pred: jax.Array, on_true, on_false):
    # lax.select with a scalar predicate: unlike jnp.where it is a primitive, not a jitted
    # wrapper, which keeps tracing (and the compiled program) small.
    return jax.tree.map(lambda a, b: lax.select(pred, a, b), on_true, on_false)


def _logaddexp(a: jax.Array, b: jax.Array) -> jax.Array:
    m = lax.max(a, b)
    return lax.select(lax.abs(m) == jnp.inf, m, m + jnp.log1p(jnp.exp(-lax.abs(a - b))))


_GOLDEN = 0x9E3779B9


def _trailing_zeros(x: jax.Array) -> jax.Array:
    """Number of trailing zero bits of a positive int32."""
    return 31 - lax.clz(x & -x)


def _mix32(x: jax.Array) -> jax.Array:
    # A 32-bit integer finaliser with full avalanche ("lowbias32", C. Wellons). Written with
    # lax calls: the jnp operators would each add a jit wrapper to the trace.
    def xorshift(x, n):
        return lax.bitwise_xor(x, lax.shift_right_logical(x, jnp.uint32(n)))

    x = lax.mul(xorshift(x, 16), jnp.uint32(0x7FEB352D))
    x = lax.mul(xorshift(x, 15), jnp.uint32(0x846CA68B))
    return xorshift(x, 16)


# Randomness: a transition's key is two uint32 words, and its i-th random word is the keyed
# hash mix(mix(k0 + i * golden) ^ k1), a counter-based generator in the sense of Salmon et
# al. (2011, "Parallel random numbers: as easy as 1, 2, 3"). It costs a dozen integer ops,
# where a threefry evaluation is ~100 and a large share of the compile time of the sampler.
# Measured (CPU time of XLA's compile of the whole sampler for a 5-d model, Fisher diagonal
# warm-up): this hash 1.09 s and 5,263 optimised HLO lines; jax.random with threefry 2.23 s
# and 6,251 lines, rbg 1.98 s, unsafe_rbg 1.77 s. tests/inference/test_nuts.py checks the
# stream (uniformity, independence across keys and counters).
# Words 1.. feed the momentum, word 0 the doubling directions, words from _LEAF_BASE the
# per-leaf uniforms (whose number is only known at run time).
_LEAF_BASE = 1 << 31


def key_words(rng_key: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Two uint32 words from a JAX PRNG key (typed, or raw uint32 key data)."""
    if jnp.issubdtype(rng_key.dtype, jax.dtypes.prng_key):
        rng_key = jax.random.key_data(rng_key)
    data = jnp.ravel(rng_key).astype(jnp.uint32)
    if data.shape[0] >= 4:
        return data[0] ^ data[2], data[1] ^ data[3]
    return data[0], data[-1]


def random_words(k0: jax.Array, k1: jax.Array, index: jax.Array) -> jax.Array:
    """The random words at (uint32) positions ``index`` of the stream keyed by ``k0, k1``."""
    index = lax.convert_element_type(index, jnp.uint32)
    golden = jnp.full(jnp.shape(index), _GOLDEN, jnp.uint32)
    k0 = lax.broadcast_in_dim(k0, jnp.shape(index), ())
    k1 = lax.broadcast_in_dim(k1, jnp.shape(index), ())
    return _mix32(lax.bitwise_xor(_mix32(lax.add(k0, lax.mul(index, golden))), k1))


def _to_unit(word: jax.Array, dtype) -> jax.Array:
    """A uint32 word to a uniform in (0, 1)."""
    return (word.astype(dtype) + 0.5) * (1.0 / 4294967296.0)


def _leaf_uniforms(k0, k1, leaf, dtype) -> tuple[jax.Array, jax.Array]:
    index = jnp.uint32(_LEAF_BASE) + 2 * leaf.astype(jnp.uint32)
    return (
        _to_unit(random_words(k0, k1, index), dtype),
        _to_unit(random_words(k0, k1, index + 1), dtype),
    )


def _random(rng_key: jax.Array, dim: int, dtype) -> tuple[jax.Array, jax.Array, jax.Array]:
    """``dim`` standard normals (Box-Muller), the direction word and the key words."""
    k0, k1 = key_words(rng_key)
    pairs = (dim + 1) // 2
    words_per_uniform = 2 if jnp.finfo(dtype).bits > 32 else 1
    bits = random_words(k0, k1, jnp.arange(1, 2 * pairs * words_per_uniform + 1, dtype=jnp.uint32))
    if words_per_uniform == 2:
        # 53-bit uniforms in (0, 1) from two words.
        hi = (bits[0::2] >> 5).astype(dtype)
        lo = (bits[1::2] >> 6).astype(dtype)
        u = (hi * 67108864.0 + lo + 0.5) * (1.0 / 9007199254740992.0)
    else:
        u = _to_unit(bits, dtype)
    r = jnp.sqrt(-2.0 * jnp.log(u[:pairs]))
    theta = (2.0 * jnp.pi) * u[pairs:]
    normals = jnp.concatenate([r * jnp.cos(theta), r * jnp.sin(theta)])[:dim]
    return normals, random_words(k0, k1, jnp.uint32(0)), jnp.stack([k0, k1])


def transition(
    rng_key: Array,
    state: HMCState,
    value_and_grad_fn: ValueAndGrad,
    step_size: Array | float,
    metric: metrics.Metric | jax.Array,
    max_treedepth: int = 10,
    depth_limit: Array | int | None = None,
) -> tuple[HMCState, NUTSInfo]:
    """NUTS transition given ``value_and_grad_fn(position) -> (logdensity, grad)``.

    ``metric``: a :mod:`~credo.inference.metrics` metric or an inverse mass matrix array.
    ``max_treedepth`` (static) sizes the checkpoints; ``depth_limit`` (may be traced, at most
    ``max_treedepth``) stops the doubling earlier: ``depth_limit=1`` is a single leapfrog step
    in a random direction, which the step-size search uses.
    """
    metric = metrics.as_metric(metric)
    position = state.position
    dtype = position.dtype
    limit = max_treedepth if depth_limit is None else depth_limit
    step_size = jnp.asarray(step_size, dtype)
    inf = jnp.asarray(jnp.inf, dtype)
    one = jnp.asarray(1.0, dtype)

    vel = metric.velocity

    dim = position.shape[0]
    normals, direction_bits, key = _random(rng_key, dim, dtype)
    momentum = metric.momentum(normals)
    velocity0 = vel(momentum)
    energy0 = -state.logdensity + 0.5 * jnp.dot(momentum, velocity0)
    point = IntegratorState(position, momentum, state.logdensity, state.logdensity_grad)

    # Checkpoint rows: 0 .. max_treedepth + 1, and a last row that absorbs writes that are
    # not wanted (so every write is one dynamic_update_slice).
    rows = max_treedepth + 3
    trash = rows - 1
    # Row 1 of the start checkpoints holds the initial point as the far end of the "old
    # trajectory" of the first merge; row 0 of the end checkpoints holds it as its near end.
    starts = jnp.zeros((3, rows, dim), dtype)
    starts = starts.at[0, 1].set(velocity0).at[2, 1].set(-momentum)
    ends = jnp.zeros((2, rows, dim), dtype)
    ends = ends.at[0, 0].set(velocity0).at[1, 0].set(momentum)
    tree = _Tree(
        left=point,
        right=point,
        left_velocity=velocity0,
        right_velocity=velocity0,
        left_index=jnp.int32(0),
        right_index=jnp.int32(0),
        forward=(direction_bits & 1) == 1,
        depth=jnp.int32(0),
        leaf=jnp.int32(0),
        sample=state,
        sample_energy=energy0,
        sample_index=jnp.int32(0),
        log_weight=jnp.zeros((), dtype),
        rho=momentum,
        sub_sample=state,
        sub_energy=energy0,
        sub_index=jnp.int32(0),
        sub_log_weight=jnp.full((), -jnp.inf, dtype),
        sub_rho=jnp.zeros_like(momentum),
        starts=starts,
        ends=ends,
        n_steps=jnp.int32(0),
        sum_accept=jnp.zeros((), dtype),
        sum_accept_sym=jnp.zeros((), dtype),
        max_energy_error=jnp.zeros((), dtype),
        diverging=jnp.bool_(False),
        done=jnp.asarray(limit) <= 0,
    )

    def body(t: _Tree) -> _Tree:
        fwd, d, k = t.forward, t.depth, t.leaf
        origin = _select(fwd, t.right, t.left)
        new = velocity_verlet(
            origin, lax.select(fwd, step_size, -step_size), value_and_grad_fn, vel
        )
        v = vel(new.momentum)
        energy = -new.logdensity + 0.5 * jnp.dot(new.momentum, v)
        energy = lax.select(energy != energy, inf, energy)
        delta = energy - energy0
        diverging = delta > DIVERGENCE_THRESHOLD
        log_w = -delta
        u0, u1 = _leaf_uniforms(key[0], key[1], t.n_steps, dtype)

        left = _select(fwd, t.left, new)
        right = _select(fwd, new, t.right)
        left_velocity = lax.select(fwd, t.left_velocity, v)
        right_velocity = lax.select(fwd, v, t.right_velocity)
        index = lax.select(fwd, t.right_index + 1, t.left_index - 1)
        left_index = lax.select(fwd, t.left_index, index)
        right_index = lax.select(fwd, index, t.right_index)

        # Multinomial draw inside the subtree, made progressively.
        sub_log_weight = _logaddexp(t.sub_log_weight, log_w)
        take = u0 < jnp.exp(log_w - sub_log_weight)
        leaf_state = HMCState(new.position, new.logdensity, new.logdensity_grad)
        sub_sample = _select(take, leaf_state, t.sub_sample)
        sub_energy = lax.select(take, energy, t.sub_energy)
        sub_index = lax.select(take, index, t.sub_index)
        sub_rho = t.sub_rho + new.momentum

        k1 = k + 1
        last_leaf = k1 == jnp.left_shift(jnp.int32(1), d)

        # Checkpoints, all written before they are read so that XLA updates them in place.
        # Leaf k starts the subtrees of levels up to tz(k), kept at row min(tz(k), d) (row d
        # for k = 0); it ends a left half of size 2**tz(k + 1), kept at that row.
        row_start = lax.select(k == 0, d, lax.min(_trailing_zeros(k), d))
        starts = lax.dynamic_update_index_in_dim(
            t.starts, jnp.stack([v, new.momentum, t.sub_rho])[:, None], row_start, 1
        )
        row_end = lax.select(last_leaf, jnp.int32(trash), _trailing_zeros(k1))
        ends = lax.dynamic_update_index_in_dim(
            t.ends, jnp.stack([v, new.momentum])[:, None], row_end, 1
        )
        # Should this leaf complete the subtree and the merge succeed, the whole trajectory
        # becomes the left half at level d + 2: its far end at start-row d + 2, its near end
        # at end-row d + 1. Nothing reads these rows before the merge, so they are written
        # at every leaf and hold the right values once the last leaf is reached.
        forward = ((direction_bits >> (d + 1).astype(jnp.uint32)) & 1) == 1
        far_velocity = lax.select(forward, left_velocity, right_velocity)
        near_velocity = lax.select(forward, right_velocity, left_velocity)
        near_momentum = lax.select(forward, right.momentum, left.momentum)
        merged_rho = t.rho + sub_rho
        starts = lax.dynamic_update_index_in_dim(
            starts, jnp.stack([far_velocity, near_momentum, -merged_rho])[:, None], d + 2, 1
        )
        ends = lax.dynamic_update_index_in_dim(
            ends, jnp.stack([near_velocity, near_momentum])[:, None], d + 1, 1
        )

        # Merges completed at leaf k: levels 1..tz(k+1) inside the subtree, and at its last
        # leaf the merge with the old trajectory (level d + 1).
        n_checks = lax.min(_trailing_zeros(k1), d) + last_leaf.astype(jnp.int32)

        def check(c):
            j, _, starts, ends = c
            # Level j starts at leaf a = k + 1 - 2**j, stored at row min(tz(a), d) (row
            # d + 1 for the old trajectory); its right half starts at row j - 1 and its left
            # half ends at end-row j - 1.
            a = k1 - jnp.left_shift(jnp.int32(1), j)
            row_a = lax.select(
                j == d + 1, d + 1, lax.select(a == 0, d, lax.min(_trailing_zeros(a), d))
            )
            v_a, rho_a = starts[0, row_a], starts[2, row_a]
            v_m, p_m, rho_m = starts[0, j - 1], starts[1, j - 1], starts[2, j - 1]
            v_e, p_e = ends[0, j - 1], ends[1, j - 1]
            # Stan's three checks: the merged span; the left half plus the first point of
            # the right half; the last point of the left half plus the right half.
            span = sub_rho - rho_a
            span_l = rho_m + p_m - rho_a
            span_r = sub_rho - rho_m + p_e
            dots = jnp.stack(
                [
                    jnp.dot(v_a, span),
                    jnp.dot(v, span),
                    jnp.dot(v_a, span_l),
                    jnp.dot(v_m, span_l),
                    jnp.dot(v_e, span_r),
                    jnp.dot(v, span_r),
                ]
            )
            return j + 1, jnp.all(dots > 0), starts, ends

        j_end, no_turn, starts, ends = lax.while_loop(
            lambda c: c[1] & (c[0] <= n_checks),
            check,
            (jnp.int32(1), jnp.bool_(True), starts, ends),
        )
        inner_turn = ~no_turn & (j_end - 1 <= d)
        outer_turn = ~no_turn & (j_end - 1 == d + 1)

        invalid = diverging | inner_turn
        merge = last_leaf & ~invalid
        # Biased progressive sampling between the old trajectory and the new subtree.
        accept = merge & (u1 < jnp.exp(sub_log_weight - t.log_weight))
        sample = _select(accept, sub_sample, t.sample)
        sample_energy = lax.select(accept, sub_energy, t.sample_energy)
        sample_index = lax.select(accept, sub_index, t.sample_index)
        log_weight = lax.select(merge, _logaddexp(t.log_weight, sub_log_weight), t.log_weight)
        rho = lax.select(merge, merged_rho, t.rho)
        depth = d + merge.astype(jnp.int32)
        done = invalid | (merge & (outer_turn | (depth >= limit)))
        forward = lax.select(merge, forward, fwd)

        return _Tree(
            left=left,
            right=right,
            left_velocity=left_velocity,
            right_velocity=right_velocity,
            left_index=left_index,
            right_index=right_index,
            forward=forward,
            depth=depth,
            leaf=lax.select(merge, jnp.int32(0), k1),
            sample=sample,
            sample_energy=sample_energy,
            sample_index=sample_index,
            log_weight=log_weight,
            rho=rho,
            sub_sample=sub_sample,
            sub_energy=sub_energy,
            sub_index=sub_index,
            sub_log_weight=lax.select(merge, -inf, sub_log_weight),
            sub_rho=lax.select(merge, jnp.zeros_like(sub_rho), sub_rho),
            starts=starts,
            ends=ends,
            n_steps=t.n_steps + 1,
            sum_accept=t.sum_accept + lax.min(one, jnp.exp(log_w)),
            # 2 min(1, w) / (1 + w) with w = exp(-energy_error): penalises energy errors of
            # either sign (divergent leaves give 0).
            sum_accept_sym=t.sum_accept_sym
            + 2.0 * lax.min(one, jnp.exp(log_w)) / (one + jnp.exp(log_w)),
            max_energy_error=lax.select(
                lax.abs(delta) > lax.abs(t.max_energy_error), delta, t.max_energy_error
            ),
            diverging=t.diverging | diverging,
            done=done,
        )

    tree = lax.while_loop(lambda t: ~t.done, body, tree)
    info = NUTSInfo(
        energy=tree.sample_energy,
        energy_error=tree.sample_energy - energy0,
        max_energy_error=tree.max_energy_error,
        diverging=tree.diverging,
        tree_depth=tree.depth,
        n_steps=tree.n_steps,
        acceptance_rate=tree.sum_accept / lax.max(tree.n_steps, jnp.int32(1)).astype(dtype),
        acceptance_rate_sym=tree.sum_accept_sym / lax.max(tree.n_steps, jnp.int32(1)).astype(dtype),
        index_in_trajectory=tree.sample_index,
    )
    return tree.sample, info
