"""``sample_smc``: tempered sequential Monte Carlo, with the marginal likelihood.

The particles start as draws from the prior and move through the tempered densities
``prior(theta) * likelihood(theta) ** beta`` as ``beta`` rises from 0 to 1 (Del Moral,
Doucet & Jasra 2006; Ching & Chen 2007's transitional MCMC). Each stage:

1. the next ``beta`` is the largest one at which the importance weights
   ``likelihood ** (beta_new - beta)`` keep an effective sample size of
   ``threshold * draws`` (bisection);
2. the mean of those weights multiplies the marginal-likelihood estimate;
3. the particles are resampled (systematic resampling) by their weights;
4. each particle takes Metropolis-Hastings steps that leave the tempered density
   invariant: the "IMH" kernel proposes independently from a normal fitted to the
   particles, "MH" takes random-walk steps shaped by their covariance. Steps continue
   until the particles' correlation with their positions at the start of the stage
   falls below ``correlation_threshold`` (at most ``max_steps``).

Everything happens on the unconstrained space (the prior term includes the transforms'
log-Jacobians, so the marginal likelihood is that of the model as written). One chain is
one independent run; chains are vectorised with ``vmap`` and the whole run is one jitted
program.
"""

from __future__ import annotations

import logging
import time
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from credo._version import __version__
from credo.compile import make_forward
from credo.errors import ModelError, SamplingError
from credo.model import Model, modelcontext

__all__ = ["sample_smc", "IMH", "MH", "kernels"]

_log = logging.getLogger("credo")
_MAX_STAGES = 500


class IMH:
    """Independent Metropolis-Hastings kernel: proposals from a normal fitted to the
    particles (the default, as in PyMC)."""

    name = "imh"


class MH:
    """Random-walk Metropolis-Hastings kernel, proposals shaped by the particles'
    covariance."""

    name = "mh"


class kernels:  # noqa: N801 (PyMC's spelling: pm.smc.kernels.IMH)
    IMH = IMH
    MH = MH


def _kernel_name(kernel: Any) -> str:
    if isinstance(kernel, str) and kernel.lower() in ("imh", "mh", "metropolis"):
        return "mh" if kernel.lower() == "metropolis" else kernel.lower()
    if kernel in (IMH, MH) or isinstance(kernel, IMH | MH):
        return kernel.name
    raise ValueError(f"sample_smc: unknown kernel {kernel!r}; use 'IMH' or 'MH' (or pm.smc.IMH)")


class _State(NamedTuple):
    theta: Any  # (N, d)
    prior: Any  # (N,)
    loglik: Any  # (N,)
    beta: Any
    log_marginal: Any
    stage: Any
    scale: Any  # random-walk scale (MH)
    betas: Any  # (_MAX_STAGES,)
    accept: Any  # (_MAX_STAGES,)
    steps: Any  # (_MAX_STAGES,)


def _ess(logw: Any) -> Any:
    w = jnp.exp(logw - jnp.max(logw))
    return jnp.sum(w) ** 2 / jnp.sum(w**2)


def _weights(delta: Any, loglik: Any) -> Any:
    # -inf likelihoods keep weight 0 (and 0 * -inf must not become NaN).
    return jnp.where(jnp.isneginf(loglik), -jnp.inf, delta * loglik)


def _next_beta(beta: Any, loglik: Any, target_ess: float) -> Any:
    room = 1.0 - beta

    def bisect(_: Any, bounds: Any) -> Any:
        lo, hi = bounds
        mid = 0.5 * (lo + hi)
        ok = _ess(_weights(mid, loglik)) >= target_ess
        return jnp.where(ok, mid, lo), jnp.where(ok, hi, mid)

    lo, _ = jax.lax.fori_loop(0, 60, bisect, (jnp.zeros(()), room))
    full = _ess(_weights(room, loglik)) >= target_ess
    # At least a tiny step, so a degenerate likelihood cannot stall the loop.
    return jnp.where(full, 1.0, beta + jnp.maximum(lo, 1e-12 * room))


def _systematic(key: Any, logw: Any) -> Any:
    n = logw.shape[0]
    w = jax.nn.softmax(logw)
    positions = (jax.random.uniform(key) + jnp.arange(n)) / n
    return jnp.clip(jnp.searchsorted(jnp.cumsum(w), positions), 0, n - 1)


def _correlation(a: Any, b: Any) -> Any:
    """Mean over coordinates of the correlation between particles' positions a and b."""
    ac, bc = a - a.mean(0), b - b.mean(0)
    denom = jnp.sqrt(jnp.sum(ac**2, 0) * jnp.sum(bc**2, 0))
    corr = jnp.where(denom > 0, jnp.sum(ac * bc, 0) / jnp.where(denom > 0, denom, 1.0), 0.0)
    return jnp.mean(corr)


