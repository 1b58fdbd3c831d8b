"""Which step method updates which variables, and the compound run of a plan."""

from __future__ import annotations

from typing import Any

import numpy as np

from credo.compile import CompiledModel, FreeVar
from credo.errors import ModelError, SamplingError
from credo.sampling.step_methods.methods import (
    NUTS,
    BinaryGibbsMetropolis,
    BlockedStep,
    CategoricalGibbsMetropolis,
    Metropolis,
    _categories,
    _flatten,
    _is_discrete,
)

__all__ = ["assign_step_methods", "describe", "run_steps", "start_positions"]


def _automatic(f: FreeVar) -> type[BlockedStep]:
    if not _is_discrete(f.node):
        return NUTS
    k = _categories(f.node)
    if k == 2:
        return BinaryGibbsMetropolis
    if k is not None:
        return CategoricalGibbsMetropolis
    return Metropolis


def assign_step_methods(
    cm: CompiledModel, step: Any = None
) -> list[tuple[BlockedStep, list[FreeVar]]]:
    """The steps given (in their order) with their variables, then one step per method
    PyMC's rules choose for the variables left (in the order of the model's variables).

    A variable named by two steps, one not of the model, or one a step cannot sample
    (NUTS on a discrete variable) raises, naming it.
    """
    steps = _flatten(step) if step is not None else []
    plan: list[tuple[BlockedStep, list[FreeVar]]] = []
    owner: dict[str, BlockedStep] = {}
    for s in steps:
        fvars = s.resolve(cm)
        for f in fvars:
            if f.name in owner:
                raise ModelError(
                    f"'{f.name}' is assigned to two step methods ({type(owner[f.name]).__name__} "
                    f"and {type(s).__name__}); give each variable to one"
                )
            owner[f.name] = s
        if fvars:
            plan.append((s, fvars))
    left: dict[type[BlockedStep], list[FreeVar]] = {}
    for f in cm.free:
        if f.name not in owner:
            left.setdefault(_automatic(f), []).append(f)
    for cls, fvars in left.items():
        plan.append((cls([f.node for f in fvars]), fvars))
    return plan


def describe(plan: list[tuple[BlockedStep, list[FreeVar]]]) -> list[str]:
    """The assignment as PyMC logs it: ``CompoundStep`` then ``>Method: [names]`` lines,
    or the one ``Method: [names]`` line."""
    lines = [f"{type(s).__name__}: [{', '.join(f.name for f in fv)}]" for s, fv in plan]
    if len(lines) == 1:
        return lines
    return ["CompoundStep", *(">" + line for line in lines)]


def run_steps(
    cm: CompiledModel,
    plan: list[tuple[BlockedStep, list[FreeVar]]],
    chains: int,
    rng: np.random.Generator,
    rng_key: Any,
    *,
    initvals: Any,
    jitter: bool,
    settings: dict[str, Any],
    **run_kwargs: Any,
) -> Any:
    """Start the chains and run the plan's blocks in turn
    (:func:`credo.inference.compound.run_compound`); ``settings``: ``adaptation``,
    ``target_accept``, ``max_treedepth`` of ``sample``."""
    from credo.inference.compound import run_compound

    kernels = [s.kernel(fv, settings) for s, fv in plan]
    layout = [
        np.concatenate([np.arange(f.offset, f.offset + f.size) for f in fv]) for s, fv in plan
    ]
    integer = [all(_is_discrete(f.node) for f in fv) for _, fv in plan]
    positions, logdensity, gradient = start_positions(
        cm, chains, rng, initvals=initvals, jitter=jitter
    )
    return run_compound(
        cm.logdensity,
        kernels,
        layout,
        integer,
        positions,
        rng_key,
        data=cm.data_values(),
        target_accept=settings["target_accept"],
        initial_logdensity=logdensity,
        initial_gradient=gradient,
        **run_kwargs,
    )


def start_positions(
    cm: CompiledModel,
    chains: int,
    rng: np.random.Generator,
    *,
    initvals: Any = None,
    jitter: bool = True,
    tries: int = 20,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(chains, dim)`` starting points with their log-densities ``(chains,)`` and
    gradients ``(chains, dim)``: the initial point with its continuous entries jittered by
    U(-1, 1) on the unconstrained scale (discrete ones stay integers), retried where the
    log-density is not finite."""
    per_chain = isinstance(initvals, list | tuple)
    if per_chain and len(initvals) != chains:
        raise ValueError(f"initvals has {len(initvals)} entries for {chains} chains")
    continuous = np.zeros(cm.dim, bool)
    for f in cm.free:
        continuous[f.offset : f.offset + f.size] = not _is_discrete(f.node)
    out = np.zeros((chains, cm.dim))
    out_lp = np.zeros(chains)
    out_grad = np.zeros((chains, cm.dim))
    groups = [[c] for c in range(chains)] if per_chain else [list(range(chains))]
    for group in groups:
        iv = initvals[group[0]] if per_chain else initvals
        n = len(group)
        noise = rng.uniform(-1, 1, size=(n, tries, cm.dim)) * continuous if jitter else None
        if noise is None:
            noise = np.zeros((n, 0, cm.dim))
        theta0, pos, lp, grad, found, _ = cm.start_candidates(iv or {}, noise)
        # The candidates' test asks for a finite gradient too, which discrete entries need
        # not have: fall back to a candidate whose log-density alone is finite.
        for row, c in enumerate(group):
            if found[row]:
                out[c], out_lp[c], out_grad[c] = pos[row], lp[row], grad[row]
                continue
            cands = [theta0 + noise[row, t] for t in range(noise.shape[1])] + [theta0]
            lps = [_logdensity(cm, x) for x in cands]
            first = next((t for t, v in enumerate(lps) if np.isfinite(v)), None)
            if first is None:
                bad = cm.non_finite_terms(theta0)
                raise SamplingError(
                    "the initial point has a non-finite log-density"
                    + (f" in: {', '.join(repr(b) for b in bad)}" if bad else "")
                    + ". Check the priors' support and the data (or give initvals=)."
                )
            out[c], out_lp[c] = cands[first], lps[first]
            # Only the gradient's continuous entries are used (they are finite here).
            out_grad[c] = np.nan_to_num(_gradient(cm, cands[first]))
    return out, out_lp, out_grad


def _logdensity(cm: CompiledModel, theta: np.ndarray) -> float:
    import jax

    fn = cm._cache.get("compound_logdensity")
    if fn is None:
        fn = jax.jit(cm.logdensity)
        cm._cache["compound_logdensity"] = fn
    return float(fn(theta, cm.data_values()))


def _gradient(cm: CompiledModel, theta: np.ndarray) -> np.ndarray:
    return np.asarray(cm.logdensity_and_grad(theta, cm.data_values())[1])
