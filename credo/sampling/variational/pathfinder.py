"""Pathfinder (Zhang, Carpenter, Gelman & Vehtari 2022, "Pathfinder: parallel quasi-Newton
variational inference", JMLR 23): normal approximations along L-BFGS paths.

Each path runs L-BFGS on the unconstrained log-density from a random start. At every
iterate ``x_l`` the last ``maxcor`` position and gradient differences give the L-BFGS
estimate ``H_l`` of the inverse negative Hessian (here built densely by BFGS updates from
the scaled identity ``(s'y / y'y) I``, pairs failing the curvature condition skipped);
``N(x_l + H_l grad_l, H_l)`` is that iterate's approximation. The one with the largest
ELBO (estimated by ``num_elbo_draws`` draws) gives the path's draws and their importance
log-weights ``log p - log q``. Multi-path Pathfinder pools the paths' draws and resamples
them by Pareto-smoothed importance weights (PSIS, ArviZ's ``psislw``): the ``k`` it
reports says how far to trust the result (below 0.7: fine).
"""

from __future__ import annotations

import logging
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo.errors import ModelError
from credo.model import Model, modelcontext
from credo.sampling.variational.approximations import Empirical

__all__ = ["pathfinder"]

_log = logging.getLogger("credo")
_LOG_2PI = float(np.log(2 * np.pi))
_FTOL = 1e-8  # relative change of the objective at which a path stops
_GTOL = 1e-8


def _inverse_hessian(s: Any, y: Any, valid: Any) -> Any:
    """Dense L-BFGS inverse-Hessian estimate from pairs (oldest first): s (J, d) position
    differences, y (J, d) differences of the *negative* log-density's gradient."""
    d = s.shape[1]
    sy = jnp.sum(s * y, axis=1)
    scale = jnp.linalg.norm(s, axis=1) * jnp.linalg.norm(y, axis=1)
    ok = valid & (sy > 1e-8 * scale) & (scale > 0)
    yy = jnp.sum(y * y, axis=1)

    def newest_gamma(gamma: Any, item: Any) -> Any:
        ok_j, sy_j, yy_j = item
        return jnp.where(ok_j, sy_j / jnp.where(ok_j, yy_j, 1.0), gamma), None

    gamma, _ = jax.lax.scan(newest_gamma, jnp.ones(()), (ok, sy, yy))
    eye = jnp.eye(d)

    def update(h: Any, item: Any) -> Any:
        ok_j, s_j, y_j, sy_j = item
        rho = 1.0 / jnp.where(ok_j, sy_j, 1.0)
        left = eye - rho * jnp.outer(s_j, y_j)
        new = left @ h @ left.T + rho * jnp.outer(s_j, s_j)
        return jnp.where(ok_j, new, h), None

    h, _ = jax.lax.scan(update, gamma * eye, (ok, s, y, sy))
    return 0.5 * (h + h.T)


def _make_paths(
    cm: Any, maxiter: int, maxcor: int, num_elbo_draws: int, num_draws: int, jitter: float
) -> Any:
    import optax

    dim = cm.dim

    def path(key: Any, data: Any) -> Any:
        k_init, k_elbo, k_draw = jax.random.split(key, 3)
        x0 = jax.random.uniform(k_init, (dim,), minval=-jitter, maxval=jitter)

        def neg(x: Any) -> Any:
            return -cm.logdensity(x, data)

        opt = optax.lbfgs(memory_size=maxcor)
        value_and_grad = optax.value_and_grad_from_state(neg)

        def step(carry: Any, _: Any) -> Any:
            x, state = carry
            value, grad = value_and_grad(x, state=state)
            updates, state = opt.update(grad, state, x, value=value, grad=grad, value_fn=neg)
            x_new = optax.apply_updates(x, updates)
            ok = jnp.all(jnp.isfinite(x_new))
            x_new = jnp.where(ok, x_new, x)
            return (x_new, state), (x, value, grad)

        (x_last, _), (xs, values, grads) = jax.lax.scan(
            step, (x0, opt.init(x0)), None, length=maxiter
        )
        value_last, grad_last = jax.value_and_grad(neg)(x_last)
        xs = jnp.concatenate([xs, x_last[None]])  # (L + 1, d): the iterates
        values = jnp.concatenate([values, value_last[None]])
        grads = jnp.concatenate([grads, grad_last[None]])  # of the negative log-density
        s = jnp.diff(xs, axis=0)
        y = jnp.diff(grads, axis=0)
        n_iter = maxiter + 1
        # The path ends where L-BFGS has converged (relative change of the objective below
        # ftol, or a gradient norm below gtol): later iterates add only rounding noise.
        change = jnp.abs(jnp.diff(values)) / jnp.maximum(
            jnp.maximum(jnp.abs(values[1:]), jnp.abs(values[:-1])), 1.0
        )
        small_grad = jnp.linalg.norm(grads[1:], axis=1) < _GTOL
        converged = (change < _FTOL) | small_grad | ~jnp.isfinite(values[1:])
        last = jnp.where(jnp.any(converged), jnp.argmax(converged) + 1, maxiter)

        def approximation(l: Any) -> Any:
            # Pairs l - maxcor .. l - 1 (those before the path's start are invalid).
            idx = l - maxcor + jnp.arange(maxcor)
            valid = idx >= 0
            safe = jnp.clip(idx, 0, n_iter - 2)
            h = _inverse_hessian(s[safe], y[safe], valid)
            mean = xs[l] - h @ grads[l]
            chol = jnp.linalg.cholesky(h + 1e-12 * jnp.eye(dim))
            return mean, chol

        def draws_of(mean: Any, chol: Any, key: Any, n: int) -> Any:
            z = jax.random.normal(key, (n, dim))
            theta = mean + z @ chol.T
            logq = (
                -0.5 * jnp.sum(z**2, axis=1)
                - jnp.sum(jnp.log(jnp.diagonal(chol)))
                - 0.5 * dim * _LOG_2PI
            )
            logp = jax.vmap(cm.logdensity, in_axes=(0, None))(theta, data)
            return theta, logp - logq

        def elbo(l: Any) -> Any:
            mean, chol = approximation(l)
            # The same base draws at every iterate (common random numbers): the ELBOs
            # compared differ by the approximations, not by the draws.
            _, logw = draws_of(mean, chol, k_elbo, num_elbo_draws)
            value = jnp.mean(logw)
            ok = jnp.isfinite(value) & jnp.all(jnp.isfinite(chol)) & (l <= last) & (l > 0)
            return jnp.where(ok, value, -jnp.inf)

        elbos = jax.lax.map(elbo, jnp.arange(n_iter))
        best = jnp.argmax(elbos)  # (all -inf only if every iterate failed: then 0)
        mean, chol = approximation(best)
        theta, logw = draws_of(mean, chol, k_draw, num_draws)
        return theta, logw, elbos, best

    return jax.jit(jax.vmap(path, in_axes=(0, None)))


