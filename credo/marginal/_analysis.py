"""Which variables depend on a summed-out one, its support, and how to sum it out
(element by element or every joint state), with the checks that refuse the rest."""

from __future__ import annotations

import itertools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo import tensor as T
from credo.errors import ModelError
from credo.intervention import _deps
from credo.marginal._core import (
    MAX_JOINT_STATES,
    MAX_OWNER_PROBE,
    MAX_SUPPORT,
    N_CHECK_CONFIGS,
    N_CHECK_POINTS,
    MarginalizationError,
    _Marginal,
)
from credo.model import Model


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
    m.checked_with = _data_only_inputs(m)
    if _elementwise_shapes(m) and _elementwise_holds(model, m):
        return
    m.owners = _owner_maps(model, m)
    if m.owners is not None and _elementwise_holds(model, m):
        return
    m.owners = None
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
        return sum(jnp.broadcast_to(m._reduce_dep(k, lp), shape) for k, lp in enumerate(lps))

    terms = jax.jit(jax.vmap(dep_terms, in_axes=(0, None, None)))
    for point in _probe_points(model):
        value, bvals = bfn(point, data)
        full = np.stack([np.full(shape, v, dtype=np.int64) for v in m.domain])
        table = np.asarray(terms(jnp.asarray(full), value, bvals))  # (K, *shape)
        k, n = len(m.domain), int(np.prod(shape, dtype=np.int64))
        # Random configurations, and each all-equal one with one random element changed
        # (a term that reads z through a summary of it shows up in one or the other).
        mixed = rng.integers(0, k, size=(N_CHECK_CONFIGS, n))
        single = np.repeat(np.arange(k)[:, None], n, axis=1)
        rows, cols = np.arange(k), rng.integers(0, n, size=k)
        shift = rng.integers(1, k, size=k) if k > 1 else np.zeros(k, dtype=np.int64)
        single[rows, cols] = (single[rows, cols] + shift) % k
        idx = np.concatenate([mixed, single])  # (configs, n) indices into the support
        got = np.asarray(terms(jnp.asarray(m.domain[idx].reshape((-1,) + shape)), value, bvals))
        want = np.take_along_axis(table.reshape(k, n), idx, axis=0)
        want = want.reshape(got.shape)
        same = np.isclose(got, want, rtol=1e-9, atol=1e-9) | ((got == want) & ~np.isfinite(got))
        if not np.all(same):
            return False
    return True


def _data_only_inputs(m: _Marginal) -> list[tuple[int, np.ndarray]]:
    """The integer boundary inputs computed from Data alone (index arrays: what decides
    which element of z a term reads), with their values now: the structure check holds for
    these values."""
    out = []
    for i, b in enumerate(m.boundary):
        if b.kind == T.RV or b.dtype.kind not in "iub":
            continue
        nodes = T.toposort([b])
        if any(n.kind == T.RV and n.observed is None for n in nodes):
            continue
        if any(n.kind == T.DATA for n in nodes):
            out.append((i, np.asarray(T.evaluate([b], {})[0])))
    return out


def _owner_maps(model: Model, m: _Marginal) -> list[np.ndarray] | None:
    """For each dependent, the flat index of the one element of z each of its terms reads
    (-1: none), found by changing one element of z at a time; None when a term reads more
    than one element, or the probe would be too large."""
    shape, k = m.z.shape, len(m.domain)
    n = int(np.prod(shape, dtype=np.int64))
    sizes = [int(np.prod(d.shape, dtype=np.int64)) for d in m.dependents]
    if k < 2 or (k - 1) * n * sum(sizes) > MAX_OWNER_PROBE:
        return None
    cm = model.compiled()
    point = _probe_points(model)[0]
    value, bvals = jax.jit(_boundary_fn(model, m))(point, cm.data_values())

    def dep_lps(zval: Any) -> Any:
        _, lps = m.pieces(zval, value, bvals)
        return [jnp.ravel(lp) for lp in lps]

    batched = jax.jit(jax.vmap(dep_lps))
    base = np.full((1, n), m.domain[0], dtype=np.int64)
    ref = [np.asarray(x) for x in batched(jnp.asarray(base.reshape((1,) + shape)))]
    changed = [np.zeros((n, x.shape[1]), dtype=bool) for x in ref]
    for v in m.domain[1:]:
        configs = np.repeat(base, n, axis=0)
        configs[np.arange(n), np.arange(n)] = v
        got = batched(jnp.asarray(configs.reshape((n,) + shape)))
        for c, g, r in zip(changed, got, ref):
            g = np.asarray(g)
            c |= ~(np.isclose(g, r, rtol=1e-12, atol=0) | (g == r))
    owners = []
    for c in changed:
        reads = c.sum(axis=0)
        if np.any(reads > 1):
            return None
        owners.append(np.where(reads == 1, np.argmax(c, axis=0), -1).astype(np.int64))
    return owners
