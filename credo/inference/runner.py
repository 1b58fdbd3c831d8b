"""Multi-chain NUTS driver: warmup and sampling compiled once, run in chunks.

Chain methods on a loaded 2-core CPU, 1000 warmup + 1000 draws, compile + sampling seconds
for 2 / 4 chains. vectorized: 10-d normal 2.4+0.06 / 3.5+0.09, 100-d normal with scales
1e-2..1e2 3.0+1.2 / 2.9+4.6, 5-d funnel 2.4+0.29 / 4.7+0.12. One program per chain (compiled
once: 0.4, 1.3, 0.7), on threads ("parallel"): 0.04/0.12, 0.22/0.43, 0.03/0.10; one after
the other: 0.07/0.11, 0.22/0.44, 0.05/0.11. So "auto" is "parallel" on CPU.
"""

from __future__ import annotations

import math
import os
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from credo.errors import SamplingError
from credo.inference import adaptation, nuts

__all__ = ["RunResult", "run_chains", "STAT_NAMES", "CHAIN_METHODS", "clear_cache"]

STAT_NAMES = (
    "lp",
    "diverging",
    "energy",
    "energy_error",
    "max_energy_error",
    "tree_depth",
    "n_steps",
    "step_size",
    "step_size_bar",
    "acceptance_rate",
)
_INT_STATS = {"tree_depth", "n_steps"}
_DIVERGING = STAT_NAMES.index("diverging")
_STEP_SIZE = STAT_NAMES.index("step_size")
CHAIN_METHODS = ("auto", "vectorized", "parallel", "sequential")
_CACHE_SIZE = 64


class RunResult(NamedTuple):
    """What :func:`run_chains` returns (numpy arrays).

    positions: ``(chains, draws, dim)``; stats: name -> ``(chains, draws)``;
    tuning_positions / tuning_stats: the same for the warmup iterations;
    inverse_mass_matrix: ``(chains, dim)`` or ``(chains, dim, dim)``; step_size: ``(chains,)``.
    ``interrupted`` is True when a KeyboardInterrupt stopped the run: the arrays then hold
    the iterations completed before it.
    """

    positions: np.ndarray
    stats: dict[str, np.ndarray]
    tuning_positions: np.ndarray
    tuning_stats: dict[str, np.ndarray]
    inverse_mass_matrix: np.ndarray
    step_size: np.ndarray
    interrupted: bool
    sampling_seconds: float
    compile_seconds: float
    chain_method: str


class _ChainState(NamedTuple):
    hmc: nuts.HMCState
    adapt: adaptation.AdaptationState
    iteration: jax.Array  # global iteration counter: warmup then draws
    counter: jax.Array  # loop iterations, step-size search trials included
    ready: jax.Array  # the log-density at the position has been evaluated
    rng_key: jax.Array  # (2,) uint32: the chain's threefry key data


class _Config(NamedTuple):
    total: jax.Array
    target_accept: jax.Array
    schedule: adaptation.Schedule


# --- the compiled programs ------------------------------------------------------------------


def _select(pred: jax.Array, on_true: Any, on_false: Any) -> Any:
    # lax.select (a primitive, unlike the jitted jnp.where) keeps tracing cheap.
    return jax.tree.map(lambda a, b: lax.select(pred, a, b), on_true, on_false)


def _iteration_key(key_data: jax.Array, counter: jax.Array) -> jax.Array:
    """The key of loop iteration ``counter`` (two uint32 words): the chain's key words hashed
    with the counter; distinct counters give distinct second words."""
    c = counter.astype(jnp.uint32)
    return jnp.stack(
        [
            nuts.random_words(key_data[0], key_data[1], c),
            nuts.random_words(key_data[1], key_data[0], c ^ jnp.uint32(0x5BD1E995)),
        ]
    )


