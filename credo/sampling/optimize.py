"""``find_MAP``: the posterior mode, found on the unconstrained space.

The objective is the model's log-density *without* the transforms' log-Jacobians, so the
point found is the mode of the density of the variables as written (a positive scale's
mode, not the mode of its logarithm), while the search runs where every value is valid.
The whole search is one jitted ``lax.while_loop``, compiled once per model structure,
method and set of optimised variables.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo.compile import CompiledModel
from credo.errors import ModelError, SamplingError
from credo.model import Model, modelcontext

__all__ = ["find_MAP", "transformed_name"]

_log = logging.getLogger("credo")

# PyMC passes method names through to scipy.optimize; here each maps to one of three
# searches on the same objective. Derivative-free names get L-BFGS: the gradient is free.
_METHODS = {
    "l-bfgs-b": "lbfgs",
    "lbfgs": "lbfgs",
    "l-bfgs": "lbfgs",
    "bfgs": "lbfgs",
    "cg": "lbfgs",
    "powell": "lbfgs",
    "nelder-mead": "lbfgs",
    "cobyla": "lbfgs",
    "slsqp": "lbfgs",
    "tnc": "lbfgs",
    "trust-constr": "newton",
    "newton": "newton",
    "newton-cg": "newton",
    "trust-ncg": "newton",
    "trust-exact": "newton",
    "trust-krylov": "newton",
    "dogleg": "newton",
    "adam": "adam",
}


def transformed_name(name: str, transform: Any) -> str:
    """PyMC's name of a variable's unconstrained value: ``sigma`` -> ``sigma_log__``."""
    return f"{name}_{transform.name}__"


def _resolve_method(method: Any) -> str:
    if not isinstance(method, str) or method.lower() not in _METHODS:
        names = sorted({"L-BFGS-B", "BFGS", "Newton", "Newton-CG", "Powell", "CG", "adam"})
        raise ValueError(f"find_MAP: unknown method {method!r}; use one of {names}")
    return _METHODS[method.lower()]


def _free_index(cm: CompiledModel, vars: Any) -> tuple[list[str], np.ndarray]:
    """The optimised variables' names and their entries in the flat vector."""
    free = {f.name: f for f in cm.free}
    if vars is None:
        names = [f.name for f in cm.free if not f.node.distribution.discrete]
    else:
        items = [vars] if isinstance(vars, str) or not isinstance(vars, Sequence) else vars
        names = []
        for v in items:
            name = v if isinstance(v, str) else getattr(v, "name", None)
            if name not in free:
                raise ModelError(
                    f"find_MAP: vars= names {name!r}, which is not a free random variable "
                    f"of the model; the free variables are {list(free)}"
                )
            if free[name].node.distribution.discrete:
                raise ModelError(
                    f"find_MAP: '{name}' is discrete; only continuous variables can be "
                    "optimised (discrete ones stay at their start values)"
                )
            names.append(name)
    idx = [np.arange(free[n].offset, free[n].offset + free[n].size) for n in names]
    return names, (np.concatenate(idx) if idx else np.zeros(0, dtype=int))


def _lbfgs_search(objective: Callable[[Any], Any]) -> Callable[[Any, Any, Any], Any]:
    import optax
    import optax.tree_utils as otu

    opt = optax.lbfgs()
    value_and_grad = optax.value_and_grad_from_state(objective)

    def run(x0: Any, maxiter: Any, tol: Any) -> Any:
        def step(carry: Any) -> Any:
            x, state = carry
            value, grad = value_and_grad(x, state=state)
            updates, state = opt.update(grad, state, x, value=value, grad=grad, value_fn=objective)
            return optax.apply_updates(x, updates), state

        def keep_going(carry: Any) -> Any:
            _, state = carry
            count = otu.tree_get(state, "count")
            grad = otu.tree_get(state, "grad")
            value = otu.tree_get(state, "value")
            return (count == 0) | (
                (count < maxiter) & (jnp.linalg.norm(grad) >= tol) & jnp.isfinite(value)
            )

        x, state = jax.lax.while_loop(keep_going, step, (x0, opt.init(x0)))
        return x, otu.tree_get(state, "count")

    return run


