"""Gradient-informed warm-up: the Fisher-divergence diagonal and its low-rank modification.

After Seyboldt, Carlson and Carpenter (2024), "If only my posterior were normal: introducing
Fisher HMC", as the nutpie sampler schedules it:

- **Metric.** For a Gaussian target with covariance ``S``, draws have covariance ``S`` and
  log-density gradients covariance ``S^-1``. The diagonal ``sigma^2 = sqrt(var(x) / var(g))``
  minimises the Fisher divergence between the target and its affine normalisation over
  diagonal scalings; it uses every draw's gradient, so it is sharp after a few dozen draws.
  The low-rank version rescales draws and gradients by ``sigma`` and takes the SPD geometric
  mean of the (regularised) draw scatter ``C_x`` and the inverse gradient scatter:
  ``Sigma = C_g^-1/2 (C_g^1/2 C_x C_g^1/2)^1/2 C_g^-1/2``, the unique SPD solution of
  ``Sigma C_g Sigma = C_x``. Its eigen-directions whose eigenvalue lies outside
  ``[1/cutoff, cutoff]`` modify the diagonal (``metrics.LowRankMetric``); the rest stay at 1.
  The scatter matrices are kept as running sums, so the estimate is computed on the whole
  space; outside the span of the window's draws and gradients both scatters are the
  regulariser alone and the mean is 1 there, so this equals the subspace computation.
- **Initial metric.** ``sigma^2 = 1 / |gradient|`` at the initial point.
- **Schedule.** Two overlapping estimators (foreground and background) take every draw that
  moved; the metric is recomputed from the foreground after every draw (or every
  ``update_every``). When the background holds a window's worth of draws, it becomes the
  foreground and a new background starts: windows of 10 draws in the first 30% of warm-up,
  then of 80 draws growing by 1.5 each switch, unless the next window would run into the
  last 15% of warm-up, where only the step size adapts.
- **Step size.** Dual averaging towards ``target_accept`` throughout (never restarted at a
  switch); the step-size search (an explicit phase of depth-1 transitions, as in Stan's
  heuristic) runs at the start and again when the metric first changes.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from credo.inference import metrics
from credo.inference.adaptation import (
    DualAveragingState,
    StepSizeSearch,
    WelfordState,
    _search_next,
    _select,
    dual_averaging_init,
    dual_averaging_update,
    welford_update,
)
from credo.inference.nuts import NUTSParams
from credo.inference.protocols import Array

__all__ = ["FisherAdaptation", "FisherState", "fisher_diagonal", "low_rank_metric"]

EARLY_WINDOW = 0.3
STEP_SIZE_WINDOW = 0.15
EARLY_SWITCH = 10
MAIN_SWITCH = 80
WINDOW_GROWTH = 1.5
GAMMA = 1e-5
EIGVAL_CUTOFF = 2.0
INITIAL_STEP_SIZE = 0.1
MAX_LOG_STEP_SIZE = float(np.log(np.pi))
LIMITS = (1e-20, 1e20)
# The low-rank part keeps at most this many directions: a transition then costs O(dim * rank)
# per leapfrog step instead of O(dim^2).
MAX_RANK = 24


class FisherState(NamedTuple):
    """One chain's warm-up state for :class:`FisherAdaptation`."""

    iteration: Array  # transitions done (search trials excluded)
    num_tune: Array
    early_end: Array
    final_window: Array  # first iteration of the step-size-only window
    window: Array  # the main phase's current window length
    last_update: Array
    changed: Array  # the metric has been estimated from draws at least once
    target_accept: Array
    draws: WelfordState  # foreground
    grads: WelfordState
    draws_bg: WelfordState  # background
    grads_bg: WelfordState
    metric: metrics.Metric
    step_size: Array
    dual: DualAveragingState
    search: StepSizeSearch


def fisher_diagonal(draws: WelfordState, grads: WelfordState, old: jax.Array) -> jax.Array:
    """``sqrt(var(x) / var(g))`` per coordinate (``(dim,)``); ``old`` where not finite."""
    var_x = _diag(draws.m2)
    var_g = _diag(grads.m2)
    imm = jnp.sqrt(var_x / var_g)
    ok = jnp.isfinite(imm) & (imm > 0)
    return jnp.where(ok, jnp.clip(imm, *LIMITS), old)


def _diag(m2: jax.Array) -> jax.Array:
    return m2 if m2.ndim == 1 else jnp.diagonal(m2)


