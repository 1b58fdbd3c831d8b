"""Stan's windowed warmup: dual averaging of the step size and Welford mass-matrix estimates.

References: Stan Reference Manual, "HMC algorithm parameters" (automatic parameter tuning);
Stan's ``windowed_adaptation.hpp``, ``stepsize_adaptation.hpp``, ``var_adaptation.hpp``,
``covar_adaptation.hpp`` and ``base_hmc::init_stepsize``.

Warmup iterations are split into an initial fast window (step size only), slow windows of
doubling length that each end with a mass-matrix update, and a terminal fast window. After
every update (and at the start) the step size is re-initialised by Stan's heuristic and dual
averaging restarts around ten times that step size.

The schedule is data, not control flow: :class:`Schedule` holds the window bounds as arrays
indexed by the global iteration counter, so one compiled warmup-and-sampling loop serves any
number of tuning iterations.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from credo.inference import metrics
from credo.inference.nuts import NUTSParams
from credo.inference.protocols import Array

__all__ = [
    "AdaptationState",
    "DualAveragingState",
    "Schedule",
    "StanState",
    "StanWindowed",
    "StepSizeSearch",
    "WelfordState",
    "dual_averaging_init",
    "dual_averaging_update",
    "init",
    "make_schedule",
    "search_init",
    "search_update",
    "slow_windows",
    "update",
    "welford_covariance",
    "welford_init",
    "welford_update",
]

# Padding of the window-end array: slow windows double, so 32 covers any practical warmup.
MAX_WINDOWS = 32
# The step-size search stops after this many trials, or outside these bounds (Stan throws).
MAX_SEARCH_TRIALS = 100
MAX_STEP_SIZE = 1e7
MIN_STEP_SIZE = 1e-12


# --- schedule -------------------------------------------------------------------------------


def _stan_windows(
    num_tune: int, init_buffer: int, term_buffer: int, base_window: int
) -> tuple[int, int, list[int]]:
    """``(init_buffer, term_buffer, window ends)`` exactly as Stan's windowed_adaptation."""
    if num_tune < 20:
        # Stan: "No variance estimation is performed for num_warmup < 20".
        return 0, 0, []
    if init_buffer + base_window + term_buffer > num_tune:
        # Stan rescales to 15% / 75% / 10%, truncating to integers.
        init_buffer = int(0.15 * num_tune)
        term_buffer = int(0.1 * num_tune)
        base_window = num_tune - (init_buffer + term_buffer)
    last = num_tune - term_buffer - 1
    size = base_window
    next_end = init_buffer + size - 1
    ends = []
    for counter in range(num_tune):
        if counter != next_end:
            continue
        ends.append(counter)
        # compute_next_window
        if next_end == last:
            continue
        size *= 2
        next_end = counter + size
        if next_end == last:
            continue
        if next_end + 2 * size >= num_tune - term_buffer:
            # The following window would not fit: stretch this one to the terminal buffer.
            next_end = last
    return init_buffer, term_buffer, ends


def slow_windows(
    num_tune: int, init_buffer: int = 75, term_buffer: int = 50, base_window: int = 25
) -> list[tuple[int, int]]:
    """Slow windows as ``[(start, stop), ...]`` (``stop`` exclusive) for ``num_tune``."""
    init, _, ends = _stan_windows(num_tune, init_buffer, term_buffer, base_window)
    starts = [init] + [e + 1 for e in ends[:-1]]
    return [(s, e + 1) for s, e in zip(starts, ends)]


class Schedule(NamedTuple):
    """Warmup schedule as arrays (scalars are int32).

    Iteration ``i`` (0-based, global) feeds the mass-matrix estimate when
    ``window_start <= i < window_stop``; the estimate is used and restarted when ``i`` is
    in ``window_ends`` (``(MAX_WINDOWS,)``, padded with -1). ``num_tune`` ends warmup.
    """

    num_tune: Array
    window_start: Array
    window_stop: Array
    window_ends: Array


