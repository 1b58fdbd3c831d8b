"""Univariate slice sampling, one entry of the block after the other (a block kernel of
:mod:`credo.inference.compound`).

Neal (2003, "Slice sampling", Annals of Statistics 31(3)), figures 3 and 5: an interval of
width ``w`` placed at random around the entry, stepped out (at most ``max_steps - 1``
expansions, split at random between the two ends, which keeps the move reversible), then
shrunk towards the current value until a point inside the slice is drawn. During warm-up
``w`` becomes the running mean of the final interval widths, as PyMC tunes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from credo.inference.protocols import Array, LogDensity

__all__ = ["SliceKernel", "SliceState"]

# A bound on shrinkage steps: each halves the interval on average, so this is only reached
# when the slice has measure zero (a log-density that is NaN or -inf almost everywhere).
_MAX_SHRINK = 200


class SliceState(NamedTuple):
    w: Array  # (size,)
    n_tunes: Array


@dataclass(frozen=True)
class SliceKernel:
    size: int
    w: float = 1.0
    tune: bool = True
    max_steps: int = 100

    stats = (("nstep_out", "int"), ("nstep_in", "int"))

    def init(
        self,
        x: np.ndarray,
        logdensity: float,
        gradient: np.ndarray,
        num_tune: int,
        num_draws: int,
        target_accept: float,
    ) -> Any:
        return SliceState(np.full(self.size, float(self.w)), np.asarray(0.0))

    def step(
        self,
        rng_key: jax.Array,
        x: jax.Array,
        logdensity: jax.Array,
        state: Any,
        logdensity_fn: LogDensity,
        tuning: jax.Array,
    ) -> tuple[jax.Array, jax.Array, Any, tuple, jax.Array]:
        keys = jax.random.split(rng_key, self.size)
        adapt = tuning & self.tune

        def safe(q):
            lp = logdensity_fn(q)
            return jnp.where(jnp.isnan(lp), -jnp.inf, lp)

        def one(i, carry):
            q, lp, w, n_out, n_in = carry
            k_y, k_pos, k_split, k_shrink = jax.random.split(keys[i], 4)
            wi = w[i]
            y = lp - jax.random.exponential(k_y)
            left = q[i] - jax.random.uniform(k_pos) * wi
            right = left + wi
            steps_left = jax.random.randint(k_split, (), 0, self.max_steps)
            steps_right = self.max_steps - 1 - steps_left

            def out(edge, sign, budget):
                def cond(c):
                    e, n = c
                    return (n < budget) & (y <= safe(q.at[i].set(e)))

                return lax.while_loop(cond, lambda c: (c[0] + sign * wi, c[1] + 1), (edge, 0))

            left, n_left = out(left, -1.0, steps_left)
            right, n_right = out(right, 1.0, steps_right)

            def shrink_cond(c):
                _, _, _, lp_new, n, _ = c
                return (y > lp_new) & (n < _MAX_SHRINK)

            def shrink_body(c):
                lo, hi, cand, _, n, key = c
                lo = jnp.where(cand < q[i], cand, lo)
                hi = jnp.where(cand > q[i], cand, hi)
                key, sub = jax.random.split(key)
                cand = jax.random.uniform(sub, minval=lo, maxval=hi)
                return lo, hi, cand, safe(q.at[i].set(cand)), n + 1, key

            k_first, k_rest = jax.random.split(k_shrink)
            cand = jax.random.uniform(k_first, minval=left, maxval=right)
            start = (left, right, cand, safe(q.at[i].set(cand)), 0, k_rest)
            lo, hi, cand, lp_new, n_shrink, _ = lax.while_loop(shrink_cond, shrink_body, start)
            found = y <= lp_new
            new_q = jnp.where(found, q.at[i].set(cand), q)
            new_lp = jnp.where(found, lp_new, lp)
            n_t = state.n_tunes
            width = right - left
            w = jnp.where(adapt, w.at[i].set(wi * (n_t / (n_t + 1)) + width / (n_t + 1)), w)
            return new_q, new_lp, w, n_out + n_left + n_right, n_in + n_shrink

        q, lp, w, n_out, n_in = lax.fori_loop(0, self.size, one, (x, logdensity, state.w, 0, 0))
        new = SliceState(w, state.n_tunes + adapt.astype(state.n_tunes.dtype))
        return q, lp, new, (n_out, n_in), jnp.bool_(True)