def pathfinder(
    model: Model | None = None,
    *,
    num_paths: int = 4,
    num_draws: int = 1000,
    num_draws_per_path: int = 1000,
    maxiter: int = 200,
    maxcor: int | None = None,
    num_elbo_draws: int = 10,
    jitter: float = 2.0,
    importance_sampling: str = "psis",
    random_seed: Any = None,
    start: Any = None,
    **_: Any,
) -> Empirical:
    """Multi-path Pathfinder; returns an :class:`Empirical` approximation of
    ``num_draws`` draws (``approx.sample(n)`` for InferenceData). ``approx.pareto_k`` is
    PSIS's diagnostic, ``approx.ess`` the effective sample size of the weighted
    pool, ``approx.elbo`` each path's best ELBO, ``approx.hist`` the
    negative ELBO along the best path. ``importance_sampling``: "psis" (default), "is"
    (raw importance weights) or None (pool the draws unweighted)."""
    from credo.sampling.draws import _rng_key

    model = modelcontext(model)
    cm = model.compiled()
    if cm.dim == 0:
        raise ModelError("pathfinder: the model has no free random variables")
    if cm.discrete_free:
        raise ModelError(
            f"pathfinder: the free variables {cm.discrete_free} are discrete; Pathfinder "
            "fits continuous variables only"
        )
    if importance_sampling not in ("psis", "is", None):
        raise ValueError(
            "pathfinder: importance_sampling must be 'psis', 'is' or None, got "
            f"{importance_sampling!r}"
        )
    if start is not None:
        _log.info("pathfinder: start= is ignored; each path starts at a random point")
    if maxcor is None:
        maxcor = int(min(max(5, np.ceil(3 * np.log(cm.dim + 1))), 20)) if cm.dim > 1 else 5
        maxcor = max(maxcor, min(cm.dim, 20))
    cache_key = (
        "pathfinder",
        int(maxiter),
        int(maxcor),
        int(num_elbo_draws),
        int(num_draws_per_path),
        float(jitter),
    )
    run = cm._cache.get(cache_key)
    if run is None:
        run = _make_paths(
            cm,
            int(maxiter),
            int(maxcor),
            int(num_elbo_draws),
            int(num_draws_per_path),
            float(jitter),
        )
        cm._cache[cache_key] = run
    key, _seed = _rng_key(random_seed)
    k_paths, k_resample = jax.random.split(key)
    theta, logw, elbos, best = run(jax.random.split(k_paths, int(num_paths)), cm.data_values())
    theta = np.asarray(theta).reshape(-1, cm.dim)
    logw = np.asarray(logw).ravel()
    elbos = np.asarray(elbos)
    best = np.asarray(best)
    finite = np.isfinite(logw)
    if not finite.any():
        raise FloatingPointError(
            "pathfinder: no draw has a finite log-density; check the model's priors"
        )
    theta, logw = theta[finite], logw[finite]
    pareto_k = np.nan
    if importance_sampling == "psis":
        from arviz_stats.base import array_stats

        # ArviZ's psislw smooths the weights of *minus* its argument (built for LOO,
        # whose ratios are 1 / likelihood): give it -log w.
        smoothed, pareto_k = array_stats.psislw(-logw)
        logw = np.asarray(smoothed)
        pareto_k = float(pareto_k)
        if pareto_k > 0.7:
            _log.warning(
                "pathfinder: Pareto k = %.2f > 0.7: the importance weights are unreliable, "
                "the approximation may be poor (more paths, or sample with NUTS)",
                pareto_k,
            )
    elif importance_sampling is None:
        logw = np.zeros_like(logw)
    prob = np.exp(logw - logw.max())
    prob /= prob.sum()
    ess = float(1.0 / np.sum(prob**2))
    rng = np.random.default_rng(np.asarray(jax.random.key_data(k_resample)).ravel().tolist())
    idx = rng.choice(len(theta), size=int(num_draws), replace=True, p=prob)
    approx = Empirical(cm, {"histogram": theta[idx]})
    approx.pareto_k = pareto_k
    approx.ess = ess  # effective size of the weighted pool the draws were resampled from
    path_best = elbos[np.arange(len(best)), best]
    approx.elbo = path_best
    top = int(np.argmax(path_best))
    approx.hist = -elbos[top, : int(best[top]) + 1]
    return approx