def make_schedule(
    num_tune: int, init_buffer: int = 75, term_buffer: int = 50, base_window: int = 25
) -> Schedule:
    """Stan's window schedule for ``num_tune`` warmup iterations, as numpy arrays."""
    init, term, ends = _stan_windows(num_tune, init_buffer, term_buffer, base_window)
    if len(ends) > MAX_WINDOWS:
        raise ValueError(f"more than {MAX_WINDOWS} adaptation windows")
    padded = np.full(MAX_WINDOWS, -1, np.int32)
    padded[: len(ends)] = ends
    stop = num_tune - term if ends else 0
    return Schedule(
        num_tune=np.int32(num_tune),
        window_start=np.int32(init if ends else 0),
        window_stop=np.int32(stop),
        window_ends=padded,
    )


# --- dual averaging -------------------------------------------------------------------------


class DualAveragingState(NamedTuple):
    """Nesterov dual averaging of ``log(step_size)`` (Hoffman & Gelman 2014, sec. 3.2)."""

    log_step_size: Array  # x: the iterate used for the next transition
    log_step_size_bar: Array  # x_bar: the averaged iterate, used after warmup
    mu: Array
    error_avg: Array  # s_bar (h_bar)
    count: Array


def dual_averaging_init(step_size: jax.Array) -> DualAveragingState:
    """Restart around ``mu = log(10 * step_size)``."""
    log_step_size = jnp.log(step_size)
    zero = jnp.zeros_like(log_step_size)
    return DualAveragingState(log_step_size, zero, jnp.log(10.0) + log_step_size, zero, zero)


def dual_averaging_update(
    state: DualAveragingState,
    accept_stat: Array,
    target_accept: Array | float,
    gamma: float = 0.05,
    t0: float = 10.0,
    kappa: float = 0.75,
) -> DualAveragingState:
    """Stan's ``stepsize_adaptation::learn_stepsize``."""
    count = state.count + 1
    accept_stat = jnp.minimum(accept_stat, 1.0)
    eta = 1.0 / (count + t0)
    error_avg = (1.0 - eta) * state.error_avg + eta * (target_accept - accept_stat)
    x = state.mu - error_avg * jnp.sqrt(count) / gamma
    weight = count ** (-kappa)
    x_bar = weight * x + (1.0 - weight) * state.log_step_size_bar
    return DualAveragingState(x, x_bar, state.mu, error_avg, count)


# --- Welford --------------------------------------------------------------------------------


class WelfordState(NamedTuple):
    """Running mean and sum of squared deviations (``(dim,)``, or ``(dim, dim)`` if dense)."""

    count: Array
    mean: Array
    m2: Array


def welford_init(dim: int, dense: bool, dtype=float) -> WelfordState:
    shape = (dim, dim) if dense else (dim,)
    return WelfordState(jnp.zeros((), dtype), jnp.zeros(dim, dtype), jnp.zeros(shape, dtype))


def welford_update(state: WelfordState, x: jax.Array) -> WelfordState:
    count = state.count + 1
    delta = x - state.mean
    mean = state.mean + delta / count
    if state.m2.ndim == 1:
        m2 = state.m2 + (x - mean) * delta
    else:
        m2 = state.m2 + jnp.outer(x - mean, delta)
    return WelfordState(count, mean, m2)


def welford_covariance(state: WelfordState) -> jax.Array:
    """Sample (co)variance shrunk towards ``1e-3 * I`` as Stan's var/covar adaptation."""
    n = state.count
    cov = state.m2 / jnp.maximum(n - 1.0, 1.0)
    shrink = 1e-3 * (5.0 / (n + 5.0))
    if cov.ndim == 1:
        return (n / (n + 5.0)) * cov + shrink
    return (n / (n + 5.0)) * cov + shrink * jnp.eye(cov.shape[0], dtype=cov.dtype)


# --- step-size search -----------------------------------------------------------------------