def _newton_search(objective: Callable[[Any], Any]) -> Callable[[Any, Any, Any], Any]:
    """Newton's method with Levenberg-Marquardt damping: the step solves
    (H + lam I) d = -g; lam shrinks after a step that lowers the objective and grows after
    one that does not (Nocedal & Wright, Numerical Optimization, ch. 3 and 10)."""
    vg = jax.value_and_grad(objective)
    hess = jax.hessian(objective)

    def run(x0: Any, maxiter: Any, tol: Any) -> Any:
        n = x0.shape[0]
        f0, g0 = vg(x0)

        def step(carry: Any) -> Any:
            x, f, g, lam, it = carry
            h = hess(x)
            d = -jnp.linalg.solve(h + lam * jnp.eye(n), g)
            x_new = x + d
            f_new, g_new = vg(x_new)
            better = jnp.isfinite(f_new) & (f_new <= f)
            return (
                jnp.where(better, x_new, x),
                jnp.where(better, f_new, f),
                jnp.where(better, g_new, g),
                jnp.where(better, lam * 0.3, lam * 10.0),
                it + 1,
            )

        def keep_going(carry: Any) -> Any:
            _, _, g, lam, it = carry
            return (it < maxiter) & (jnp.linalg.norm(g) >= tol) & (lam < 1e12)

        x, *_, it = jax.lax.while_loop(
            keep_going, step, (x0, f0, g0, jnp.asarray(1e-3), jnp.asarray(0))
        )
        return x, it

    return run


def _adam_search(objective: Callable[[Any], Any]) -> Callable[[Any, Any, Any], Any]:
    import optax

    opt = optax.adam(0.05)
    vg = jax.value_and_grad(objective)

    def run(x0: Any, maxiter: Any, tol: Any) -> Any:
        def step(carry: Any) -> Any:
            x, state, _, it = carry
            _, g = vg(x)
            updates, state = opt.update(g, state, x)
            return optax.apply_updates(x, updates), state, jnp.linalg.norm(g), it + 1

        def keep_going(carry: Any) -> Any:
            _, _, gnorm, it = carry
            return (it < maxiter) & (gnorm >= tol)

        init = (x0, opt.init(x0), jnp.asarray(jnp.inf), jnp.asarray(0))
        x, _, _, it = jax.lax.while_loop(keep_going, step, init)
        return x, it

    return run


_SEARCHES = {"lbfgs": _lbfgs_search, "newton": _newton_search, "adam": _adam_search}


def _compiled_search(cm: CompiledModel, kind: str, idx: np.ndarray) -> Any:
    key = ("find_MAP", kind, tuple(idx.tolist()))
    fn = cm._cache.get(key)
    if fn is not None:
        return fn
    index = jnp.asarray(idx)

    def search(theta0: Any, data: Any, maxiter: Any, tol: Any) -> Any:
        def objective(x: Any) -> Any:
            return -cm.logdensity_nojac(theta0.at[index].set(x), data)

        x, nit = _SEARCHES[kind](objective)(theta0[index], maxiter, tol)
        theta = theta0.at[index].set(x)
        value, grad = jax.value_and_grad(objective)(x)
        return theta, value, grad, nit

    fn = jax.jit(search)
    cm._cache[key] = fn
    return fn