def _make_run(
    cm: Any, draws: int, kernel: str, threshold: float, corr_threshold: float, max_steps: int
) -> Any:
    free_names = [f.name for f in cm.free]
    forward = make_forward(cm, free_names, fixed_names=())
    dim = cm.dim
    target_ess = threshold * draws

    def parts(theta: Any, data: Any) -> Any:
        return cm.prior_and_loglik(theta, data)

    vparts = jax.vmap(parts, in_axes=(0, None))

    def mutate(key: Any, state: _State, beta: Any, data: Any) -> Any:
        mean = state.theta.mean(0)
        centred = state.theta - mean
        cov = centred.T @ centred / draws + 1e-8 * jnp.eye(dim)
        chol = jnp.linalg.cholesky(cov)

        def logq(x: Any) -> Any:  # the proposal's log-density, up to a constant
            z = jax.scipy.linalg.solve_triangular(chol, (x - mean).T, lower=True)
            return -0.5 * jnp.sum(z**2, axis=0)

        start = state.theta

        def step(carry: Any) -> Any:
            theta, prior, loglik, lq, n, accepted, _, key = carry
            key, kz, ku = jax.random.split(key, 3)
            z = jax.random.normal(kz, (draws, dim))
            if kernel == "imh":
                prop = mean + z @ chol.T
            else:
                prop = theta + state.scale * (z @ chol.T)
            p_prior, p_ll = vparts(prop, data)
            p_lq = logq(prop) if kernel == "imh" else lq
            log_alpha = (p_prior + beta * _finite(p_ll)) - (prior + beta * _finite(loglik))
            if kernel == "imh":
                log_alpha = log_alpha + lq - p_lq
            accept = jnp.log(jax.random.uniform(ku, (draws,))) < log_alpha
            accept = accept & jnp.isfinite(p_prior)
            theta = jnp.where(accept[:, None], prop, theta)
            prior = jnp.where(accept, p_prior, prior)
            loglik = jnp.where(accept, p_ll, loglik)
            lq = jnp.where(accept, p_lq, lq)
            corr = _correlation(start, theta)
            return theta, prior, loglik, lq, n + 1, accepted + jnp.mean(accept), corr, key

        def keep_going(carry: Any) -> Any:
            n, corr = carry[4], carry[6]
            return (n < max_steps) & (corr > corr_threshold)

        lq0 = logq(state.theta) if kernel == "imh" else jnp.zeros(draws)
        init = (state.theta, state.prior, state.loglik, lq0, 0, 0.0, jnp.ones(()), key)
        theta, prior, loglik, _, n, accepted, _, _ = jax.lax.while_loop(keep_going, step, init)
        return theta, prior, loglik, accepted / jnp.maximum(n, 1), n

    def one_chain(key: Any, data: Any) -> _State:
        key, k0 = jax.random.split(key)
        values = jax.vmap(forward, in_axes=(0, None, None))(jax.random.split(k0, draws), {}, data)
        theta = jax.vmap(cm._to_theta, in_axes=(0, None))(values, data)
        prior, loglik = vparts(theta, data)
        zeros = jnp.full(_MAX_STAGES, jnp.nan)
        state = _State(
            theta,
            prior,
            loglik,
            jnp.zeros(()),
            jnp.zeros(()),
            0,
            jnp.asarray(2.38 / np.sqrt(dim)),
            zeros,
            zeros,
            jnp.zeros(_MAX_STAGES, int),
        )

        def stage(carry: Any) -> Any:
            state, key = carry
            key, k_res, k_mut = jax.random.split(key, 3)
            beta = _next_beta(state.beta, state.loglik, target_ess)
            logw = _weights(beta - state.beta, state.loglik)
            log_marginal = state.log_marginal + jax.nn.logsumexp(logw) - jnp.log(draws)
            idx = _systematic(k_res, logw)
            state = state._replace(
                theta=state.theta[idx], prior=state.prior[idx], loglik=state.loglik[idx]
            )
            theta, prior, loglik, acc, n = mutate(k_mut, state, beta, data)
            # Random-walk scale: larger after a stage that accepted often (target 0.234).
            scale = state.scale * jnp.exp(acc - 0.234)
            state = _State(
                theta,
                prior,
                loglik,
                beta,
                log_marginal,
                state.stage + 1,
                scale,
                state.betas.at[state.stage].set(beta),
                state.accept.at[state.stage].set(acc),
                state.steps.at[state.stage].set(n),
            )
            return state, key

        def not_done(carry: Any) -> Any:
            state, _ = carry
            return (state.beta < 1.0) & (state.stage < _MAX_STAGES)

        state, _ = jax.lax.while_loop(not_done, stage, (state, key))
        return state

    return jax.jit(jax.vmap(one_chain, in_axes=(0, None)))


def _finite(loglik: Any) -> Any:
    return jnp.where(jnp.isneginf(loglik), -1e300, loglik)