class StepSizeSearch(NamedTuple):
    """Stan's ``init_stepsize``: one leapfrog step from the current point with a fresh
    momentum per trial; double (or halve) until the acceptance probability crosses 0.8.

    direction: 0 before the first trial, then +1 (doubling) or -1 (halving).
    """

    active: Array
    step_size: Array
    direction: Array
    trials: Array


def search_init(step_size: jax.Array) -> StepSizeSearch:
    return StepSizeSearch(jnp.bool_(True), step_size, jnp.int32(0), jnp.int32(0))


def _search_next(
    search: StepSizeSearch, accept_prob: jax.Array
) -> tuple[StepSizeSearch, jax.Array]:
    # Stan compares H0 - H with log(0.8); a NaN energy counts as infinite (accept_prob 0).
    good = accept_prob > 0.8
    first = search.direction == 0
    direction = jnp.where(first, jnp.where(good, 1, -1), search.direction).astype(jnp.int32)
    going = ~first & (((direction == 1) & good) | ((direction == -1) & (accept_prob < 0.8)))
    step_size = jnp.where(
        going,
        jnp.where(direction == 1, 2.0 * search.step_size, 0.5 * search.step_size),
        search.step_size,
    )
    trials = search.trials + 1
    finished = (~first & ~going) | (trials >= MAX_SEARCH_TRIALS)
    finished |= (step_size > MAX_STEP_SIZE) | (step_size < MIN_STEP_SIZE)
    step_size = jnp.clip(step_size, MIN_STEP_SIZE, MAX_STEP_SIZE)
    return StepSizeSearch(~finished, step_size, direction, trials), finished


# --- the warmup state -----------------------------------------------------------------------


class AdaptationState(NamedTuple):
    """Everything warmup carries between iterations.

    step_size: the step size of the next transition (the search's result, then the dual
    averaging iterate, then ``exp(log_step_size_bar)`` after warmup).
    """

    step_size: Array
    dual: DualAveragingState
    welford: WelfordState
    inverse_mass_matrix: Array
    search: StepSizeSearch


def init(
    dim: int, dense: bool, dtype=np.float64, initial_step_size: float = 1.0
) -> AdaptationState:
    """Unit metric; the step-size search starts from ``initial_step_size`` (Stan's 1).

    The state is made of numpy arrays, so building it runs no device program.
    """
    dtype = np.dtype(dtype)
    step_size = np.asarray(initial_step_size, dtype)
    zero = np.zeros((), dtype)
    log_step_size = np.log(step_size)
    return AdaptationState(
        step_size=step_size,
        dual=DualAveragingState(log_step_size, zero, np.log(10.0) + log_step_size, zero, zero),
        welford=WelfordState(
            zero, np.zeros(dim, dtype), np.zeros((dim, dim) if dense else (dim,), dtype)
        ),
        inverse_mass_matrix=np.eye(dim, dtype=dtype) if dense else np.ones(dim, dtype),
        search=StepSizeSearch(np.bool_(True), step_size, np.int32(0), np.int32(0)),
    )


def _select(pred, on_true, on_false):
    # lax.select (a primitive, unlike the jitted jnp.where) keeps tracing cheap.
    return jax.tree.map(
        lambda a, b: lax.select(pred, jnp.asarray(a), jnp.asarray(b)), on_true, on_false
    )


def search_update(state: AdaptationState, accept_prob: jax.Array) -> AdaptationState:
    """Record one search trial; when the search ends, restart dual averaging there."""
    search, finished = _search_next(state.search, accept_prob)
    step_size = jnp.where(finished, search.step_size, state.step_size)
    dual = _select(finished, dual_averaging_init(search.step_size), state.dual)
    return state._replace(step_size=step_size, dual=dual, search=search)