def find_MAP(  # noqa: N802 (PyMC's name)
    start: dict[str, Any] | None = None,
    vars: Any = None,
    method: str = "L-BFGS-B",
    return_raw: bool = False,
    include_transformed: bool = True,
    progressbar: bool = True,
    maxeval: int = 5000,
    model: Model | None = None,
    *,
    tol: float = 1e-8,
    seed: Any = None,
    **_: Any,
) -> Any:
    """The maximum a posteriori point: ``{name: value}`` of the free variables (values as
    numpy arrays in their own shapes) and the Deterministics there.

    ``start``: constrained starting values (the model's initial point fills the rest).
    ``vars``: optimise only these variables (names or variables); the others stay at
    ``start``. ``method``: "L-BFGS-B" (default; also for "BFGS", "CG", "Powell", ...),
    "Newton" (damped Newton with the exact Hessian; best for few variables) or "adam".
    ``include_transformed``: add each constrained variable's unconstrained value under
    PyMC's name (``sigma_log__``). ``return_raw``: also return a
    ``scipy.optimize.OptimizeResult`` (``x`` unconstrained, ``fun`` the negative
    log-density, ``jac``, ``nit``, ``success``). ``maxeval``: the iteration limit.
    """
    from scipy.optimize import OptimizeResult

    model = modelcontext(model)
    cm = model.compiled()
    kind = _resolve_method(method)
    if cm.dim == 0:
        raise SamplingError("find_MAP: the model has no free random variables")
    names, idx = _free_index(cm, vars)
    if not names:
        raise ModelError(
            "find_MAP: the model has no continuous free variables to optimise (discrete "
            f"ones are not optimised): {[f.name for f in cm.free]}"
        )
    point = cm.initial_point()
    free_names = [f.name for f in cm.free]
    for k, v in (start or {}).items():
        if k not in free_names:
            raise ModelError(
                f"find_MAP: start= gives a value for {k!r}, which is not a free random "
                f"variable; the free variables are {free_names}"
            )
        point[k] = np.asarray(v)
    theta0 = cm.to_theta(point)
    data = cm.data_values()
    objective = cm._cache.get(("find_MAP_objective",))
    if objective is None:
        objective = jax.jit(cm.logdensity_nojac)
        cm._cache[("find_MAP_objective",)] = objective
    if not np.isfinite(float(objective(jnp.asarray(theta0), data))):
        bad = cm.non_finite_terms(theta0)
        raise SamplingError(
            "find_MAP: the log-density is not finite at the start point"
            + (f" (in {', '.join(repr(b) for b in bad)})" if bad else "")
            + "; give start= values inside the support"
        )
    # A gradient norm below ~1e3 ulp is rounding, not progress: in single precision
    # (CREDO_FLOAT32=1) the default 1e-8 could never be met.
    tol = max(float(tol), 1e3 * float(jnp.finfo(jnp.result_type(float)).eps))
    t0 = time.perf_counter()
    search = _compiled_search(cm, kind, idx)
    theta, value, grad, nit = search(
        jnp.asarray(theta0), data, jnp.asarray(int(maxeval)), jnp.asarray(float(tol))
    )
    theta = np.asarray(theta)
    gnorm = float(np.linalg.norm(np.asarray(grad)))
    success = bool(np.isfinite(float(value))) and (gnorm < tol or int(nit) < int(maxeval))
    if progressbar:
        from credo.sampling.progress import interactive

        if interactive():
            print(
                f"find_MAP ({kind}): logp = {-float(value):.6g}, ||grad|| = {gnorm:.3g}, "
                f"{int(nit)} iterations, {time.perf_counter() - t0:.2f} s"
            )
    if not success:
        _log.warning(
            "find_MAP stopped after %d iterations with ||grad|| = %.3g: the optimum may "
            "not be reached (raise maxeval= or try another method)",
            int(nit),
            gnorm,
        )
    values = cm.constrained(jnp.asarray(theta), data)
    out: dict[str, Any] = {}
    for f in cm.free:
        out[f.name] = np.asarray(values[f.name]).astype(f.node.dtype)
        if include_transformed and f.transform is not None:
            unc = theta[f.offset : f.offset + f.size].reshape(f.ushape)
            out[transformed_name(f.name, f.transform)] = unc
    for node in cm.deterministic_nodes:
        out[node.name] = np.asarray(values[node.name])
    if return_raw:
        raw = OptimizeResult(
            x=theta,
            fun=float(value),
            jac=np.asarray(grad),
            nit=int(nit),
            success=success,
            message="converged" if success else "iteration limit reached",
            vars=names,
        )
        return out, raw
    return out