def _chunk_fn(logdensity_fn: Callable, max_treedepth: int, chunk_len: int) -> Callable:
    """One chain's chunk: iterate until ``chunk_len`` more iterations are done (or the run).

    Search trials of the step-size heuristic are iterations of the same loop that do not
    advance the counter, so the loop body holds the one NUTS transition of the program.
    """

    def chunk(state: _ChainState, data: Any, config: _Config):
        def value_and_grad(x):
            return jax.value_and_grad(logdensity_fn)(x, data)

        position = state.hmc.position
        dtype = position.dtype
        first = state.iteration
        end = lax.min(first + chunk_len, config.total)
        positions = jnp.zeros((chunk_len, position.shape[0]), dtype)
        stats = jnp.zeros((chunk_len, len(STAT_NAMES)), dtype)

        def body(carry):
            st, positions, stats = carry
            step_key = _iteration_key(st.rng_key, st.counter)
            adapt = st.adapt
            # Three kinds of iteration share the one transition: evaluating the initial
            # point (a step of size 0), a step-size search trial (one leapfrog step), and a
            # NUTS transition, the only kind that advances the iteration counter.
            reset = ~st.ready
            searching = adapt.search.active & st.ready
            moving = ~searching & st.ready
            step_size = lax.select(searching, adapt.search.step_size, adapt.step_size)
            step_size = lax.select(reset, jnp.zeros_like(step_size), step_size)
            hmc, info = nuts.transition(
                step_key,
                st.hmc,
                value_and_grad,
                step_size,
                adapt.inverse_mass_matrix,
                max_treedepth,
                lax.select(moving, jnp.int32(max_treedepth), jnp.int32(1)),
                reset,
            )
            tuning = moving & (st.iteration < config.schedule.num_tune)
            adapted = adaptation.update(
                adapt,
                st.iteration,
                info.acceptance_rate,
                hmc.position,
                config.schedule,
                config.target_accept,
            )
            adapted = _select(tuning, adapted, adapt)
            searched = adaptation.search_update(adapt, info.acceptance_rate)
            new_adapt = _select(searching, searched, adapted)
            new_hmc = _select(searching, st.hmc, hmc)
            # A search trial writes a row that the next transition overwrites.
            row = st.iteration - first
            record = jnp.stack(
                [
                    hmc.logdensity,
                    info.diverging.astype(dtype),
                    info.energy,
                    info.energy_error,
                    info.max_energy_error,
                    info.tree_depth.astype(dtype),
                    info.n_steps.astype(dtype),
                    step_size,
                    lax.select(tuning, jnp.exp(adapted.dual.log_step_size_bar), step_size),
                    info.acceptance_rate,
                ]
            ).astype(dtype)
            positions = lax.dynamic_update_index_in_dim(positions, hmc.position, row, 0)
            stats = lax.dynamic_update_index_in_dim(stats, record, row, 0)
            iteration = st.iteration + moving.astype(st.iteration.dtype)
            new_state = _ChainState(
                new_hmc, new_adapt, iteration, st.counter + 1, jnp.bool_(True), st.rng_key
            )
            return new_state, positions, stats

        def cond(carry):
            return ~carry[0].ready | (carry[0].iteration < end)

        return lax.while_loop(cond, body, (state, positions, stats))

    return chunk


def _initial_state(positions: np.ndarray, key_data: np.ndarray, dense: bool) -> _ChainState:
    """Batched host-side (numpy) state; the chunk program evaluates the log-density first."""
    chains, dim = positions.shape
    adapt = adaptation.init(dim, dense, positions.dtype)
    adapt = jax.tree.map(lambda x: np.broadcast_to(x, (chains, *np.shape(x))).copy(), adapt)
    zeros = np.zeros(chains, np.int32)
    hmc = nuts.HMCState(positions, np.zeros(chains, positions.dtype), np.zeros_like(positions))
    return _ChainState(hmc, adapt, zeros, zeros.copy(), np.zeros(chains, bool), key_data)


_cache: OrderedDict[tuple, Any] = OrderedDict()


def clear_cache() -> None:
    """Forget every compiled program."""
    _cache.clear()


def _avals(tree: Any) -> tuple:
    leaves, treedef = jax.tree.flatten(tree)
    return treedef, tuple((np.shape(x), str(jnp.result_type(x))) for x in leaves)


# XLA's default optimisation level throughout. Compiling tiny samplers at LLVM O0 saves
# ~0.1 s once (and nothing once the persistent cache holds the program) but makes every
# iteration slower: 8x on the tutorial's pipe-confound model (11.2 s vs 1.4 s of sampling,
# max tree depth on half the draws), so the trade is not worth making.