def update(
    state: AdaptationState,
    iteration: Array,
    accept_stat: Array,
    position: Array,
    schedule: Schedule,
    target_accept: Array | float,
) -> AdaptationState:
    """Adapt after warmup transition ``iteration`` (0-based) that ended at ``position``.

    As Stan's ``adapt_diag_e_nuts::transition``: learn the step size, add the draw to the
    window's estimate; at a window end, replace the metric and start a step-size search.
    """
    dual = dual_averaging_update(state.dual, accept_stat, target_accept)
    in_window = (iteration >= schedule.window_start) & (iteration < schedule.window_stop)
    welford = _select(in_window, welford_update(state.welford, position), state.welford)
    window_end = jnp.any(iteration == schedule.window_ends)
    imm = jnp.where(window_end, welford_covariance(welford), state.inverse_mass_matrix)
    welford = _select(window_end, jax.tree.map(jnp.zeros_like, welford), welford)
    last = iteration == schedule.num_tune - 1
    step_size = jnp.exp(jnp.where(last, dual.log_step_size_bar, dual.log_step_size))
    search = _select(window_end, search_init(step_size), state.search)
    return AdaptationState(step_size, dual, welford, imm, search)


# --- the protocol -----------------------------------------------------------------------------


class StanState(NamedTuple):
    """One chain's warm-up state for :class:`StanWindowed` (see ``protocols``)."""

    inner: AdaptationState
    metric: metrics.Metric
    iteration: Array  # transitions done (search trials excluded)
    schedule: Schedule
    target_accept: Array


class StanWindowed:
    """Stan's windowed adaptation as an adaptation (``protocols.Adaptation``): the step-size
    search is an explicit phase of depth-1 transitions (not draws), then dual averaging,
    and the (co)variance of the draws of each slow window becomes the metric."""

    def __init__(self, dense: bool = False, max_treedepth: int = 10) -> None:
        self.dense = bool(dense)
        self.max_treedepth = int(max_treedepth)

    def init(self, position, logdensity, gradient, num_tune, target_accept) -> StanState:
        position = np.asarray(position)
        dim, dtype = position.shape[0], position.dtype
        inner = init(dim, self.dense, dtype)
        if self.dense:
            eye = np.eye(dim, dtype=dtype)
            metric: metrics.Metric = metrics.DenseMetric(eye, eye.copy())
        else:
            metric = metrics.DiagonalMetric(np.ones(dim, dtype))
        return StanState(
            inner,
            metric,
            np.int32(0),
            make_schedule(int(num_tune)),
            np.asarray(target_accept, dtype),
        )

    def params(self, state: StanState) -> Any:
        search = state.inner.search.active
        step_size = lax.select(search, state.inner.search.step_size, state.inner.step_size)
        depth = lax.select(search, jnp.int32(1), jnp.int32(self.max_treedepth))
        return NUTSParams(step_size, state.metric, depth)

    def is_draw(self, state: StanState) -> jax.Array:
        return ~state.inner.search.active

    def update(self, state: StanState, position, gradient, info) -> StanState:
        del gradient
        inner, it = state.inner, state.iteration
        searching = inner.search.active
        tuning = ~searching & (it < state.schedule.num_tune)
        adapted = update(
            inner, it, info.acceptance_rate, position, state.schedule, state.target_accept
        )
        adapted = _select(tuning, adapted, inner)
        searched = search_update(inner, info.acceptance_rate)
        new_inner = _select(searching, searched, adapted)
        changed = tuning & jnp.any(it == state.schedule.window_ends)
        metric = lax.cond(
            changed,
            lambda: _as_kind(metrics.as_metric(new_inner.inverse_mass_matrix), state.metric),
            lambda: state.metric,
        )
        iteration = it + (~searching).astype(it.dtype)
        return StanState(new_inner, metric, iteration, state.schedule, state.target_accept)

    def step_size_bar(self, state: StanState) -> jax.Array:
        return jnp.exp(state.inner.dual.log_step_size_bar)

    def final(self, state: StanState) -> Any:
        return NUTSParams(state.inner.step_size, state.metric, jnp.int32(self.max_treedepth))


def _as_kind(new: metrics.Metric, like: metrics.Metric) -> metrics.Metric:
    # lax.cond needs both branches to return the same dtypes.
    return jax.tree.map(lambda a, b: jnp.asarray(a, jnp.result_type(b)), new, like)
