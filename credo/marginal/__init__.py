"""``marginalize`` and ``recover_marginals``: finite discrete variables summed out exactly.

``marginalize(model, ["z"])`` returns a new model in which the discrete free variable ``z``
(finite support: Bernoulli, Categorical, DiscreteUniform, Binomial, BetaBinomial,
OrderedLogistic, ...) is no longer free: the log-density of ``z`` and of the variables
that depend on it (its *dependents*) is replaced by

    log sum_v p(z = v) p(dependents | z = v)

computed with logsumexp over the support of ``z``. A vector ``z`` whose elements each
affect their own terms of its dependents (a mixture's labels, a zero-inflation indicator
per observation, one label per group read as ``z[group]``) is summed out element by
element, in O(N K) rather than K^N.

In the new model ``z`` stays in the graph, so forward sampling (prior and posterior
predictive) still draws it; the joint term is carried by the last dependent (as
pymc-extras does), the other dependents' own terms become zero. ``recover_marginals`` adds
posterior draws of ``z`` (from its conditional given each draw of the other variables) and
their log-probabilities ``lp_z`` to the posterior.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from credo.errors import ModelError
from credo.intervention import _clone, _name_of
from credo.marginal._analysis import _analyse, _boundary_fn, _choose_mode
from credo.marginal._core import (
    MarginalizationError,
    _Carrier,
    _Marginal,
    _Silent,
    _wrap,
    marginals_of,
)
from credo.model import Model, modelcontext
from credo.model import tensor as T

__all__ = ["marginalize", "recover_marginals", "MarginalizationError"]


# -- the public functions ------------------------------------------------------------------
def marginalize(model: Model, rvs_to_marginalize: Any) -> Model:
    """A new model in which the named discrete free variables are summed out exactly.

    ``rvs_to_marginalize``: a name or variable, or a list of them; each a free variable
    with finite support (Bernoulli, Categorical, DiscreteUniform, Binomial, BetaBinomial,
    OrderedLogistic...). The original model is unchanged. The new model's free variables
    are the others, so ``pm.sample()`` samples it with NUTS when they are continuous;
    ``recover_marginals(new_model, idata)`` then draws the summed-out variables.

    A vector variable is summed out element by element when each term of its dependents'
    log-densities reads at most one element of it: the elements that line up by
    broadcasting (dependents of shape ``z.shape`` or ``(..., *z.shape)``), or else the
    element each term reads found by changing one element at a time. Either way the
    decomposition is then compared, at random points of the other variables, with the
    dependents' terms at random configurations of ``z`` and at each all-equal one with one
    element changed. Otherwise all joint states are enumerated when there are at most
    ``MAX_JOINT_STATES``, else an error says why. Integer Data the check read (an index
    array) are held to the values it saw: after ``set_data`` gives them others, the
    log-density is ``-inf`` until the model is marginalised again.
    Deterministics and Potentials of a summed-out variable are refused (as pymc-extras).
    """
    if isinstance(rvs_to_marginalize, str | T.TensorVariable):
        rvs_to_marginalize = [rvs_to_marginalize]
    names = [_name_of(model, v, "marginalize") for v in rvs_to_marginalize]
    root = model.root
    for name in names:
        node = root._named_vars[name]
        if node.kind != T.RV or node.observed is not None:
            what = "an observed variable" if node.kind == T.RV else f"a {node.kind}"
            free = [v.name for v in root._free_RVs]
            raise ModelError(
                f"marginalize: '{name}' is {what}; only free random variables can be summed "
                f"out (the free variables are {free})"
            )
    if len(set(names)) != len(names):
        raise ModelError(f"marginalize: a variable is named twice in {names}")
    if marginals_of(root):
        raise ModelError(
            f"marginalize: the model already has the summed-out {list(marginals_of(root))}; "
            "sum out all the variables in one call on the original model, "
            "pm.marginalize(model, [...])"
        )
    new = _clone(model, {}, {})
    registry = marginals_of(new)
    analysed: list[_Marginal] = []
    for name in names:
        z = new._named_vars[name]
        m = _analyse(new, z)
        others = {id(n) for a in analysed for n in (a.z, *a.dependents)}
        clash = [d.name for d in [z, *m.dependents] if id(d) in others]
        if clash:
            raise MarginalizationError(
                f"marginalize: '{name}' shares the dependent(s) {clash} with another "
                "variable being summed out, or depends on it; summing out such variables "
                "together is not supported"
            )
        analysed.append(m)
    for m in analysed:
        z = m.z
        new._free_RVs.remove(z)
        new._initvals.pop(m.name, None)
        # What the compiled model reads for z (credo.compile._walk): any value of its support.
        placeholder = np.full(z.shape, m.domain[0], dtype=z.dtype)
        z.marginal_placeholder = placeholder
        for dep in m.dependents[:-1]:
            _wrap(dep, _Silent, [])
        _wrap(m.carrier, _Carrier, list(m.boundary))
        m.carrier.distribution._marginal = m
        registry[m.name] = m
    new.structure_version += 1
    new._compiled.clear()
    for m in analysed:
        _choose_mode(new, m)
    return new


def recover_marginals(
    model: Model | None = None,
    idata: Any = None,
    var_names: Any = None,
    return_samples: bool = True,
    extend_inferencedata: bool = True,
    random_seed: Any = None,
) -> Any:
    """Posterior draws and log-probabilities of the summed-out variables of ``model``.

    For each posterior draw of the other variables, each summed-out ``z`` is drawn from its
    conditional distribution given them (the other summed-out variables stay summed out),
    and its normalised log-probabilities are recorded as ``lp_<z>``: shape
    ``(chain, draw, *z.shape, K)`` with dims ``(*z's dims, "lp_<z>_dim")`` whose coordinate
    is the support. ``z`` itself has shape ``(chain, draw, *z.shape)``.

    Returns ``idata`` with them added to its posterior (``extend_inferencedata=True``), or
    an ``xarray.Dataset`` of them.
    """
    import xarray as xr

    from credo.io.idata import model_coords_dims
    from credo.sampling.draws import _rng_key
    from credo.sampling.mcmc import _posterior_dict

    if idata is None and model is not None and not isinstance(model, Model):
        model, idata = None, model  # recover_marginals(idata) inside `with marginal_model:`
    model = modelcontext(model)
    marginals = marginals_of(model)
    if not marginals:
        raise ModelError("recover_marginals: the model has no marginalised variables")
    if idata is None:
        raise TypeError("recover_marginals: give the InferenceData of the marginalised model")
    wanted = list(marginals) if var_names is None else _names(var_names)
    unknown = [n for n in wanted if n not in marginals]
    if unknown:
        raise ValueError(
            f"recover_marginals: {unknown} are not marginalised variables of the model; "
            f"those are {list(marginals)}"
        )
    cm = model.compiled()
    post = _posterior_dict(idata)
    missing = [f.name for f in cm.free if f.name not in post]
    if missing:
        raise KeyError(f"recover_marginals: the posterior has no draws of {missing}")
    chains, draws = (post[cm.free[0].name].shape[:2]) if cm.free else (1, 1)
    flat = {f.name: post[f.name].reshape((chains * draws,) + f.shape) for f in cm.free}
    key, _ = _rng_key(random_seed)
    coords, dims = model_coords_dims(model)
    out: dict[str, Any] = {}
    for k, name in enumerate(wanted):
        m = marginals[name]
        draw, lp = _conditional_draws(model, m, flat, jax.random.fold_in(key, k))
        zshape = m.z.shape
        zdims = dims.get(name) or [f"{name}_dim_{i}" for i in range(len(zshape))]
        lp_dim = f"lp_{name}_dim"
        lead = ("chain", "draw")
        if return_samples:
            arr = np.asarray(draw).reshape((chains, draws) + zshape)
            out[name] = xr.DataArray(arr, dims=(*lead, *zdims))
        arr = np.asarray(lp).reshape((chains, draws) + zshape + (len(m.domain),))
        out[f"lp_{name}"] = xr.DataArray(
            arr, dims=(*lead, *zdims, lp_dim), coords={lp_dim: m.domain}
        )
    ds = xr.Dataset(out)
    ds = ds.assign_coords({d: coords[d] for d in ds.dims if d in coords})
    base = idata["posterior"].to_dataset() if not isinstance(idata, dict) else None
    if base is not None:
        ds = ds.assign_coords({c: base.coords[c] for c in ("chain", "draw") if c in base.coords})
    if not extend_inferencedata or base is None:
        return ds
    idata["posterior"] = base.assign(ds)
    return idata


def _names(var_names: Any) -> list[str]:
    if isinstance(var_names, str):
        return [var_names]
    return [v if isinstance(v, str) else v.name for v in var_names]


def _conditional_draws(model: Model, m: _Marginal, flat: dict[str, Any], key: Any) -> Any:
    """(draws of z (n, *z.shape), log-probabilities (n, *z.shape, K)) given the n draws of
    the free variables in ``flat`` ({name: (n, *shape)})."""
    data = model.compiled().data_values()
    bfn = _boundary_fn(model, m)
    n = len(next(iter(flat.values()))) if flat else 1
    keys = jax.random.split(key, n)

    def one(args: Any) -> Any:
        values, rng_key = args
        value, bvals = bfn(values, data)
        return m.conditional(value, bvals, rng_key)

    # In batches of draws: one draw's table holds K values per dependent element.
    states = len(m.configs) if m.configs is not None else len(m.domain)
    per_draw = states * max(m.z.size, sum(d.size for d in m.dependents))
    batch = max(1, min(n, 2**22 // max(1, per_draw)))
    return jax.jit(lambda xs: jax.lax.map(one, xs, batch_size=batch))((flat, keys))