def _compile(key: tuple, make: Callable[[], Callable], *args) -> tuple[Any, float]:
    """AOT-compile ``make()`` for ``args`` unless cached under ``key``; return the seconds."""
    key = key + (_avals(args),)
    hit = _cache.get(key)
    if hit is not None:
        _cache.move_to_end(key)
        return hit, 0.0
    start = time.perf_counter()
    traced = jax.jit(make()).trace(*args)
    compiled = traced.lower().compile()
    seconds = time.perf_counter() - start
    _cache[key] = compiled
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return compiled, seconds


# --- chain execution ------------------------------------------------------------------------


class _AllChains:
    """All chains in one program: batched with ``vmap`` (``inner="vmap"``) or one after the
    other with ``lax.map`` (``inner="map"``). With several devices the chains are split
    across them with ``shard_map``; each device runs its share independently."""

    def __init__(self, chunk, key, state, data, config, chains, inner):
        devices = jax.devices()
        n_dev = max(d for d in range(1, min(len(devices), chains) + 1) if chains % d == 0)
        if inner == "vmap":
            fn = jax.vmap(chunk, in_axes=(0, None, None))
        else:

            def fn(states, data, config):
                return lax.map(lambda s: chunk(s, data, config), states)

        self.name = "vectorized" if inner == "vmap" else "parallel"
        self._put = lambda tree: tree
        if n_dev > 1:
            from jax.sharding import Mesh, NamedSharding
            from jax.sharding import PartitionSpec as P

            mesh = Mesh(np.array(devices[:n_dev]), ("chain",))
            fn = jax.shard_map(
                fn,
                mesh=mesh,
                in_specs=(P("chain"), P(), P()),
                out_specs=(P("chain"), P("chain"), P("chain")),
                check_vma=False,
            )
            state = jax.device_put(state, NamedSharding(mesh, P("chain")))
            replicated = NamedSharding(mesh, P())
            self._put = lambda tree: jax.device_put(tree, replicated)
            data, config = self._put((data, config))
            self.name += f" over {n_dev} devices"
        self.compiled, self.compile_seconds = _compile(
            key + (inner, chains, n_dev), lambda: fn, state, data, config
        )
        self.state, self.data, self.config = state, data, config

    def initialise(self, config):
        self.state = self.compiled(self.state, self.data, self._put(config))[0]
        hmc = self.state.hmc
        return np.asarray(hmc.logdensity), np.asarray(hmc.logdensity_grad)

    def advance(self):
        self.state, positions, stats = self.compiled(self.state, self.data, self.config)
        return np.asarray(positions), np.asarray(stats)

    def final(self):
        a = self.state.adapt
        return np.asarray(a.inverse_mass_matrix), np.asarray(a.step_size)

    def close(self):
        pass


class _PerChain:
    """One compiled single-chain program, run for each chain on the default device: one after
    the other (``threads=0``) or side by side on threads (XLA releases the GIL while it
    runs)."""

    def __init__(self, chunk, key, state, data, config, chains, threads):
        # ``state`` is on the host (numpy): slicing it costs no device program.
        self.states = [jax.tree.map(lambda x, c=c: x[c], state) for c in range(chains)]
        self.compiled, self.compile_seconds = _compile(
            key + ("single",), lambda: chunk, self.states[0], data, config
        )
        self.inputs = [(data, config)] * chains
        self.pool = ThreadPoolExecutor(threads) if threads else None
        self.name = "parallel" if threads else "sequential"

    def initialise(self, config):
        for c, state in enumerate(self.states):
            self.states[c] = self.compiled(state, self.inputs[c][0], config)[0]
        hmc = [s.hmc for s in self.states]
        return (
            np.stack([np.asarray(h.logdensity) for h in hmc]),
            np.stack([np.asarray(h.logdensity_grad) for h in hmc]),
        )

    def _one(self, c):
        data, config = self.inputs[c]
        self.states[c], positions, stats = self.compiled(self.states[c], data, config)
        return np.asarray(positions), np.asarray(stats)

    def advance(self):
        chains = range(len(self.states))
        out = (
            list(self.pool.map(self._one, chains)) if self.pool else [self._one(c) for c in chains]
        )
        return np.stack([o[0] for o in out]), np.stack([o[1] for o in out])

    def final(self):
        imm = np.stack([np.asarray(s.adapt.inverse_mass_matrix) for s in self.states])
        return imm, np.stack([np.asarray(s.adapt.step_size) for s in self.states])

    def close(self):
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)