def sample_smc(
    draws: int = 2000,
    kernel: Any = IMH,
    *,
    start: Any = None,
    model: Model | None = None,
    random_seed: Any = None,
    chains: int | None = None,
    cores: int | None = None,
    compute_convergence_checks: bool = True,
    return_inferencedata: bool = True,
    idata_kwargs: dict[str, Any] | None = None,
    progressbar: bool = True,
    threshold: float = 0.5,
    correlation_threshold: float = 0.01,
    max_steps: int = 100,
    **_: Any,
) -> Any:
    """Sequential Monte Carlo: ``draws`` particles per chain from the posterior, and the
    log marginal likelihood of each chain in ``sample_stats["log_marginal_likelihood"]``
    (dims ``(chain,)``; Bayes factors compare these between models).

    ``kernel``: ``"IMH"`` (default) or ``"MH"`` (or ``pm.smc.IMH`` / ``pm.smc.MH``).
    ``threshold``: the effective sample size kept per stage, as a fraction of ``draws``
    (lower: fewer, larger tempering steps). ``correlation_threshold``: mutation stops when
    the particles' correlation with their start falls below it. Other groups:
    ``sample_stats`` also has ``beta``, ``accept_rate`` and ``n_steps`` per stage.
    """
    from credo.sampling.mcmc import _default_cores, _observed_and_constant, _rng_key

    model = modelcontext(model)
    name = _kernel_name(kernel)
    if not isinstance(draws, int | np.integer) or draws < 2:
        raise ValueError(f"sample_smc: draws must be an int >= 2, got {draws!r}")
    if not 0 < threshold <= 1:
        raise ValueError(f"sample_smc: threshold must be in (0, 1], got {threshold}")
    if not 0 < correlation_threshold < 1:
        raise ValueError(
            f"sample_smc: correlation_threshold must be in (0, 1), got {correlation_threshold}"
        )
    if start is not None:
        raise NotImplementedError(
            "sample_smc: start= is not supported; particles start at prior draws"
        )
    cm = model.compiled()
    if cm.dim == 0:
        raise SamplingError("sample_smc: the model has no free random variables")
    if cm.discrete_free:
        raise ModelError(
            f"sample_smc: the free variables {cm.discrete_free} are discrete; credo's SMC "
            "kernels move continuous variables only"
        )
    if chains is None:
        chains = max(2, cores or _default_cores())
    key, seed = _rng_key(random_seed)
    cache_key = (
        "smc",
        name,
        int(draws),
        float(threshold),
        float(correlation_threshold),
        int(max_steps),
    )
    run = cm._cache.get(cache_key)
    if run is None:
        run = _make_run(
            cm, int(draws), name, float(threshold), float(correlation_threshold), int(max_steps)
        )
        cm._cache[cache_key] = run
    t0 = time.perf_counter()
    try:
        state = run(jax.random.split(key, chains), cm.data_values())
    except NotImplementedError as err:
        raise SamplingError(
            f"sample_smc starts from prior draws, and a prior cannot be sampled: {err}"
        ) from None
    theta = np.asarray(state.theta)
    wall = time.perf_counter() - t0
    stages = np.asarray(state.stage)
    if np.any(np.asarray(state.beta) < 1):
        _log.warning("sample_smc: some chains did not reach beta = 1 in %d stages", _MAX_STAGES)
    if progressbar:
        from credo.sampling.progress import interactive

        if interactive():
            print(f"sample_smc: {chains} chains, {int(stages.max())} stages, {wall:.2f} s")
    from credo.sampling.mcmc import _constrained_draws

    posterior = _constrained_draws(cm, theta)
    if not return_inferencedata:
        return posterior
    from credo.io.idata import to_inference_data

    observed, constant = _observed_and_constant(model)
    attrs = {
        "credo_version": __version__,
        "inference_library": "credo",
        "sampler": f"SMC ({name.upper()} kernel)",
        "random_seed": int(seed),
        "chains": int(chains),
        "sampling_time": float(wall),
    }
    idata = to_inference_data(
        model,
        {"posterior": posterior, "observed_data": observed, "constant_data": constant},
        attrs=attrs,
    )
    idata["sample_stats"] = _sample_stats(state, stages, attrs)
    if idata_kwargs and idata_kwargs.get("log_likelihood"):
        from credo.sampling.mcmc import compute_log_likelihood

        compute_log_likelihood(idata, model=model, extend_inferencedata=True)
    return idata


def _sample_stats(state: _State, stages: np.ndarray, attrs: dict[str, Any]) -> Any:
    import xarray as xr

    n = int(stages.max())
    chains = stages.shape[0]
    ds = xr.Dataset(
        {
            "log_marginal_likelihood": (("chain",), np.asarray(state.log_marginal)),
            "beta": (("chain", "stage"), np.asarray(state.betas)[:, :n]),
            "accept_rate": (("chain", "stage"), np.asarray(state.accept)[:, :n]),
            "n_steps": (("chain", "stage"), np.asarray(state.steps)[:, :n]),
            "stages": (("chain",), stages),
        },
        coords={"chain": np.arange(chains), "stage": np.arange(n)},
        attrs=attrs,
    )
    return xr.DataTree(ds)
