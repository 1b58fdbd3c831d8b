"""``marginalize`` and ``recover_marginals``: finite discrete variables summed out exactly.

``marginalize(model, ["z"])`` returns a new model in which the discrete free variable ``z``
(finite support: Bernoulli, Categorical, DiscreteUniform, Binomial, BetaBinomial,
OrderedLogistic, ...) is no longer free: the log-density of ``z`` and of the variables
that depend on it (its *dependents*) is replaced by

    log sum_v p(z = v) p(dependents | z = v)

computed with logsumexp over the support of ``z``. A vector ``z`` whose elements each
affect only the matching elements of its dependents (a mixture's labels, a zero-inflation
indicator per observation) is summed out element by element, in O(N K) rather than K^N.

In the new model ``z`` stays in the graph, so forward sampling (prior and posterior
predictive) still draws it; the joint term is carried by the last dependent (as
pymc-extras does), the other dependents' own terms become zero. ``recover_marginals`` adds
posterior draws of ``z`` (from its conditional given each draw of the other variables) and
their log-probabilities ``lp_z`` to the posterior.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp

from credo import tensor as T
from credo.errors import ModelError
from credo.intervention import _clone, _deps, _name_of
from credo.model import Model, modelcontext

__all__ = ["marginalize", "recover_marginals", "MarginalizationError"]

# The largest support enumerated, and the most joint states of a vector variable whose
# elements interact (then every configuration is enumerated).
MAX_SUPPORT = 100_000
MAX_JOINT_STATES = 4096
# Random configurations compared against the element-by-element decomposition, at each of
# a few random points of the other variables.
N_CHECK_CONFIGS = 6
N_CHECK_POINTS = 3


class MarginalizationError(ModelError, NotImplementedError):
    """The variable cannot be summed out exactly (its support, or how its dependents
    use it)."""


class _Marginal:
    """One marginalised variable: how to enumerate it and evaluate its dependents.

    ``mode``: ``"elementwise"`` (each element of ``z`` touches only the matching elements of
    the dependents' log-densities; a scalar ``z`` is the one-element case) or ``"joint"``
    (every configuration of a small ``z`` enumerated).
    """

    def __init__(
        self,
        z: T.TensorVariable,
        domain: np.ndarray,
        dependents: list[T.TensorVariable],
        dists: list[Any],
        inputs: list[tuple[Any, ...]],
        inner: list[T.TensorVariable],
        boundary: list[T.TensorVariable],
    ) -> None:
        self.z = z
        self.name = z.name
        self.zdist = z.distribution
        self.zinputs = tuple(z.inputs)
        self.domain = domain
        self.dependents = dependents
        self.dists = dists  # the dependents' own distributions
        self.inputs = inputs  # their own parameters (nodes or constants)
        self.inner = inner  # nodes between z and the dependents, in topological order
        self.boundary = boundary  # what the inner nodes and the log-densities read
        self.carrier = dependents[-1]
        self.mode = "elementwise"
        self.configs: np.ndarray | None = None

    # -- the pieces of the joint log-density -------------------------------------------
    def _env(self, zval: Any, bvals: Sequence[Any]) -> dict[int, Any]:
        env = {id(b): v for b, v in zip(self.boundary, bvals)}
        env[id(self.z)] = zval
        for node in self.inner:
            args = [env[id(i)] if T.is_node(i) else i for i in node.inputs]
            env[id(node)] = node.op(*args)
        return env

    def pieces(self, zval: Any, value: Any, bvals: Sequence[Any]) -> tuple[Any, list[Any]]:
        """(log p(z = zval) with z's shape, [each dependent's log-density array]) where
        ``value`` is the carrier's value and ``bvals`` the boundary nodes' values."""
        env = self._env(zval, bvals)
        zparams = {
            k: env[id(v)] if T.is_node(v) else v for k, v in zip(self.zdist.params, self.zinputs)
        }
        zlp = jnp.broadcast_to(self.zdist.checked_logp(zval, zparams), self.z.shape)
        lps = []
        for dep, dist, inputs in zip(self.dependents, self.dists, self.inputs):
            params = {k: env[id(v)] if T.is_node(v) else v for k, v in zip(dist.params, inputs)}
            x = value if dep is self.carrier else env[id(dep)]
            lps.append(dist.checked_logp(x, params))
        return zlp, lps

    def _reduce(self, lp: Any) -> Any:
        """A dependent's log-density array summed onto z's shape (its extra axes)."""
        shape = self.z.shape
        lead = lp.ndim - len(shape)
        lp = jnp.sum(lp, axis=tuple(range(lead))) if lead > 0 else lp
        axes = tuple(i for i, n in enumerate(shape) if n == 1 and lp.shape[i] != 1)
        return jnp.sum(lp, axis=axes, keepdims=True) if axes else lp

    def element_table(self, value: Any, bvals: Sequence[Any]) -> Any:
        """log p(z_i = v) + (the dependents' terms owned by element i) for every support
        value v: shape ``(K, *z.shape)``."""
        shape = self.z.shape

        def one(v: Any) -> Any:
            zval = jnp.full(shape, v, dtype=self.z.dtype)
            zlp, lps = self.pieces(zval, value, bvals)
            total = zlp
            for lp in lps:
                total = total + jnp.broadcast_to(self._reduce(lp), shape)
            # Outside z's support (per-element bounds inside the enumerated range) the
            # dependents may be evaluated at a meaningless value: that state has no mass.
            return jnp.where(zlp == -jnp.inf, -jnp.inf, total)

        return jax.vmap(one)(jnp.asarray(self.domain))

    def joint_table(self, value: Any, bvals: Sequence[Any]) -> Any:
        """The joint log-density of every configuration of z: shape ``(K ** n,)``."""

        def one(zval: Any) -> Any:
            zlp, lps = self.pieces(zval, value, bvals)
            total = jnp.sum(zlp) + sum(jnp.sum(lp) for lp in lps)
            return jnp.where(jnp.any(zlp == -jnp.inf), -jnp.inf, total)

        return jax.vmap(one)(jnp.asarray(self.configs))

    def logp(self, value: Any, bvals: Sequence[Any]) -> Any:
        """The marginal log-density of z and its dependents (the carrier's term)."""
        if self.mode == "joint":
            return logsumexp(self.joint_table(value, bvals))
        per_element = logsumexp(self.element_table(value, bvals), axis=0)
        if len(self.dependents) == 1 and tuple(self.carrier.shape) == tuple(self.z.shape):
            return per_element  # pointwise, one term per observation (for LOO)
        return jnp.sum(per_element)

    def conditional(self, value: Any, bvals: Sequence[Any], rng_key: Any) -> tuple[Any, Any]:
        """(a draw of z from its conditional, the conditional log-probabilities of each
        element's values ``(*z.shape, K)``)."""
        if self.mode == "joint":
            table = self.joint_table(value, bvals)
            idx = jax.random.categorical(rng_key, table)
            configs = jnp.asarray(self.configs).reshape(len(self.configs), -1)
            draw = configs[idx].reshape(self.z.shape)
            norm = table - logsumexp(table)
            cols = []
            for v in self.domain:
                mask = configs == v  # (M, n)
                cols.append(logsumexp(jnp.where(mask, norm[:, None], -jnp.inf), axis=0))
            lp = jnp.stack(cols, axis=-1).reshape(self.z.shape + (len(self.domain),))
            return draw, lp
        table = jnp.moveaxis(self.element_table(value, bvals), 0, -1)  # (*shape, K)
        lp = table - logsumexp(table, axis=-1, keepdims=True)
        idx = jax.random.categorical(rng_key, table, axis=-1)
        return jnp.asarray(self.domain)[idx].astype(self.z.dtype), lp


# -- the distributions the dependents carry in the new model -----------------------------
class _Carrier:
    """Mixed in before a dependent's own distribution class: its log-density is the
    marginal term; its draws (forward sampling) are the dependent's own."""

    _marginal: _Marginal
    _n_own: int

    def checked_logp(self, value: Any, params: dict[str, Any]) -> Any:
        bvals = [params[f"marginal.{i}"] for i in range(len(self._marginal.boundary))]
        return self._marginal.logp(value, bvals)


class _Silent:
    """Mixed in before a non-carrier dependent's class: its term is in the carrier's."""

    def checked_logp(self, value: Any, params: dict[str, Any]) -> Any:
        return jnp.zeros(())


def _wrap(dep: T.TensorVariable, mixin: type, extras: list[T.TensorVariable]) -> None:
    """Give ``dep`` a distribution of a subclass of its own with ``mixin``'s log-density
    and the ``extras`` as further parameters (named ``marginal.<i>``)."""
    dist = dep.distribution
    cls = type(dist)
    ndims = dict(cls.param_ndims)
    for i, e in enumerate(extras):
        ndims[f"marginal.{i}"] = len(e.shape) if T.is_node(e) else np.ndim(e)
    new_cls = type(f"Marginalized{cls.__name__}", (mixin, cls), {"param_ndims": ndims})
    new = object.__new__(new_cls)
    new.__dict__.update(dist.__dict__)
    new.params = dict(dist.params)
    for i, e in enumerate(extras):
        new.params[f"marginal.{i}"] = e
    dep.distribution = new
    dep.inputs = tuple(dep.inputs) + tuple(extras)


# -- analysis -----------------------------------------------------------------------------
def _finite_domain(z: T.TensorVariable) -> np.ndarray:
    """The integers z can take (the union over its elements), or an error."""
    dist = z.distribution
    cls = type(dist)
    name = z.name
    if not cls.discrete:
        raise ModelError(
            f"marginalize: '{name}' is a continuous variable ({cls.__name__}); only discrete "
            "variables with finite support can be summed out"
        )

    def fill(value: float) -> dict[str, Any]:
        out = {}
        for k, v in dist.params.items():
            if T.is_node(v):
                try:
                    out[k] = np.asarray(T.evaluate([v], {})[0], dtype=float)
                except KeyError:  # depends on a random variable: only its shape is known
                    out[k] = np.full(v.shape, value)
            else:
                out[k] = np.asarray(v, dtype=float)
        return dist._bind(out)

    ranges = []
    for filler in (0.25, 0.75):
        lo, hi = cls.support.range(fill(filler))
        ranges.append((np.min(np.asarray(lo)), np.max(np.asarray(hi))))
    (lo, hi), other = ranges
    if (lo, hi) != other:
        raise MarginalizationError(
            f"marginalize: the support of '{name}' ({cls.__name__}) depends on other random "
            "variables; its bounds must be known when the model is defined"
        )
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise MarginalizationError(
            f"marginalize: '{name}' ({cls.__name__}) has an unbounded support "
            f"[{lo}, {hi}]; only variables with finite support (Bernoulli, Categorical, "
            "DiscreteUniform, Binomial, ...) can be summed out exactly"
        )
    size = int(hi) - int(lo) + 1
    if size > MAX_SUPPORT:
        raise MarginalizationError(
            f"marginalize: '{name}' has {size} support values, more than the {MAX_SUPPORT} "
            "credo enumerates"
        )
    return np.arange(int(np.ceil(lo)), int(np.floor(hi)) + 1, dtype=np.int64)


def _analyse(model: Model, z: T.TensorVariable) -> _Marginal:
    """Find z's dependents and the subgraph between them, refusing what cannot be summed
    out (Deterministics and Potentials of z, transforms or observed expressions of z)."""
    root = model.root
    name = z.name
    order = T.toposort(list(root._named_vars.values()), _deps)
    position = {id(n): i for i, n in enumerate(order)}
    on_z: dict[int, bool] = {}
    for node in order:
        if node is z:
            on_z[id(node)] = True
        elif node.kind in (T.RV, T.DATA):
            on_z[id(node)] = False  # conditional dependence stops at other variables
        else:
            on_z[id(node)] = any(on_z.get(id(i), False) for i in node.inputs if T.is_node(i))
    for node in root._deterministics + root._potentials:
        if on_z[id(node)]:
            what = "Deterministic" if node.kind == T.DETERMINISTIC else "Potential"
            raise MarginalizationError(
                f"Cannot marginalize {name} due to dependent {what} {node.name}"
            )
    dependents = []
    for rv in root._free_RVs + root._observed_RVs:
        if rv is z:
            continue
        if T.is_node(rv.observed) and on_z.get(id(rv.observed), False):
            raise MarginalizationError(
                f"marginalize: the observed value of '{rv.name}' is an expression of '{name}'"
            )
        tr = rv.transform
        if tr is not None and any(T.is_node(i) and on_z.get(id(i), False) for i in tr.inputs):
            raise MarginalizationError(
                f"marginalize: the transform of '{rv.name}' depends on '{name}' (its bounds "
                f"change with '{name}'); give '{rv.name}' bounds that do not"
            )
        if any(on_z.get(id(i), False) for i in rv.inputs if T.is_node(i)):
            dependents.append(rv)
    if not dependents:
        raise MarginalizationError(
            f"marginalize: no variable depends on '{name}'; summing it out would only drop "
            "it from the model (remove it instead)"
        )
    for dep in dependents:
        if getattr(dep, "total_size", None) is not None:
            raise MarginalizationError(
                f"marginalize: '{dep.name}' depends on '{name}' and is given total_size= "
                "(a minibatch); that is not supported"
            )
    dependents.sort(key=lambda n: position[id(n)])

    def inner_deps(node: T.TensorVariable) -> list[T.TensorVariable]:
        if node is z or node.kind in (T.RV, T.DATA):
            return []
        return [i for i in node.inputs if T.is_node(i) and on_z[id(i)]]

    starts = [i for d in dependents for i in d.inputs if T.is_node(i) and on_z[id(i)]]
    inner = [n for n in T.toposort(starts, inner_deps) if n is not z]
    boundary: list[T.TensorVariable] = []
    seen: set[int] = set()

    def add(x: Any) -> None:
        if T.is_node(x) and id(x) not in seen and not on_z[id(x)]:
            seen.add(id(x))
            boundary.append(x)

    for node in inner:
        for i in node.inputs:
            add(i)
    for dep in dependents:
        for i in dep.inputs:
            add(i)
    for i in z.inputs:
        add(i)
    for dep in dependents[:-1]:
        add(dep)
    dists = [d.distribution for d in dependents]
    inputs = [tuple(d.inputs) for d in dependents]
    return _Marginal(z, _finite_domain(z), dependents, dists, inputs, inner, boundary)


def _probe_points(model: Model) -> list[dict[str, Any]]:
    """A few random points of the free variables (jittered around the initial point, on
    the unconstrained scale), so that the structure check does not meet a point where
    distinct parameters happen to be equal."""
    cm = model.compiled()
    rng = np.random.default_rng(1)
    theta0 = cm.to_theta(cm.initial_point()) if cm.free else np.zeros(0)
    points = []
    for _ in range(N_CHECK_POINTS):
        theta = theta0 + rng.uniform(-1, 1, size=theta0.shape)
        vals = cm.constrained(jnp.asarray(theta), cm.data_values()) if cm.free else {}
        points.append({f.name: vals[f.name] for f in cm.free})
    return points


def _boundary_fn(model: Model, m: _Marginal) -> Any:
    """``(values by name, data) -> (carrier value, boundary values)``, jitted."""
    cm = model.compiled()

    def fn(values: dict[str, Any], data: dict[str, Any]) -> Any:
        env, _ = cm._walk(m.boundary + [m.carrier], data, values=values)
        return env[id(m.carrier)], [env[id(b)] for b in m.boundary]

    return fn


def _choose_mode(model: Model, m: _Marginal) -> None:
    """Elementwise when z is scalar, or when random configurations of z give the dependents'
    terms the element-by-element table predicts; else every configuration of a small z;
    else an error."""
    shape = m.z.shape
    n = int(np.prod(shape, dtype=np.int64))
    if n <= 1:
        return
    fits = _elementwise_shapes(m)
    if fits:
        fits = _elementwise_holds(model, m)
    if fits:
        return
    states = len(m.domain) ** n
    if states <= MAX_JOINT_STATES:
        m.mode = "joint"
        m.configs = np.asarray(list(itertools.product(m.domain, repeat=n)), dtype=np.int64)
        m.configs = m.configs.reshape((states,) + shape)
        return
    deps = ", ".join(f"'{d.name}'" for d in m.dependents)
    raise MarginalizationError(
        f"marginalize: the elements of '{m.name}' (shape {shape}) do not each affect only the "
        f"matching elements of {deps}, so it cannot be summed out element by element, and "
        f"its {len(m.domain)}^{n} joint states are too many to enumerate. Index the "
        f"dependents with '{m.name}' element by element (e.g. mu[{m.name}] for an observation "
        f"per element), or split '{m.name}' into separate variables"
    )


def _elementwise_shapes(m: _Marginal) -> bool:
    shape = m.z.shape
    for dep, dist in zip(m.dependents, m.dists):
        lp_shape = tuple(dep.shape[: len(dep.shape) - type(dist).ndim_supp])
        try:
            if np.broadcast_shapes(shape, lp_shape) != lp_shape:
                return False
        except ValueError:
            return False
    return True


def _elementwise_holds(model: Model, m: _Marginal) -> bool:
    """Compare the dependents' terms at random configurations of z with what the
    element-by-element table says they are."""
    cm = model.compiled()
    data = cm.data_values()
    bfn = jax.jit(_boundary_fn(model, m))
    rng = np.random.default_rng(2)
    shape = m.z.shape

    def dep_terms(zval: Any, value: Any, bvals: Any) -> Any:
        _, lps = m.pieces(zval, value, bvals)
        return sum(jnp.broadcast_to(m._reduce(lp), shape) for lp in lps)

    terms = jax.jit(jax.vmap(dep_terms, in_axes=(0, None, None)))
    for point in _probe_points(model):
        value, bvals = bfn(point, data)
        full = np.stack([np.full(shape, v, dtype=np.int64) for v in m.domain])
        table = np.asarray(terms(jnp.asarray(full), value, bvals))  # (K, *shape)
        idx = rng.integers(0, len(m.domain), size=(N_CHECK_CONFIGS,) + shape)
        got = np.asarray(terms(jnp.asarray(m.domain[idx]), value, bvals))
        flat_table = table.reshape(len(m.domain), -1)
        want = np.take_along_axis(flat_table, idx.reshape(N_CHECK_CONFIGS, -1), axis=0)
        want = want.reshape(got.shape)
        same = np.isclose(got, want, rtol=1e-9, atol=1e-9) | ((got == want) & ~np.isfinite(got))
        if not np.all(same):
            return False
    return True


# -- the public functions ------------------------------------------------------------------
def marginalize(model: Model, rvs_to_marginalize: Any) -> Model:
    """A new model in which the named discrete free variables are summed out exactly.

    ``rvs_to_marginalize``: a name or variable, or a list of them; each a free variable
    with finite support (Bernoulli, Categorical, DiscreteUniform, Binomial, BetaBinomial,
    OrderedLogistic...). The original model is unchanged. The new model's free variables
    are the others, so ``pm.sample()`` samples it with NUTS when they are continuous;
    ``recover_marginals(new_model, idata)`` then draws the summed-out variables.

    A vector variable is summed out element by element when each of its elements affects
    only the matching elements of its dependents (checked at random points; shapes
    ``(*z.shape)`` or ``(..., *z.shape)`` broadcast); otherwise all its joint states are
    enumerated when they are at most ``MAX_JOINT_STATES``, else an error says why.
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
        if getattr(node, "marginal_placeholder", None) is not None:
            raise ModelError(f"marginalize: '{name}' is already marginalised")
    if len(set(names)) != len(names):
        raise ModelError(f"marginalize: a variable is named twice in {names}")
    new = _clone(model, {}, {})
    new._marginals = dict(getattr(model.root, "_marginals", {}))
    analysed = []
    for name in names:
        z = new._named_vars[name]
        m = _analyse(new, z)
        others = {id(x) for x in analysed for x in [x.z, *x.dependents]}
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
        new._initvals.pop(z.name, None)
        z.marginal_placeholder = np.full(z.shape, m.domain[0], dtype=z.dtype)
        for dep in m.dependents[:-1]:
            _wrap(dep, _Silent, [])
        _wrap(m.carrier, _Carrier, list(m.boundary))
        m.carrier.distribution._marginal = m
        new._marginals[z.name] = m
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

    from credo.draws import _rng_key
    from credo.io.idata import model_coords_dims
    from credo.sampling import _posterior_dict

    if idata is None and model is not None and not isinstance(model, Model):
        model, idata = None, model  # recover_marginals(idata) inside `with marginal_model:`
    model = modelcontext(model)
    marginals: dict[str, _Marginal] = getattr(model.root, "_marginals", {})
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
    data = cm.data_values()
    out: dict[str, Any] = {}
    for k, name in enumerate(wanted):
        m = marginals[name]
        bfn = _boundary_fn(model, m)

        def one(values: dict[str, Any], rng_key: Any, m: _Marginal = m, bfn: Any = bfn) -> Any:
            value, bvals = bfn(values, data)
            return m.conditional(value, bvals, rng_key)

        keys = jax.random.split(jax.random.fold_in(key, k), chains * draws)
        draw, lp = jax.jit(jax.vmap(one))(flat, keys)
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
