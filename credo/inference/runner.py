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
from credo.inference import adaptation as stan
from credo.inference import fisher, metrics, nuts
from credo.inference.interrupt import interruptible
from credo.inference.protocols import Array

__all__ = [
    "ADAPTATIONS",
    "CHAIN_METHODS",
    "STAT_NAMES",
    "RunResult",
    "clear_cache",
    "default_adaptation",
    "make_adaptation",
    "run_chains",
]

STAT_NAMES = ("lp", *nuts.NUTSInfo._fields, "step_size", "step_size_bar")
_INT_STATS = {"tree_depth", "n_steps", "index_in_trajectory"}
_DIVERGING = STAT_NAMES.index("diverging")
_STEP_SIZE = STAT_NAMES.index("step_size")
CHAIN_METHODS = ("auto", "vectorized", "parallel", "sequential")
ADAPTATIONS = ("low_rank", "fisher_diag", "stan_diag", "stan_dense")
_CACHE_SIZE = 64


class RunResult(NamedTuple):
    """What :func:`run_chains` returns (numpy arrays).

    positions: ``(chains, draws, dim)``; stats: name -> ``(chains, draws)``;
    tuning_positions / tuning_stats: the same for the warmup iterations;
    inverse_mass_matrix: ``(chains, dim)`` (diagonal) or ``(chains, dim, dim)``;
    step_size: ``(chains,)``. ``interrupted`` is True when a KeyboardInterrupt stopped the
    run: the arrays then hold the iterations completed before it.
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
    kernel: Any  # the kernel's state
    adapt: Any  # the adaptation's state
    iteration: Array  # global iteration counter: warmup then draws
    counter: Array  # loop iterations, step-size search trials included
    rng_key: Array  # (2,) uint32: the chain's key data


def make_adaptation(name: str, max_treedepth: int = 10) -> Any:
    """The adaptation called ``name`` (one of ``ADAPTATIONS``)."""
    if name == "low_rank":
        return fisher.FisherAdaptation(low_rank=True, max_treedepth=max_treedepth)
    if name == "fisher_diag":
        return fisher.FisherAdaptation(low_rank=False, max_treedepth=max_treedepth)
    if name in ("stan_diag", "stan_dense"):
        return stan.StanWindowed(dense=name == "stan_dense", max_treedepth=max_treedepth)
    raise ValueError(f"adaptation must be one of {ADAPTATIONS}, got {name!r}")


# --- the compiled programs ------------------------------------------------------------------


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


def _chunk_fn(logdensity_fn: Callable, kernel: Any, adapt: Any, chunk_len: int) -> Callable:
    """One chain's chunk: iterate until ``chunk_len`` more iterations are done (or the run).

    Every loop iteration is one kernel step with the adaptation's current parameters; the
    adaptation says whether it was a draw (step-size search trials are not), so the loop
    body holds the one transition of the program and the log-density is traced once.
    """

    def chunk(state: _ChainState, data: Any, total: jax.Array):
        def value_and_grad(x):
            return jax.value_and_grad(logdensity_fn)(x, data)

        position = state.kernel.position
        dtype = position.dtype
        first = state.iteration
        end = lax.min(first + chunk_len, total)
        positions = jnp.zeros((chunk_len, position.shape[0]), dtype)
        stats = jnp.zeros((chunk_len, len(STAT_NAMES)), dtype)

        def body(carry):
            st, positions, stats = carry
            step_key = _iteration_key(st.rng_key, st.counter)
            params = adapt.params(st.adapt)
            kstate, info = kernel.step(step_key, st.kernel, params, value_and_grad)
            is_draw = adapt.is_draw(st.adapt)
            new_adapt = adapt.update(st.adapt, kstate.position, kstate.logdensity_grad, info)
            # A search trial writes a row that the next transition overwrites.
            row = st.iteration - first
            record = jnp.stack(
                [
                    jnp.asarray(kstate.logdensity, dtype),
                    *(jnp.asarray(v).astype(dtype) for v in info),
                    jnp.asarray(params.step_size, dtype),
                    jnp.asarray(adapt.step_size_bar(new_adapt), dtype),
                ]
            )
            positions = lax.dynamic_update_index_in_dim(positions, kstate.position, row, 0)
            stats = lax.dynamic_update_index_in_dim(stats, record, row, 0)
            iteration = st.iteration + is_draw.astype(st.iteration.dtype)
            new_state = _ChainState(kstate, new_adapt, iteration, st.counter + 1, st.rng_key)
            return new_state, positions, stats

        def cond(carry):
            return carry[0].iteration < end

        return lax.while_loop(cond, body, (state, positions, stats))

    return chunk


def _stack(trees: Any) -> Any:
    """Per-chain pytrees -> one pytree batched on a leading chain axis (numpy)."""
    return jax.tree.map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *trees)


def _initial_state(
    adapt: Any,
    positions: np.ndarray,
    logdensity: np.ndarray,
    gradient: np.ndarray,
    key_data: np.ndarray,
    num_tune: int,
    target_accept: float,
) -> _ChainState:
    """Batched host-side (numpy) state, so that building it runs no device program."""
    chains = positions.shape[0]
    per_chain = [
        adapt.init(positions[c], logdensity[c], gradient[c], num_tune, target_accept)
        for c in range(chains)
    ]
    adapt_state = _stack(per_chain)
    zeros = np.zeros(chains, np.int32)
    hmc = nuts.HMCState(positions, logdensity.astype(positions.dtype), gradient)
    return _ChainState(hmc, adapt_state, zeros, zeros.copy(), key_data)


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
    compiled = interruptible(lambda: jax.jit(make()).trace(*args).lower().compile())
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

    def __init__(self, chunk, key, state, data, config, chains, inner, axis_name=None):
        devices = jax.devices()
        n_dev = max(d for d in range(1, min(len(devices), chains) + 1) if chains % d == 0)
        if axis_name is not None:
            # Chains that read each other's states (a population kernel) stay on one device.
            n_dev = 1
        if inner == "vmap":
            fn = jax.vmap(chunk, in_axes=(0, None, None), axis_name=axis_name)
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

    def advance(self):
        self.state, positions, stats = self.compiled(self.state, self.data, self.config)
        return np.asarray(positions), np.asarray(stats)

    def adapt_states(self):
        return self.state.adapt

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

    def adapt_states(self):
        return _stack([s.adapt for s in self.states])

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
        if hasattr(rng_key, "dtype") and jnp.issubdtype(rng_key.dtype, jax.dtypes.prng_key):
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


def _check_run(chain_method: str, num_tune: int, num_draws: int) -> None:
    if chain_method not in CHAIN_METHODS:
        raise ValueError(f"chain_method must be one of {CHAIN_METHODS}, got {chain_method!r}")
    if num_tune < 0 or num_draws < 0:
        raise ValueError("num_tune and num_draws must be non-negative")


def _chain_runner(chunk, key, state, data, config, chains: int, chain_method: str) -> Any:
    """What runs the chains' chunks for ``chain_method`` (resolved, not ``"auto"``)."""
    several_devices = len(jax.devices()) > 1 and chains > 1
    if chain_method == "vectorized":
        return _AllChains(chunk, key, state, data, config, chains, "vmap")
    if chain_method == "parallel" and several_devices:
        return _AllChains(chunk, key, state, data, config, chains, "map")
    threads = min(chains, os.cpu_count() or 1) if chain_method == "parallel" else 0
    return _PerChain(chunk, key, state, data, config, chains, threads)


