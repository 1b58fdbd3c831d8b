"""``sample``, predictive sampling and the log-likelihood: the driver between a model's
compiled functions and the NUTS kernels, returning ArviZ InferenceData."""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import Any

import jax
import numpy as np

from credo._version import __version__
from credo.compile import CompiledModel
from credo.errors import ModelError, ParameterError, SamplingError, ShapeError, warn_user
from credo.inference.interrupt import interruptible
from credo.io.idata import to_inference_data
from credo.model import Model, modelcontext
from credo.sampling import diagnostics
from credo.sampling.draws import (
    _constrained_draws,
    _observed_and_constant,
    _rng_key,
)

__all__ = [
    "sample",
    "sample_prior_predictive",
    "sample_posterior_predictive",
    "compute_log_likelihood",
    "init_nuts",
]

_log = logging.getLogger("credo")


def _load_lapack() -> None:
    # JAX loads LAPACK's kernels (for the low-rank metric's eigendecompositions) on first
    # use, which takes ~0.3 s: do it on a thread while the user builds the model.
    try:
        from jax._src.lax import linalg

        linalg.initialize_lapack()
    except Exception:  # pragma: no cover - a JAX without this hook loads them on first use
        pass


_lapack_loader = threading.Thread(target=_load_lapack, daemon=True)
_lapack_loader.start()
# A process that ends while the thread is inside the C loader would abort at finalisation.
atexit.register(_lapack_loader.join)

# PyMC's init names with their meanings, plus credo's low-rank adaptation. "auto" is the
# measured best (bench/RESULTS.md): the low-rank Fisher metric for models up to
# runner.LOW_RANK_MAX_DIM dimensions, the Fisher diagonal beyond.
_INITS = {
    "auto": "auto",
    "jitter+adapt_diag": "stan_diag",
    "adapt_diag": "stan_diag",
    "jitter+adapt_diag_grad": "fisher_diag",
    "adapt_diag_grad": "fisher_diag",
    "jitter+adapt_full": "stan_dense",
    "adapt_full": "stan_dense",
    "jitter+adapt_low_rank": "low_rank",
    "adapt_low_rank": "low_rank",
    # Chains start at draws of a mean-field ADVI fit, then Stan's diagonal adaptation.
    "advi": "stan_diag",
    "advi+adapt_diag": "stan_diag",
}


def _check_count(what: str, value: Any) -> None:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
        raise ParameterError(f"sample: {what} must be a positive int, got {value!r}")


def _check_posterior_names(model: Model, var_names: Any) -> None:
    """``sample(var_names=...)`` keeps free variables and Deterministics, by name."""
    names = _as_names(var_names) or []
    known = [v.name for v in model.free_RVs] + [v.name for v in model.deterministics]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ModelError(
            f"sample: var_names {unknown} are not free variables or Deterministics of the "
            f"model; those are {known}"
        )