def _eigh(a: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Eigenvalues and vectors of a symmetric matrix (``a`` is symmetric by construction)."""
    vectors, values = lax.linalg.eigh(a, symmetrize_input=False, sort_eigenvalues=False)
    return values, vectors


def _roots(a: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``a^1/2`` and ``a^-1/2`` of a symmetric positive definite matrix."""
    w, u = _eigh(a)
    w = jnp.maximum(w, jnp.finfo(a.dtype).tiny)
    root = jnp.sqrt(w)
    return (u * root) @ u.T, (u / root) @ u.T


def low_rank_metric(
    draws: WelfordState,
    grads: WelfordState,
    old: metrics.LowRankMetric,
    gamma: float = GAMMA,
    cutoff: float = EIGVAL_CUTOFF,
) -> metrics.LowRankMetric:
    """The low-rank modified Fisher diagonal from the running scatters (``m2``: ``(dim, dim)``).

    The geometric mean ``Sigma`` of ``C_x`` and ``C_g^-1`` is
    ``C_g^-1/2 (C_g^1/2 C_x C_g^1/2)^1/2 C_g^-1/2``, with matrix roots from symmetric
    eigendecompositions (a Cholesky route needs triangular solves, which XLA takes ~0.5 s
    each to compile on CPU, more than the eigendecompositions cost to run).
    """
    var = fisher_diagonal(draws, grads, old.scale**2)
    scale = jnp.sqrt(var)
    outer = scale[:, None] * scale[None, :]
    eye = jnp.eye(scale.shape[0], dtype=scale.dtype)
    c_x = draws.m2 / outer / gamma + eye
    c_g = grads.m2 * outer / gamma + eye
    g_half, g_inv_half = _roots(c_g)
    m_half, _ = _roots(g_half @ c_x @ g_half)
    sigma = g_inv_half @ m_half @ g_inv_half
    values, vectors = _eigh(0.5 * (sigma + sigma.T))
    keep = (values > cutoff) | (values < 1.0 / cutoff)
    values = jnp.where(keep, values, 1.0)
    # Keep the ``rank`` directions that differ most from the diagonal (the metric's shape).
    rank = old.values.shape[0]
    if rank < values.shape[0]:
        order = jnp.argsort(-jnp.abs(jnp.log(values)))[:rank]
        values, vectors = values[order], vectors[:, order]
    new = metrics.LowRankMetric(scale, vectors, values)
    ok = jnp.all(jnp.isfinite(vectors)) & jnp.all(jnp.isfinite(values)) & jnp.all(values > 0)
    return _select(ok, new, old)


class FisherAdaptation:
    """nutpie-style warm-up (see the module docstring) as an adaptation
    (``protocols.Adaptation``). ``low_rank=False``: the Fisher diagonal only."""

    def __init__(
        self, low_rank: bool = True, max_treedepth: int = 10, update_every: int | None = None
    ) -> None:
        self.low_rank = bool(low_rank)
        self.max_treedepth = int(max_treedepth)
        self.update_every = update_every

    def _every(self, dim: int) -> int:
        if self.update_every is not None:
            return max(1, int(self.update_every))
        # The low-rank estimate costs two eigendecompositions of (dim, dim), O(dim^3): beyond
        # 20 dimensions recompute it every (dim / 20)^3 draws (at most 50), and at switches.
        return min(50, max(1, round((dim / 20) ** 3))) if self.low_rank else 1

    def init(self, position, logdensity, gradient, num_tune, target_accept) -> FisherState:
        del logdensity
        position = np.asarray(position)
        gradient = np.asarray(gradient, position.dtype)
        dim, dtype = position.shape[0], position.dtype
        num_tune = int(num_tune)
        var = 1.0 / np.clip(np.abs(gradient), *LIMITS)
        var = np.where(np.isfinite(var), var, 1.0).astype(dtype)
        if self.low_rank:
            rank = min(dim, MAX_RANK)
            metric: metrics.Metric = metrics.LowRankMetric(
                np.sqrt(var), np.eye(dim, rank, dtype=dtype), np.ones(rank, dtype)
            )
        else:
            metric = metrics.DiagonalMetric(var)
        m2 = np.zeros((dim, dim) if self.low_rank else (dim,), dtype)
        one = np.ones((), dtype)

        def first(x):
            return WelfordState(one, np.asarray(x, dtype), m2.copy())

        step = np.asarray(INITIAL_STEP_SIZE, dtype)
        log_step = np.log(step)
        zero = np.zeros((), dtype)
        return FisherState(
            iteration=np.int32(0),
            num_tune=np.int32(num_tune),
            early_end=np.int32(int(EARLY_WINDOW * num_tune)),
            final_window=np.int32(num_tune - int(STEP_SIZE_WINDOW * num_tune)),
            window=np.int32(MAIN_SWITCH),
            last_update=np.int32(0),
            changed=np.bool_(False),
            target_accept=np.asarray(target_accept, dtype),
            draws=first(position),
            grads=first(gradient),
            draws_bg=first(position),
            grads_bg=first(gradient),
            metric=metric,
            step_size=step,
            dual=DualAveragingState(log_step, zero, np.log(10.0) + log_step, zero, zero),
            search=StepSizeSearch(np.bool_(True), step, np.int32(0), np.int32(0)),
        )

    def params(self, state: FisherState) -> Any:
        search = state.search.active
        step_size = lax.select(search, state.search.step_size, state.step_size)
        depth = lax.select(search, jnp.int32(1), jnp.int32(self.max_treedepth))
        return NUTSParams(step_size, state.metric, depth)

    def is_draw(self, state: FisherState) -> jax.Array:
        return ~state.search.active

    def update(self, state: FisherState, position, gradient, info) -> FisherState:
        searching = state.search.active
        searched = self._search_update(state, info.acceptance_rate)
        # After warm-up the estimators and dual averaging stop: skip their work per draw.
        tuning = ~searching & (state.iteration < state.num_tune)
        tuned = lax.cond(tuning, lambda: self._tune(state, position, gradient, info), lambda: state)
        new = _select(searching, searched, tuned)
        return new._replace(iteration=state.iteration + (~searching).astype(jnp.int32))

    def _search_update(self, state: FisherState, accept: jax.Array) -> FisherState:
        search, finished = _search_next(state.search, accept)
        # The search stops at dual averaging's bound: far from the typical set a single
        # leapfrog step can be accepted at any size (earnings-earn_height reached 5e4), and
        # a trajectory at that size diverges.
        cap = jnp.asarray(np.exp(MAX_LOG_STEP_SIZE), search.step_size.dtype)
        finished = finished | (search.step_size >= cap)
        search = search._replace(
            active=search.active & ~finished, step_size=jnp.minimum(search.step_size, cap)
        )
        step_size = jnp.where(finished, search.step_size, state.step_size)
        dual = _select(finished, dual_averaging_init(search.step_size), state.dual)
        return state._replace(step_size=step_size, dual=dual, search=search)

    def _tune(self, s: FisherState, position, gradient, info) -> FisherState:
        draw = s.iteration
        dim = position.shape[0]
        in_metric = draw < s.final_window
        early = draw < s.early_end
        window = jnp.where(
            draw == s.early_end, jnp.maximum(s.window, s.draws_bg.count.astype(jnp.int32)), s.window
        )
        index = jnp.abs(info.index_in_trajectory)
        good = in_metric & (index != 0) & (~info.diverging | (index > 4))
        draws = _select(good, welford_update(s.draws, position), s.draws)
        grads = _select(good, welford_update(s.grads, gradient), s.grads)
        draws_bg = _select(good, welford_update(s.draws_bg, position), s.draws_bg)
        grads_bg = _select(good, welford_update(s.grads_bg, gradient), s.grads_bg)

        switch_at = jnp.where(early, EARLY_SWITCH, window)
        grown = jnp.maximum(window + 1, jnp.round(window * WINDOW_GROWTH).astype(jnp.int32))
        next_window = jnp.where(early, EARLY_SWITCH, grown)
        late = next_window + draw > s.final_window
        switch = in_metric & (draws_bg.count >= switch_at) & ~late
        empty = jax.tree.map(jnp.zeros_like, draws_bg)
        draws = _select(switch, draws_bg, draws)
        grads = _select(switch, grads_bg, grads)
        draws_bg = _select(switch, empty, draws_bg)
        grads_bg = _select(switch, empty, grads_bg)
        window = jnp.where(switch & ~early, next_window, window)

        due = switch | (draw - s.last_update >= self._every(dim))
        recompute = in_metric & due & (draws.count >= 3)
        metric = lax.cond(
            recompute, lambda: self._estimate(draws, grads, s.metric), lambda: s.metric
        )
        last_update = jnp.where(recompute, draw, s.last_update)

        # As nutpie: the symmetric acceptance statistic once the metric is settled.
        accept = jnp.where(late | ~in_metric, info.acceptance_rate_sym, info.acceptance_rate)
        dual = dual_averaging_update(s.dual, accept, s.target_accept)
        dual = dual._replace(log_step_size=jnp.minimum(dual.log_step_size, MAX_LOG_STEP_SIZE))
        last = draw == s.num_tune - 1
        step_size = jnp.exp(jnp.where(last, dual.log_step_size_bar, dual.log_step_size))
        # The first metric estimated from draws can change the scale a lot: search again.
        first_change = recompute & ~s.changed
        search = _select(
            first_change,
            StepSizeSearch(jnp.bool_(True), step_size, jnp.int32(0), jnp.int32(0)),
            s.search,
        )
        return s._replace(
            window=window,
            last_update=last_update,
            changed=s.changed | recompute,
            draws=draws,
            grads=grads,
            draws_bg=draws_bg,
            grads_bg=grads_bg,
            metric=metric,
            step_size=step_size,
            dual=dual,
            search=search,
        )

    def _estimate(self, draws, grads, old):
        if self.low_rank:
            return low_rank_metric(draws, grads, old)
        return metrics.DiagonalMetric(fisher_diagonal(draws, grads, old.inverse_mass_matrix))

    def step_size_bar(self, state: FisherState) -> jax.Array:
        return jnp.exp(state.dual.log_step_size_bar)

    def final(self, state: FisherState) -> Any:
        return NUTSParams(state.step_size, state.metric, jnp.int32(self.max_treedepth))
