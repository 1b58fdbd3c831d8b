"""Compound sampling: blocks of the position updated in turn, in one compiled loop per chain.

The position is a tuple of blocks (a pytree), each a flat array: a continuous block is
float, a discrete one integer, so an integer block stays integer through the whole run.
``layout`` gives each block's indices in the flat vector the log-density takes; the blocks
are assembled into that vector (integers are exact in float64) for every evaluation.

Each block is moved by a **block kernel**, which sees only the conditional log-density of
its block (the joint density with the other blocks held at their current values):

- ``stats``: ``((name, kind), ...)`` with kind ``"float"``, ``"int"`` or ``"bool"``;
- ``init(x, logdensity, gradient, num_tune, num_draws, target_accept) -> state``, host side
  (numpy); ``gradient`` is the block's slice of the joint gradient (NaN where the block is
  discrete);
- ``step(rng_key, x, logdensity, state, logdensity_fn, tuning) -> (x, logdensity, state,
  stats, is_draw)``: ``logdensity`` is the joint log-density at the current position
  (which is the conditional one's value at ``x``), ``tuning`` whether the iteration is a
  warm-up one, ``is_draw`` False for a step-size search trial (the iteration is then not
  counted, as in :mod:`credo.inference.runner`).

Block kernels are frozen dataclasses: hashable, so the compiled program is cached per
configuration. The chains run as the runner runs them (one program per chain on threads,
or vectorised), in chunks, with the progress callback and Ctrl-C of :func:`run_chains`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from credo.errors import SamplingError
from credo.inference import runner as _runner
from credo.inference.protocols import Array

__all__ = ["CompoundResult", "run_compound", "stat_names"]


class CompoundResult(NamedTuple):
    """What :func:`run_compound` returns (numpy arrays).

    positions: ``(chains, draws, dim)`` float64 in the flat layout (discrete entries hold
    exact integers); stats: name -> ``(chains, draws)``, or ``(chains, draws, k)`` for a
    statistic that ``k`` blocks report; tuning_positions / tuning_stats: the same for the
    warm-up iterations. ``interrupted``: a KeyboardInterrupt ended the run early.
    """

    positions: np.ndarray
    stats: dict[str, np.ndarray]
    tuning_positions: np.ndarray
    tuning_stats: dict[str, np.ndarray]
    interrupted: bool
    sampling_seconds: float
    compile_seconds: float
    chain_method: str


class _CompoundState(NamedTuple):
    blocks: tuple  # one flat array per block
    logdensity: Array
    states: tuple  # one block-kernel state per block
    iteration: Array
    counter: Array
    rng_key: Array


def stat_names(kernels: Sequence[Any]) -> list[tuple[str, str, int]]:
    """``(name, kind, block)`` for every statistic recorded, ``lp`` first (block -1)."""
    out = [("lp", "float", -1)]
    for k, kern in enumerate(kernels):
        out.extend((name, kind, k) for name, kind in kern.stats)
    return out


def _assembler(layout: Sequence[np.ndarray], dim: int, dtype: Any) -> Callable:
    order = np.concatenate([np.asarray(ix, np.int64) for ix in layout])
    inverse = np.empty(dim, np.int64)
    inverse[order] = np.arange(dim)
    identity = bool(np.all(order == np.arange(dim)))

    def assemble(blocks: Sequence[jax.Array]) -> jax.Array:
        flat = jnp.concatenate([b.astype(dtype) for b in blocks])
        return flat if identity else flat[inverse]

    return assemble


def _chunk_fn(
    logdensity_fn: Callable, kernels: tuple, layout: tuple, dim: int, chunk_len: int
) -> Callable:
    dtype = jnp.result_type(float)
    assemble = _assembler(layout, dim, dtype)
    n_stats = len(stat_names(kernels))

    def chunk(state: _CompoundState, data: Any, config: jax.Array):
        total, num_tune = config[0], config[1]
        first = state.iteration
        end = lax.min(first + chunk_len, total)
        positions = jnp.zeros((chunk_len, dim), dtype)
        stats = jnp.zeros((chunk_len, n_stats), dtype)

        def body(carry):
            st, positions, stats = carry
            words = _runner._iteration_key(st.rng_key, st.counter)
            key = jax.random.wrap_key_data(words, impl="threefry2x32")
            tuning = st.iteration < num_tune
            blocks = list(st.blocks)
            lp = st.logdensity
            new_states = []
            record: list[jax.Array] = []
            is_draw = jnp.bool_(True)
            for k, kern in enumerate(kernels):

                def conditional(xk, k=k, frozen=tuple(blocks)):
                    parts = frozen[:k] + (xk,) + frozen[k + 1 :]
                    return logdensity_fn(assemble(parts), data)

                xk, lp, sk, info, draw_k = kern.step(
                    jax.random.fold_in(key, k), blocks[k], lp, st.states[k], conditional, tuning
                )
                blocks[k] = xk.astype(blocks[k].dtype)
                new_states.append(sk)
                record.extend(jnp.asarray(v).astype(dtype) for v in info)
                is_draw = is_draw & draw_k
            row = st.iteration - first
            theta = assemble(blocks)
            rec = jnp.stack([jnp.asarray(lp, dtype), *record])
            positions = lax.dynamic_update_index_in_dim(positions, theta, row, 0)
            stats = lax.dynamic_update_index_in_dim(stats, rec, row, 0)
            iteration = st.iteration + is_draw.astype(st.iteration.dtype)
            new = _CompoundState(
                tuple(blocks), lp, tuple(new_states), iteration, st.counter + 1, st.rng_key
            )
            return new, positions, stats

        def cond(carry):
            return carry[0].iteration < end

        return lax.while_loop(cond, body, (state, positions, stats))

    return chunk


def run_compound(
    logdensity_fn: Callable[[jax.Array, Any], jax.Array],
    kernels: Sequence[Any],
    layout: Sequence[Any],
    integer: Sequence[bool],
    initial_positions: Any,
    rng_key: Any,
    *,
    data: Any = None,
    num_tune: int = 1000,
    num_draws: int = 1000,
    target_accept: float = 0.8,
    chunk_size: int | None = None,
    progress_callback: Callable[[dict[str, Any]], None] | None = None,
    chain_method: str = "auto",
    initial_logdensity: Any = None,
    initial_gradient: Any = None,
) -> CompoundResult:
    """Run the block kernels in turn on several chains: warm-up and draws in one loop.

    logdensity_fn(theta, data) -> scalar with ``theta`` ``(dim,)``; ``layout[k]``: the
    indices of block ``k`` in ``theta`` (the blocks partition it); ``integer[k]``: whether
    block ``k`` is integer-valued. A kernel with ``population = True`` reads the other
    chains' states, so then all chains run in one vectorised program whatever
    ``chain_method`` says. initial_positions: ``(chains, dim)``, with
    ``initial_logdensity`` ``(chains,)`` and ``initial_gradient`` ``(chains, dim)`` there if
    the caller has them (else they are evaluated here). The progress
    callback gets the keys :func:`credo.inference.runner.run_chains` gives it.
    """
    kernels = tuple(kernels)
    layout = tuple(tuple(int(i) for i in ix) for ix in layout)
    if len(layout) != len(kernels) or len(integer) != len(kernels):
        raise ValueError("one layout entry and one integer flag per kernel")
    _runner._check_run(chain_method, num_tune, num_draws)
    positions0 = np.asarray(initial_positions, np.float64)
    chains, dim = positions0.shape
    flat = sorted(i for ix in layout for i in ix)
    if flat != list(range(dim)):
        raise ValueError("the blocks must partition the position's indices")
    data = jax.tree.map(_runner._as_input, data)
    total = num_tune + num_draws
    chunk_len = _runner._chunk_length(total, chunk_size)
    if chain_method == "auto":
        chain_method = _runner._auto_method(chains)

    if initial_logdensity is None or initial_gradient is None:
        lp0, grad0 = _runner._evaluate(logdensity_fn, positions0, data)
    else:
        lp0, grad0 = initial_logdensity, initial_gradient
    lp0 = np.asarray(lp0, np.float64).reshape(chains)
    grad0 = np.asarray(grad0, np.float64).reshape(chains, dim)
    if not np.all(np.isfinite(lp0)):
        raise SamplingError(
            "the log-density is not finite at the initial point of chains "
            f"{np.flatnonzero(~np.isfinite(lp0)).tolist()}"
        )
    blocks = []
    for ix, is_int in zip(layout, integer):
        x = positions0[:, list(ix)]
        blocks.append(np.rint(x).astype(np.int64) if is_int else x)
    states = []
    for k, kern in enumerate(kernels):
        per_chain = [
            kern.init(
                blocks[k][c],
                lp0[c],
                grad0[c, list(layout[k])],
                num_tune,
                num_draws,
                target_accept,
            )
            for c in range(chains)
        ]
        states.append(_runner._stack(per_chain))
    zeros = np.zeros(chains, np.int32)
    state = _CompoundState(
        tuple(blocks),
        lp0,
        tuple(states),
        zeros,
        zeros.copy(),
        _runner._chain_keys(rng_key, chains),
    )
    config = np.array([total, num_tune], np.int32)
    chunk = _chunk_fn(logdensity_fn, kernels, layout, dim, chunk_len)
    key = ("compound", logdensity_fn, kernels, layout, tuple(integer), chunk_len, dim)
    if any(getattr(k, "population", False) for k in kernels):
        # A kernel reads the other chains' states: all chains in one batched program.
        from credo.inference.metropolis import CHAIN_AXIS

        run: Any = _runner._AllChains(
            chunk, key, state, data, config, chains, "vmap", axis_name=CHAIN_AXIS
        )
    else:
        run = _runner._chain_runner(chunk, key, state, data, config, chains, chain_method)

    names = stat_names(kernels)
    step_cols = [i for i, (n, _, _) in enumerate(names) if n == "step_size"]
    drawn = _runner._drive(
        run,
        progress_callback,
        num_tune=num_tune,
        num_draws=num_draws,
        chunk_len=chunk_len,
        shape=(chains, dim, len(names)),
        diverging=[i for i, (n, _, _) in enumerate(names) if n == "diverging"],
        step_size=step_cols[0] if step_cols else None,
    )
    return CompoundResult(
        positions=drawn.positions,
        stats=_unpack(drawn.stats, names),
        tuning_positions=drawn.tuning_positions,
        tuning_stats=_unpack(drawn.tuning_stats, names),
        interrupted=drawn.interrupted,
        sampling_seconds=drawn.sampling_seconds,
        compile_seconds=run.compile_seconds,
        chain_method=run.name,
    )


def _cast(column: np.ndarray, kind: str) -> np.ndarray:
    if kind == "bool":
        return column != 0
    if kind == "int":
        return np.rint(column).astype(np.int64)
    return column.astype(np.float64)


def _unpack(stats: np.ndarray, names: list[tuple[str, str, int]]) -> dict[str, np.ndarray]:
    """Columns -> statistics by name; a name several blocks report is stacked on a last
    axis (one entry per block, in block order), as PyMC stacks a compound step's."""
    columns: dict[str, list[np.ndarray]] = {}
    kinds: dict[str, str] = {}
    for i, (name, kind, _) in enumerate(names):
        columns.setdefault(name, []).append(_cast(stats[..., i], kind))
        kinds[name] = kind
    return {
        name: cols[0] if len(cols) == 1 else np.stack(cols, axis=-1)
        for name, cols in columns.items()
    }