class _Drawn(NamedTuple):
    """The iterations a run did: positions ``(chains, n, dim)`` float64 and stats columns
    ``(chains, n, columns)``, warm-up and draws apart."""

    positions: np.ndarray
    stats: np.ndarray
    tuning_positions: np.ndarray
    tuning_stats: np.ndarray
    interrupted: bool
    sampling_seconds: float


def _drive(
    runner: Any,
    progress_callback: Callable[[dict[str, Any]], None] | None,
    *,
    num_tune: int,
    num_draws: int,
    chunk_len: int,
    shape: tuple[int, int, int],
    diverging: list[int],
    step_size: int | None,
) -> _Drawn:
    """Advance ``runner`` chunk by chunk to ``num_tune + num_draws`` iterations, calling
    ``progress_callback`` after each chunk (see :func:`run_chains`); a KeyboardInterrupt
    ends the run early. ``shape``: ``(chains, dim, columns)``; ``diverging``: the columns
    whose post-warm-up sums count divergences; ``step_size``: the column whose mean over
    chains the callback reports (None: NaN). The runner is closed at the end."""
    chains, dim, columns = shape
    total = num_tune + num_draws
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
            for col in diverging:
                divergences += int(st[:, :rows][:, post, col].sum())
            done += rows
            if progress_callback is not None:
                elapsed = time.perf_counter() - start
                step = (
                    float(np.mean(st[:, rows - 1, step_size])) if step_size is not None else np.nan
                )
                progress_callback(
                    {
                        "iteration": done,
                        "total": total,
                        "num_tune": num_tune,
                        "draws": max(done - num_tune, 0),
                        "num_draws": num_draws,
                        "tuning": done < num_tune,
                        "divergences": divergences,
                        "step_size": step,
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
        all_stats = np.zeros((chains, 0, columns))
    all_positions = all_positions.astype(np.float64)
    n_tune = min(num_tune, all_positions.shape[1])
    return _Drawn(
        all_positions[:, n_tune:],
        all_stats[:, n_tune:],
        all_positions[:, :n_tune],
        all_stats[:, :n_tune],
        interrupted,
        sampling_seconds,
    )


def run_chains(
    logdensity_fn: Callable[[jax.Array, Any], jax.Array],
    initial_positions: Any,
    rng_key: Array | int,
    *,
    data: Any = None,
    num_tune: int = 1000,
    num_draws: int = 1000,
    target_accept: float = 0.8,
    max_treedepth: int = 10,
    dense_mass: bool = False,
    adaptation: str = "auto",
    chunk_size: int | None = None,
    progress_callback: Callable[[dict[str, Any]], None] | None = None,
    chain_method: str = "auto",
    initial_logdensity: Any = None,
    initial_gradient: Any = None,
) -> RunResult:
    """Run NUTS on several chains, warm-up and draws in one compiled loop.

    logdensity_fn(position, data) -> scalar, with ``position`` ``(dim,)``; ``data`` is
    passed to the compiled program as an argument, so new data of the same shapes reuses
    it. initial_positions: ``(chains, dim)``; ``initial_logdensity`` ``(chains,)`` and
    ``initial_gradient`` ``(chains, dim)`` there, if the caller has them (else they are
    evaluated here). The compiled program is cached per
    ``(logdensity_fn, settings, dim, chains, data shapes)``.

    adaptation: one of ``ADAPTATIONS`` -- ``"low_rank"`` (the Fisher diagonal with its
    low-rank modification, nutpie's schedule), ``"fisher_diag"``, ``"stan_diag"``,
    ``"stan_dense"`` (Stan's windowed variance / covariance) -- or ``"auto"``:
    ``"stan_dense"`` if ``dense_mass``, else ``"low_rank"`` from 2 to ``LOW_RANK_MAX_DIM``
    dimensions in double precision, else ``"fisher_diag"``.

    progress_callback(info) is called after every chunk with ``iteration`` (per chain,
    warmup included), ``total``, ``num_tune``, ``draws`` (post-warmup draws done),
    ``num_draws``, ``tuning``, ``divergences`` (post-warmup, all chains), ``step_size``
    (mean over chains), ``iterations_per_second`` and ``elapsed``. A KeyboardInterrupt
    (raised there or while a chunk runs) ends the run early with ``interrupted=True``.
    """
    _check_run(chain_method, num_tune, num_draws)
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

    if adaptation == "auto":
        adaptation = default_adaptation(dim, dtype, dense_mass)
    adapt = make_adaptation(adaptation, max_treedepth)
    kernel = nuts.NUTS(max_treedepth)
    if initial_logdensity is None or initial_gradient is None:
        initial_logdensity, initial_gradient = _evaluate(logdensity_fn, initial_positions, data)
    logdensity = np.asarray(initial_logdensity, dtype).reshape(chains)
    grad = np.asarray(initial_gradient, dtype).reshape(chains, dim)
    bad = ~(np.isfinite(logdensity) & np.all(np.isfinite(grad), -1))
    if bad.any():
        raise SamplingError(
            f"the log-density or its gradient is not finite at the initial point of chains "
            f"{np.flatnonzero(bad).tolist()}"
        )
    state = _initial_state(
        adapt,
        initial_positions,
        logdensity,
        grad,
        _chain_keys(rng_key, chains),
        num_tune,
        target_accept,
    )
    config = np.int32(total)
    chunk = _chunk_fn(logdensity_fn, kernel, adapt, chunk_len)
    key = (logdensity_fn, max_treedepth, adaptation, chunk_len, dim, str(dtype))
    runner = _chain_runner(chunk, key, state, data, config, chains, chain_method)
    drawn = _drive(
        runner,
        progress_callback,
        num_tune=num_tune,
        num_draws=num_draws,
        chunk_len=chunk_len,
        shape=(chains, dim, len(STAT_NAMES)),
        diverging=[_DIVERGING],
        step_size=_STEP_SIZE,
    )
    final = adapt.final(runner.adapt_states())
    imm = np.asarray(_metric_matrix(final.metric))
    step_size = np.asarray(final.step_size)
    return RunResult(
        positions=drawn.positions,
        stats=_unpack(drawn.stats),
        tuning_positions=drawn.tuning_positions,
        tuning_stats=_unpack(drawn.tuning_stats),
        inverse_mass_matrix=np.asarray(imm, np.float64),
        step_size=np.asarray(step_size, np.float64),
        interrupted=drawn.interrupted,
        sampling_seconds=drawn.sampling_seconds,
        compile_seconds=runner.compile_seconds,
        chain_method=runner.name,
    )


LOW_RANK_MAX_DIM = 128


def default_adaptation(dim: int, dtype: Any, dense_mass: bool = False) -> str:
    """The adaptation ``"auto"`` stands for (see :func:`run_chains`)."""
    if dense_mass:
        return "stan_dense"
    if 2 <= dim <= LOW_RANK_MAX_DIM and jnp.dtype(dtype).itemsize >= 8:
        return "low_rank"
    return "fisher_diag"


def _metric_matrix(metric: Any) -> np.ndarray:
    """Batched metrics -> inverse mass matrices ``(chains, dim)`` or ``(chains, dim, dim)``."""
    if isinstance(metric, metrics.DiagonalMetric | metrics.DenseMetric):
        return np.asarray(metric.inverse_mass_matrix)
    scale, vectors, values = (np.asarray(x) for x in metric)
    inner = np.einsum("cik,ck,cjk->cij", vectors, values - 1.0, vectors)
    inner += np.eye(scale.shape[-1])
    return scale[:, :, None] * inner * scale[:, None, :]


def _evaluate(logdensity_fn: Callable, positions: np.ndarray, data: Any):
    key = ("initial", logdensity_fn)
    fn = _cache.get(key)
    if fn is None:
        fn = jax.jit(jax.vmap(jax.value_and_grad(logdensity_fn), in_axes=(0, None)))
        _cache[key] = fn
    lp, grad = fn(positions, data)
    return np.asarray(lp), np.asarray(grad)


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