def _as_input(x: Any) -> Any:
    return x if isinstance(x, jax.Array) else np.asarray(x)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _chain_keys(rng_key: Any, chains: int) -> np.ndarray:
    """``(chains, 2)`` uint32 threefry key data, one independent key per chain.

    Computed with numpy (splitmix64 of the key's words and the chain index), so the
    caller's key of any PRNG implementation, or an int seed, is accepted without running
    a device program.
    """
    if isinstance(rng_key, int | np.integer):
        words = np.array([(int(rng_key) >> 32) & 0xFFFFFFFF, int(rng_key) & 0xFFFFFFFF])
    else:
        if jnp.issubdtype(getattr(rng_key, "dtype", None), jax.dtypes.prng_key):
            rng_key = jax.random.key_data(rng_key)
        words = np.asarray(rng_key).ravel()
    seed = np.zeros(1, np.uint64)
    for w in words.astype(np.uint64):
        seed = _splitmix64(seed ^ w)
    index = np.arange(1, chains + 1, dtype=np.uint64)
    mixed = _splitmix64(_splitmix64(seed ^ index) + index)
    return np.stack([mixed >> np.uint64(32), mixed & np.uint64(0xFFFFFFFF)], -1).astype(np.uint32)


def _auto_method(chains: int) -> str:
    # See the measurements in the module docstring: on CPU one program per chain beats the
    # batched program (which pays the deepest tree of all chains at every iteration, and
    # compiles about three times slower); accelerators want the batched program.
    if jax.default_backend() != "cpu":
        return "vectorized"
    return "parallel" if chains > 1 else "sequential"


def _chunk_length(total: int, chunk_size: int | None) -> int:
    if chunk_size is not None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        return int(chunk_size)
    # About 20 chunks, as a power of two in [16, 512] so that similar run lengths share
    # one compiled program.
    target = min(max(total / 20.0, 10.0), 500.0)
    return int(2 ** round(math.log2(target)))


# --- the driver -----------------------------------------------------------------------------