def _default_cores() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def init_nuts(
    cm: CompiledModel,
    chains: int,
    rng: np.random.Generator,
    *,
    jitter: bool = True,
    initvals: Any = None,
    tries: int = 20,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Starting positions ``(chains, dim)`` with their log-densities ``(chains,)`` and
    gradients ``(chains, dim)``: the initial point, jittered by U(-1, 1) on the unconstrained
    scale, retried where the log-density or its gradient is not finite.

    ``initvals``: a dict of constrained values (by name), or a list of dicts, one per chain.
    """
    per_chain = isinstance(initvals, list | tuple)
    if per_chain and len(initvals) != chains:
        raise ValueError(f"initvals has {len(initvals)} entries for {chains} chains")
    groups = [[c] for c in range(chains)] if per_chain else [list(range(chains))]
    positions = np.zeros((chains, cm.dim))
    logdensity = np.zeros(chains)
    gradient = np.zeros((chains, cm.dim))
    compile_seconds = 0.0
    for group in groups:
        iv = initvals[group[0]] if per_chain else initvals
        n = len(group)
        noise = rng.uniform(-1, 1, size=(n, tries, cm.dim)) if jitter else np.zeros((n, 0, cm.dim))
        theta0, pos, lp, grad, found, point = interruptible(cm.start_candidates, iv or {}, noise)
        compile_seconds += cm.start_compile_seconds
        if not found.all():
            bad = cm.non_finite_terms(theta0)
            logps = _point_logps_safe(cm, point)
            detail = ", ".join(f"{k}: {v:.4g}" for k, v in logps.items())
            raise SamplingError(
                "the initial point has a non-finite log-density"
                + (f" in: {', '.join(repr(b) for b in bad)}" if bad else "")
                + f". Log-density of each variable there: {detail}. Check the priors' "
                "support and the data (or give initvals=)."
            )
        positions[group], logdensity[group], gradient[group] = pos, lp, grad
    cm.start_compile_seconds = compile_seconds
    return positions, logdensity, gradient


def _point_logps_safe(cm: CompiledModel, pt: dict[str, Any]) -> dict[str, float]:
    try:
        return cm.point_logps(pt)
    except Exception:  # pragma: no cover - only for the message
        return {}


def sample(
    draws: int = 1000,
    *,
    tune: int = 1000,
    chains: int | None = None,
    cores: int | None = None,
    target_accept: float = 0.8,
    random_seed: Any = None,
    init: str = "auto",
    initvals: Any = None,
    progressbar: bool = True,
    discard_tuned_samples: bool = True,
    compute_convergence_checks: bool = True,
    return_inferencedata: bool = True,
    idata_kwargs: dict[str, Any] | None = None,
    max_treedepth: int = 10,
    model: Model | None = None,
    chain_method: str = "auto",
    var_names: Any = None,
    step: Any = None,
) -> Any:
    """Draw posterior samples with NUTS, PyMC's arguments and meanings.

    ``init`` picks the warm-up: ``"auto"`` (default: the low-rank modified Fisher metric with
    nutpie's schedule up to 128 unconstrained dimensions, the Fisher diagonal beyond),
    ``"jitter+adapt_diag"`` / ``"adapt_diag"`` (Stan's windowed variance),
    ``"jitter+adapt_diag_grad"`` (the Fisher diagonal from draws and gradients),
    ``"jitter+adapt_full"`` / ``"adapt_full"`` (Stan's windowed covariance) and
    ``"jitter+adapt_low_rank"`` / ``"adapt_low_rank"`` (the low-rank Fisher metric at any size).

    Returns ArviZ InferenceData with groups ``posterior`` (constrained values and
    Deterministics, dims ``(chain, draw, ...)``), ``sample_stats``, ``observed_data`` and
    ``constant_data``; ``idata_kwargs={"log_likelihood": True}`` adds ``log_likelihood``.
    Ctrl-C returns the draws made so far (with a warning).

    ``step``: a step method (:mod:`credo.sampling.step_methods`) or a list of them; the variables no
    step names are assigned by PyMC's rules (continuous: NUTS; binary:
    BinaryGibbsMetropolis; Categorical: CategoricalGibbsMetropolis; other discrete:
    Metropolis), and a model with discrete free variables gets that assignment without
    ``step``. The blocks are updated in turn inside one compiled loop per chain; each step's
    statistics are in ``sample_stats`` under PyMC's names.
    """
    from credo.inference.runner import run_chains
    from credo.sampling.progress import SamplingProgress

    model = modelcontext(model)
    if not isinstance(draws, int | np.integer) or draws < 0:
        raise ValueError(f"sample: draws must be a non-negative int, got {draws!r}")
    if not isinstance(tune, int | np.integer) or tune < 0:
        raise ValueError(f"sample: tune must be a non-negative int, got {tune!r}")
    if not 0 < target_accept < 1:
        raise ValueError(f"sample: target_accept must be in (0, 1), got {target_accept}")
    if init not in _INITS:
        raise ValueError(f"sample: init must be one of {list(_INITS)}, got {init!r}")
    if cores is None:
        cores = _default_cores()
    _check_count("cores", cores)
    if chains is None:
        chains = max(2, cores)
    _check_count("chains", chains)
    key, seed = _rng_key(random_seed)  # a bad seed is refused before any compilation
    _check_posterior_names(model, var_names)
    if init.startswith("advi"):  # start each chain at a draw of a mean-field ADVI fit
        from credo.sampling.variational.inference import advi_initial_points

        initvals = advi_initial_points(model, chains, random_seed, start=initvals)
        init = "adapt_diag"
    cm = model.compiled()
    cm.check_observed_shapes()
    if cm.dim == 0:
        raise SamplingError("the model has no free random variables to sample")
    plan = None
    if step is not None or cm.discrete_free:
        from credo.sampling import step_methods

        plan = step_methods.assign_step_methods(cm, step)
        if len(plan) == 1 and isinstance(plan[0][0], step_methods.NUTS):
            # NUTS on every variable: the plain NUTS run, with the step's settings.
            target_accept = plan[0][0].target_accept or target_accept
            max_treedepth = plan[0][0].max_treedepth or max_treedepth
            plan = None
        else:
            for line in step_methods.describe(plan):
                _log.info(line)
    init_key, run_key = jax.random.split(key)
    rng = np.random.default_rng(np.asarray(jax.random.key_data(init_key)).ravel().tolist())
    jitter = init == "auto" or init.startswith("jitter")
    start_compile = 0.0
    if plan is None:
        positions0, logdensity0, gradient0 = init_nuts(
            cm, chains, rng, jitter=jitter, initvals=initvals
        )
        start_compile = cm.start_compile_seconds

    if compute_convergence_checks:
        diagnostics.preload()  # its import overlaps XLA's compilation
    progress = SamplingProgress(chains, tune, draws, enabled=progressbar)
    t0 = time.perf_counter()
    if plan is not None:
        with progress:
            result = step_methods.run_steps(
                cm,
                plan,
                chains,
                rng,
                run_key,
                initvals=initvals,
                jitter=jitter,
                settings={
                    "adaptation": _INITS[init],
                    "target_accept": float(target_accept),
                    "max_treedepth": int(max_treedepth),
                    "chains": int(chains),
                },
                num_tune=int(tune),
                num_draws=int(draws),
                progress_callback=progress.update,
                chain_method=chain_method,
            )
    else:
        with progress:
            result = run_chains(
                cm.logdensity,
                positions0,
                run_key,
                data=cm.data_values(),
                num_tune=int(tune),
                num_draws=int(draws),
                target_accept=float(target_accept),
                max_treedepth=int(max_treedepth),
                adaptation=_INITS[init],
                progress_callback=progress.update,
                chain_method=chain_method,
                initial_logdensity=logdensity0,
                initial_gradient=gradient0,
            )
    wall = time.perf_counter() - t0
    if result.interrupted:
        _log.warning(
            "Sampling was interrupted: returning the %d draws per chain made so far.",
            result.positions.shape[1],
        )

    posterior = _discrete_as_int(cm, _constrained_draws(cm, np.asarray(result.positions)))
    loglik = None
    if idata_kwargs and idata_kwargs.get("log_likelihood"):
        # From every free variable's draws, before var_names= drops some of them.
        loglik = _pointwise_loglik(cm, posterior)
    if var_names is not None:
        keep = set(var_names)
        posterior = {k: v for k, v in posterior.items() if k in keep}
    stats = {k: np.asarray(v) for k, v in result.stats.items()}
    groups: dict[str, dict[str, Any]] = {"posterior": posterior, "sample_stats": stats}
    # Nothing computed is lost: an interrupt during tuning keeps the tuning draws.
    keep_warmup = not discard_tuned_samples or (
        result.interrupted and np.asarray(result.positions).shape[1] == 0
    )
    if keep_warmup and getattr(result, "tuning_positions", None) is not None:
        groups["warmup_posterior"] = _discrete_as_int(
            cm, _constrained_draws(cm, np.asarray(result.tuning_positions))
        )
        groups["warmup_sample_stats"] = {k: np.asarray(v) for k, v in result.tuning_stats.items()}
    observed, constant = _observed_and_constant(model)
    groups["observed_data"] = observed
    groups["constant_data"] = constant
    if loglik is not None:
        groups["log_likelihood"] = loglik
    attrs = {
        "credo_version": __version__,
        "inference_library": "credo",
        "inference_library_version": __version__,
        "sampling_time": float(result.sampling_seconds),
        # XLA's compilation of the start search and of the sampler.
        "compile_time": float(result.compile_seconds + start_compile),
        "wall_time": float(wall),
        "tuning_steps": int(tune),
        "random_seed": int(seed),
        "chains": int(chains),
        "interrupted": int(bool(result.interrupted)),
        # Leapfrog steps, one gradient evaluation each, summed over chains (search trials of
        # the step-size heuristic excluded): the machine-independent cost of the run.
        "tuning_gradient_evaluations": int(np.sum(result.tuning_stats.get("n_steps", 0))),
        "gradient_evaluations": int(np.sum(result.stats.get("n_steps", 0))),
    }
    idata = to_inference_data(model, groups, attrs=attrs)
    if compute_convergence_checks and not result.interrupted:
        _convergence_warnings(
            idata, stats, int(tune), int(max_treedepth), [f.name for f in cm.free]
        )
    if not return_inferencedata:
        return posterior
    return idata


def _discrete_as_int(cm: CompiledModel, draws: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Discrete free variables with their integer dtype (the flat position holds them as
    exact floats)."""
    for f in cm.free:
        if f.node.distribution.discrete and f.name in draws:
            draws[f.name] = np.rint(draws[f.name]).astype(f.node.dtype)
    return draws


def _convergence_warnings(
    idata: Any, stats: dict[str, Any], tune: int, max_td: int, model_free: list[str]
) -> None:
    n_div = int(np.sum(stats.get("diverging", 0)))
    if n_div:
        _log.warning(
            "There were %d divergences after tuning. Increase `target_accept` (e.g. "
            "pm.sample(target_accept=0.95)) or reparameterize (e.g. a non-centred "
            "hierarchy).",
            n_div,
        )
    depth = stats.get("tree_depth")
    if depth is not None and depth.size and np.mean(depth >= max_td) > 0.05:
        _log.warning(
            "%.0f%% of the draws reached the maximum tree depth (%d): increase "
            "max_treedepth or reparameterize.",
            100 * np.mean(depth >= max_td),
            max_td,
        )
    post = idata["posterior"].to_dataset()
    n_chains, n_draws = post.sizes.get("chain", 0), post.sizes.get("draw", 0)
    if n_draws < 4:
        return
    rhats, esss = [], []
    for name in model_free:
        if name not in post:  # left out by sample(var_names=...)
            continue
        flat = np.asarray(post[name].values, dtype=float).reshape(n_chains, n_draws, -1)
        rhats.extend(np.atleast_1d(diagnostics.rhat(flat)).tolist())
        esss.extend(np.atleast_1d(diagnostics.ess_bulk(flat)).tolist())
    max_rhat = float(np.nanmax(rhats)) if rhats and not np.all(np.isnan(rhats)) else 1.0
    min_ess = float(np.nanmin(esss)) if esss and not np.all(np.isnan(esss)) else np.inf
    if n_chains >= 2 and max_rhat > 1.01:
        _log.warning(
            "The rhat statistic is larger than 1.01 for some parameters (max %.3f). "
            "This indicates problems during sampling. See https://arxiv.org/abs/1903.08008 "
            "for details",
            max_rhat,
        )
    if min_ess < 100 * n_chains:
        _log.warning(
            "The effective sample size per chain is smaller than 100 for some parameters "
            "(min bulk ESS %.0f over %d chains). A higher number is needed for reliable "
            "rhat and ess computation. See https://arxiv.org/abs/1903.08008 for details",
            min_ess,
            n_chains,
        )


# -- predictive sampling ----------------------------------------------------------------------
def _as_names(var_names: Any) -> list[str] | None:
    if var_names is None:
        return None
    if isinstance(var_names, str):
        return [var_names]
    return [v if isinstance(v, str) else v.name for v in var_names]


def sample_prior_predictive(
    draws: int = 500,
    model: Model | None = None,
    var_names: Any = None,
    random_seed: Any = None,
    return_inferencedata: bool = True,
    samples: int | None = None,
) -> Any:
    """Ancestral draws from the prior: groups ``prior`` (free variables and Deterministics)
    and ``prior_predictive`` (observed variables), with a ``chain`` axis of length 1."""
    model = modelcontext(model)
    if samples is not None:
        draws = samples
    cm = model.compiled()
    free = [str(v.name) for v in model.free_RVs] + [str(v.name) for v in model.deterministics]
    obs = [str(v.name) for v in model.observed_RVs]
    names = _as_names(var_names) or (free + obs)
    _check_names(model, names)
    key, _ = _rng_key(random_seed)
    keys = jax.random.split(key, int(draws))
    out = cm.batched_forward(names, ())(keys, {}, cm.data_values())
    res = {k: np.asarray(v)[None] for k, v in out.items()}
    if not return_inferencedata:
        return {k: v[0] for k, v in res.items()}
    observed, constant = _observed_and_constant(model)
    groups = {
        "prior": {k: v for k, v in res.items() if k not in obs},
        "prior_predictive": {k: v for k, v in res.items() if k in obs},
        "observed_data": observed,
        "constant_data": constant,
    }
    return to_inference_data(model, groups, attrs={"credo_version": __version__})


def _check_names(model: Model, names: list[str]) -> None:
    unknown = [n for n in names if n not in model.named_vars]
    if unknown:
        raise KeyError(f"unknown variable names {unknown}; the model has {list(model.named_vars)}")


def _posterior_dict(trace: Any) -> dict[str, np.ndarray]:
    if isinstance(trace, dict):
        return {k: np.asarray(v) for k, v in trace.items()}
    post = trace["posterior"] if "posterior" in trace.children else trace
    ds = post.to_dataset() if hasattr(post, "to_dataset") else post
    return {k: np.asarray(v.values) for k, v in ds.data_vars.items()}


def _check_trace_shapes(cm: CompiledModel, post: dict[str, np.ndarray]) -> None:
    """Each free variable's draws, ``(chain, draw, *shape)``, must have the model's shape: a
    trace of another model with the same names would otherwise give garbage."""
    lead = None
    for f in cm.free:
        if f.name not in post:
            continue
        arr = post[f.name]
        if arr.ndim < 2 or tuple(arr.shape[2:]) != tuple(f.shape):
            raise ShapeError(
                f"the trace's '{f.name}' has draws of shape {tuple(arr.shape[2:])} (after "
                f"chain, draw) but the model's '{f.name}' has shape {tuple(f.shape)}: the "
                "trace was drawn from another model (or another version of this one)"
            )
        if lead is not None and tuple(arr.shape[:2]) != lead:
            raise ShapeError(
                f"the trace's '{f.name}' has {arr.shape[:2]} (chain, draw), other "
                f"variables {lead}: the trace's groups do not belong together"
            )
        lead = tuple(arr.shape[:2])


def sample_posterior_predictive(
    trace: Any,
    model: Model | None = None,
    var_names: Any = None,
    random_seed: Any = None,
    predictions: bool = False,
    extend_inferencedata: bool = False,
    return_inferencedata: bool = True,
    progressbar: bool = False,
) -> Any:
    """Draw the observed variables (or ``var_names``) given each posterior draw.

    With ``predictions=True`` (after ``set_data`` with new predictors) the group is
    ``predictions`` (and ``predictions_constant_data``) instead of ``posterior_predictive``.
    """
    model = modelcontext(model)
    cm = model.compiled()
    post = _posterior_dict(trace)
    free_names = [f.name for f in cm.free]
    _check_trace_shapes(cm, post)
    names = _as_names(var_names) or [str(v.name) for v in model.observed_RVs]
    _check_names(model, names)
    # Variables asked for are redrawn (they need no draws in the trace, e.g. the free
    # variables of a pm.do model); every other free variable keeps its posterior draw.
    missing = [n for n in free_names if n not in post and n not in names]
    if missing:
        raise KeyError(f"the trace has no draws of the free variables {missing}")
    fixed = [n for n in free_names if n not in names]
    # Summed-out variables (credo.marginal) keep the draws recover_marginals added.
    marginals = [n for n in getattr(model.root, "_marginals", {}) if n not in names]
    fixed += [n for n in marginals if n in post]
    if any(n not in post for n in marginals):
        warn_user(
            f"sample_posterior_predictive: the summed-out {[n for n in marginals if n not in post]}"
            " have no posterior draws, so they are drawn from their prior; call "
            "pm.recover_marginals(model, idata) first to draw them from their posterior"
        )
    ref = fixed[0] if fixed else next(iter(post), None)
    chains, draws = post[ref].shape[:2] if ref is not None else (1, 1)
    flat = {n: post[n].reshape((chains * draws,) + post[n].shape[2:]) for n in fixed}
    key, _ = _rng_key(random_seed)
    keys = jax.random.split(key, chains * draws)
    out = cm.batched_forward(names, fixed)(keys, flat, cm.data_values())
    res = {k: np.asarray(v).reshape((chains, draws) + v.shape[1:]) for k, v in out.items()}
    if not return_inferencedata:
        return res
    group = "predictions" if predictions else "posterior_predictive"
    groups: dict[str, dict[str, Any]] = {group: res}
    if predictions:
        groups["predictions_constant_data"] = {
            k: np.asarray(v) for k, v in cm.data_values().items()
        }
    new = to_inference_data(model, groups, attrs={"credo_version": __version__})
    if extend_inferencedata and not isinstance(trace, dict):
        for g in new.children:
            trace[g] = new[g]
        return trace
    return new


def _pointwise_loglik(cm: CompiledModel, post: dict[str, Any]) -> dict[str, np.ndarray]:
    """Each observed variable's per-observation log-likelihood ``(chain, draw, *shape)`` at
    the draws ``post`` (by name, ``(chain, draw, *shape)``, every free variable)."""
    free_names = [f.name for f in cm.free]
    chains, draws = np.shape(post[free_names[0]])[:2]
    flat = {n: np.reshape(post[n], (chains * draws,) + np.shape(post[n])[2:]) for n in free_names}
    out = cm.loglik_batch(flat, cm.data_values())
    return {k: np.asarray(v).reshape((chains, draws) + v.shape[1:]) for k, v in out.items()}


def compute_log_likelihood(
    idata: Any,
    var_names: Any = None,
    model: Model | None = None,
    extend_inferencedata: bool = True,
) -> Any:
    """Pointwise log-likelihood of the observed variables at each posterior draw, in the
    ``log_likelihood`` group (for ``az.loo`` / ``az.compare``)."""
    model = modelcontext(model)
    cm = model.compiled()
    cm.check_observed_shapes()
    post = _posterior_dict(idata)
    _check_trace_shapes(cm, post)
    names = _as_names(var_names)
    res = {k: v for k, v in _pointwise_loglik(cm, post).items() if names is None or k in names}
    new = to_inference_data(model, {"log_likelihood": res})
    if extend_inferencedata:
        idata["log_likelihood"] = new["log_likelihood"]
        return idata
    return new