def run_chains(
    logdensity_fn: Callable[[jax.Array, Any], jax.Array],
    initial_positions: Any,
    rng_key: jax.Array | int,
    *,
    data: Any = None,
    num_tune: int = 1000,
    num_draws: int = 1000,
    target_accept: float = 0.8,
    max_treedepth: int = 10,
    dense_mass: bool = False,
    chunk_size: int | None = None,
    progress_callback: Callable[[dict[str, Any]], None] | None = None,
    chain_method: str = "auto",
) -> RunResult:
    """Run NUTS with Stan's windowed warmup on several chains.

    logdensity_fn(position, data) -> scalar, with ``position`` ``(dim,)``; ``data`` is
    passed to the compiled program as an argument, so new data of the same shapes reuses
    it. initial_positions: ``(chains, dim)``. The compiled program is cached per
    ``(logdensity_fn, settings, dim, chains, data shapes)``.

    progress_callback(info) is called after every chunk with ``iteration`` (per chain,
    warmup included), ``total``, ``num_tune``, ``draws`` (post-warmup draws done),
    ``num_draws``, ``tuning``, ``divergences`` (post-warmup, all chains), ``step_size``
    (mean over chains), ``iterations_per_second`` and ``elapsed``. A KeyboardInterrupt
    (raised there or while a chunk runs) ends the run early with ``interrupted=True``.
    """
    if chain_method not in CHAIN_METHODS:
        raise ValueError(f"chain_method must be one of {CHAIN_METHODS}, got {chain_method!r}")
    if num_tune < 0 or num_draws < 0:
        raise ValueError("num_tune and num_draws must be non-negative")
    if not 0.0 < target_accept < 1.0:
        raise ValueError("target_accept must be in (0, 1)")
    max_treedepth = int(max_treedepth)
    if max_treedepth < 1:
        raise ValueError("max_treedepth must be at least 1")
    # Host-side preparation uses numpy only: every eager JAX operation would compile a
    # small program of its own the first time.
    initial_positions = np.asarray(initial_positions)
    if initial_positions.ndim != 2:
        raise ValueError(
            f"initial_positions must be (chains, dim), got shape {initial_positions.shape}"
        )
    dtype = jnp.result_type(float)
    if jnp.issubdtype(initial_positions.dtype, jnp.floating):
        dtype = jnp.dtype(jax.dtypes.canonicalize_dtype(initial_positions.dtype))
    initial_positions = initial_positions.astype(dtype)
    chains, dim = initial_positions.shape
    data = jax.tree.map(_as_input, data)
    total = num_tune + num_draws
    chunk_len = _chunk_length(total, chunk_size)
    if chain_method == "auto":
        chain_method = _auto_method(chains)

    state = _initial_state(initial_positions, _chain_keys(rng_key, chains), bool(dense_mass))
    config = _Config(
        total=np.int32(total),
        target_accept=np.asarray(target_accept, dtype),
        schedule=adaptation.make_schedule(num_tune),
    )
    chunk = _chunk_fn(logdensity_fn, max_treedepth, chunk_len)
    key = (logdensity_fn, max_treedepth, bool(dense_mass), chunk_len, dim, str(dtype))
    several_devices = len(jax.devices()) > 1 and chains > 1
    if chain_method == "vectorized":
        runner: Any = _AllChains(chunk, key, state, data, config, chains, "vmap")
    elif chain_method == "parallel" and several_devices:
        runner = _AllChains(chunk, key, state, data, config, chains, "map")
    else:
        threads = min(chains, os.cpu_count() or 1) if chain_method == "parallel" else 0
        runner = _PerChain(chunk, key, state, data, config, chains, threads)
    compile_seconds = runner.compile_seconds

    # A run of zero iterations only evaluates the log-density at the initial points.
    logdensity, grad = runner.initialise(config._replace(total=np.int32(0)))
    bad = ~(np.isfinite(logdensity) & np.all(np.isfinite(grad), -1))
    if bad.any():
        runner.close()
        raise SamplingError(
            f"the log-density or its gradient is not finite at the initial point of chains "
            f"{np.flatnonzero(bad).tolist()}"
        )

    positions: list[np.ndarray] = []
    stats: list[np.ndarray] = []
    done = 0
    interrupted = False
    start = time.perf_counter()
    try:
        divergences = 0
        while done < total:
            pos, st = runner.advance()
            rows = min(chunk_len, total - done)
            positions.append(pos[:, :rows])
            stats.append(st[:, :rows])
            post = np.arange(done, done + rows) >= num_tune
            divergences += int(st[:, :rows][:, post, _DIVERGING].sum())
            done += rows
            if progress_callback is not None:
                elapsed = time.perf_counter() - start
                progress_callback(
                    {
                        "iteration": done,
                        "total": total,
                        "num_tune": num_tune,
                        "draws": max(done - num_tune, 0),
                        "num_draws": num_draws,
                        "tuning": done < num_tune,
                        "divergences": divergences,
                        "step_size": float(np.mean(st[:, rows - 1, _STEP_SIZE])),
                        "iterations_per_second": done / elapsed if elapsed > 0 else float("inf"),
                        "elapsed": elapsed,
                    }
                )
    except KeyboardInterrupt:
        interrupted = True
    finally:
        runner.close()
    sampling_seconds = time.perf_counter() - start

    if positions:
        all_positions = np.concatenate(positions, axis=1)
        all_stats = np.concatenate(stats, axis=1)
    else:
        all_positions = np.zeros((chains, 0, dim))
        all_stats = np.zeros((chains, 0, len(STAT_NAMES)))
    all_positions = all_positions.astype(np.float64)
    n_tune = min(num_tune, all_positions.shape[1])
    imm, step_size = runner.final()
    return RunResult(
        positions=all_positions[:, n_tune:],
        stats=_unpack(all_stats[:, n_tune:]),
        tuning_positions=all_positions[:, :n_tune],
        tuning_stats=_unpack(all_stats[:, :n_tune]),
        inverse_mass_matrix=np.asarray(imm, np.float64),
        step_size=np.asarray(step_size, np.float64),
        interrupted=interrupted,
        sampling_seconds=sampling_seconds,
        compile_seconds=compile_seconds,
        chain_method=runner.name,
    )


def _unpack(stats: np.ndarray) -> dict[str, np.ndarray]:
    out = {}
    for i, name in enumerate(STAT_NAMES):
        column = stats[..., i]
        if name == "diverging":
            out[name] = column != 0
        elif name in _INT_STATS:
            out[name] = column.astype(np.int64)
        else:
            out[name] = column.astype(np.float64)
    return out
