"""Model -> pure JAX functions.

The sampler's interface (names used throughout ``credo.inference`` and the driver):

``CompiledModel.logdensity(theta, data) -> scalar``
    ``theta`` is the flat unconstrained position, a float64 vector of length ``dim``: the
    free variables in model order, each transformed to the unconstrained space and
    flattened row-major (``cm.free[i].offset`` / ``.size`` give its slice). ``data`` is the
    dict ``{Data name: array}`` from ``cm.data_values()``: Data are arguments, never closed
    over, so new values of the same shapes recompile nothing. Includes the log-Jacobians.
``CompiledModel.constrained(theta, data) -> {name: value}``
    The free variables in their constrained space (as the user writes them) and the
    Deterministics.

Other functions: ``initial_point()``, ``logp_fn(jacobian)``, ``point_logps(point)``,
``pointwise_loglik(values, data)`` (per observation, for LOO), ``to_theta(point)``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo import tensor as T
from credo.errors import ModelError, ShapeError

__all__ = ["CompiledModel", "FreeVar", "compile_model"]


# Runs of at least this many like scalar free variables share one vectorised log-density
# term (see ScalarBlock); below it, each variable keeps its own (small models' programs stay
# as they were).
MIN_BLOCK = 16


@dataclass(frozen=True)
class ScalarBlock:
    """Consecutive free variables in the flat vector, all scalar, of one univariate
    distribution class with the same static parameters and the same parameter-free
    elementwise transform (or none): their log-densities and log-Jacobians are one
    vectorised term, so the traced program does not grow by a logp per variable
    (a model of 1,000 scalar variables created in a loop)."""

    start: int
    members: tuple[FreeVar, ...]

    @property
    def stop(self) -> int:
        return self.start + len(self.members)


@dataclass(frozen=True)
class FreeVar:
    """One free variable's place in the flat unconstrained vector."""

    name: str
    node: T.TensorVariable
    transform: Any
    shape: tuple[int, ...]  # constrained shape
    ushape: tuple[int, ...]  # unconstrained shape
    offset: int
    size: int


def compile_model(model: Any) -> CompiledModel:
    """The compiled functions of ``model``, cached per model structure by the model."""
    return model.compiled()


_is_node = T.is_node


class CompiledModel:
    """Pure JAX functions of one model structure. See the module docstring."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.free_nodes = model.free_RVs
        self.observed_nodes = model.observed_RVs
        self.potential_nodes = model.potentials
        self.deterministic_nodes = model.deterministics
        self.data_nodes = model.data_vars
        free = []
        offset = 0
        for rv in self.free_nodes:
            tr = rv.transform
            ushape = tr.unconstrained_shape(rv.shape) if tr is not None else rv.shape
            size = int(np.prod(ushape, dtype=np.int64))
            free.append(FreeVar(rv.name, rv, tr, rv.shape, tuple(ushape), offset, size))
            offset += size
        self.free = free
        self.dim = offset
        self.blocks = _scalar_blocks(free)
        self._free_ids = {id(f.node): f for f in free}
        self._cache: dict[Any, Any] = {}
        self._parts_plan: Any = None
        self.start_compile_seconds = 0.0  # of the last start_candidates call (0 if cached)
        self.logdensity = self._make_logdensity()
        # The log-density without the transforms' log-Jacobians: find_MAP's objective.
        self.logdensity_nojac = self._make_logdensity(jacobian=False)
        self.logdensity_and_grad = jax.jit(jax.value_and_grad(self.logdensity))
        self._parts = jax.jit(self._constrained_parts)
        self._parts_batch = jax.jit(jax.vmap(self._constrained_parts, in_axes=(0, None)))
        self.loglik_batch = jax.jit(jax.vmap(self.pointwise_loglik, in_axes=(0, None)))

    # -- helpers ----------------------------------------------------------------------------
    def data_values(self) -> dict[str, np.ndarray]:
        return {d.name: np.asarray(d.value) for d in self.data_nodes}

    @property
    def discrete_free(self) -> list[str]:
        return [f.name for f in self.free if f.node.distribution.discrete]

    def _walk(
        self,
        outputs: Sequence[Any],
        data: dict[str, Any],
        theta: Any = None,
        values: dict[str, Any] | None = None,
        given: dict[int, Any] | None = None,
    ) -> tuple[dict[int, Any], Any]:
        """Evaluate ``outputs`` (and everything they need) in one topological pass.

        Free variables come from ``theta`` (unconstrained, transformed back; the
        log-Jacobians are summed) or from ``values`` (constrained, by name); nodes in
        ``given`` (id -> value) are taken as they are (their log-Jacobians are the caller's).
        Returns (id(node) -> value, summed log-Jacobian).
        """
        env: dict[int, Any] = dict(given or {})
        logjac = jnp.zeros(())

        def deps(node: T.TensorVariable) -> list[T.TensorVariable]:
            if node.kind == T.DATA or id(node) in env:
                return []
            if node.kind == T.RV and node.observed is None:
                tr = node.transform
                if theta is not None and tr is not None:
                    return [i for i in tr.inputs if _is_node(i)]
                return []
            if node.kind == T.RV:
                return [node.observed] if _is_node(node.observed) else []
            return [i for i in node.inputs if _is_node(i)]

        for node in T.toposort(outputs, deps):
            if id(node) in env:
                continue
            if node.kind == T.DATA:
                env[id(node)] = data[node.name] if node.name in data else node.value
            elif node.kind == T.RV and node.observed is None:
                fv = self._free_ids.get(id(node))
                if fv is None and node.marginal_placeholder is not None:
                    # Summed out (credo.marginal): the marginal term enumerates its values;
                    # what reads it here is not used.
                    env[id(node)] = jnp.asarray(node.marginal_placeholder)
                    continue
                if fv is None:
                    raise ModelError(f"{node.label} is not a free variable of this model")
                if values is not None:
                    env[id(node)] = jnp.asarray(values[fv.name])
                    continue
                y = jnp.reshape(theta[fv.offset : fv.offset + fv.size], fv.ushape)
                tr = fv.transform
                if tr is None:
                    env[id(node)] = y
                else:
                    args = [env[id(i)] if _is_node(i) else i for i in tr.inputs]
                    env[id(node)] = tr.backward(y, *args)
                    logjac = logjac + jnp.sum(tr.log_jac_det(y, *args))
            elif node.kind == T.RV:
                obs = node.observed
                env[id(node)] = env[id(obs)] if _is_node(obs) else obs
            else:
                args = [env[id(i)] if _is_node(i) else i for i in node.inputs]
                env[id(node)] = node.op(*args)
        return env, logjac

    def _rv_logp(self, rv: T.TensorVariable, env: dict[int, Any]) -> Any:
        dist = rv.distribution
        params = {k: (env[id(v)] if _is_node(v) else v) for k, v in zip(dist.params, rv.inputs)}
        return dist.checked_logp(env[id(rv)], params)

    def _rv_outputs(self, rvs: Sequence[T.TensorVariable]) -> list[T.TensorVariable]:
        out: list[T.TensorVariable] = []
        for rv in rvs:
            out.extend(i for i in rv.inputs if _is_node(i))
            out.append(rv)
        return out

    # -- the sampler's log-density ----------------------------------------------------------
    def _block_plan(self, outputs: Sequence[Any]) -> Callable[[Any], tuple[dict, list, Any]]:
        """``theta -> (given, block values, their log-Jacobian)`` for ``_walk(outputs, ...,
        given=given)``: stacks of consecutive block members (beta = stack([b0, b1, ...]))
        are slices of the block's vector; members read one by one (mu = b0 * x0 + ...) are
        its entries."""
        blocks = self.blocks
        in_block = {id(f.node) for b in blocks for f in b.members}
        slices = _stacks_of_members(outputs, blocks)
        read = _free_nodes_read(outputs, in_block, set(slices))

        def plan(theta: Any) -> tuple[dict, list, Any]:
            given: dict[int, Any] = {}
            logjac = jnp.zeros(())
            values = []
            for b in blocks:
                x, lj = _block_values(b, theta)
                logjac = logjac + lj
                values.append(x)
                for j, f in enumerate(b.members):
                    if id(f.node) in read:
                        given[id(f.node)] = x[j]
            for node_id, (k, i, j) in slices.items():
                given[node_id] = values[k][i:j]
            return given, values, logjac

        return plan

    def _make_logdensity(self, jacobian: bool = True) -> Callable[[Any, dict[str, Any]], Any]:
        blocks = self.blocks
        in_block = {id(f.node) for b in blocks for f in b.members}
        rvs = [rv for rv in self.free_nodes + self.observed_nodes if id(rv) not in in_block]
        scales = [_total_size_scale(rv) for rv in rvs]
        block_params = [p for b in blocks for f in b.members for p in f.node.inputs if _is_node(p)]
        outputs = self._rv_outputs(rvs) + self.potential_nodes + block_params
        plan = self._block_plan(outputs)

        def logdensity(theta: Any, data: dict[str, Any]) -> Any:
            given, values, block_logjac = plan(theta)
            env, logjac = self._walk(outputs, data, theta=theta, given=given)
            total = block_logjac + logjac if jacobian else jnp.zeros(())
            for b, x in zip(blocks, values):
                total = total + jnp.sum(_block_logp(b, x, env))
            for rv, scale in zip(rvs, scales):
                total = total + scale * jnp.sum(self._rv_logp(rv, env))
            for pot in self.potential_nodes:
                total = total + jnp.sum(env[id(pot)])
            return jnp.where(jnp.isnan(total), -jnp.inf, total)

        return logdensity

    def prior_and_loglik(self, theta: Any, data: dict[str, Any]) -> tuple[Any, Any]:
        """(the free variables' log-density with the log-Jacobians, the observed
        variables' and Potentials' log-density): tempered SMC's two terms."""
        rvs = self.free_nodes + self.observed_nodes
        outputs = self._rv_outputs(rvs) + self.potential_nodes
        env, logjac = self._walk(outputs, data, theta=theta)
        prior = logjac
        for rv in self.free_nodes:
            prior = prior + jnp.sum(self._rv_logp(rv, env))
        loglik = jnp.zeros(())
        for rv in self.observed_nodes:
            loglik = loglik + _total_size_scale(rv) * jnp.sum(self._rv_logp(rv, env))
        for pot in self.potential_nodes:
            loglik = loglik + jnp.sum(env[id(pot)])
        prior = jnp.where(jnp.isnan(prior), -jnp.inf, prior)
        return prior, jnp.where(jnp.isnan(loglik), -jnp.inf, loglik)

    def _constrained(self, theta: Any, data: dict[str, Any]) -> dict[str, Any]:
        outputs = self.free_nodes + self.deterministic_nodes
        env, _ = self._walk(outputs, data, theta=theta)
        return {n.name: env[id(n)] for n in outputs}

    def _constrained_parts(self, theta: Any, data: dict[str, Any]) -> tuple[dict, list]:
        """``_constrained`` with each ScalarBlock's members as one vector: a program with a
        few outputs rather than one per variable (XLA compiles those slowly)."""
        if self._parts_plan is None:
            in_block = {id(f.node) for b in self.blocks for f in b.members}
            outputs = [n for n in self.free_nodes if id(n) not in in_block]
            outputs += self.deterministic_nodes
            self._parts_plan = (outputs, self._block_plan(outputs))
        outputs, plan = self._parts_plan
        given, values, _ = plan(theta)
        env, _ = self._walk(outputs, data, theta=theta, given=given)
        return {n.name: env[id(n)] for n in outputs}, values

    def _assemble(self, singles: dict[str, Any], values: list[Any]) -> dict[str, Any]:
        arrays = [np.asarray(v) for v in values]
        out: dict[str, Any] = {}
        for f in self.free:
            out[f.name] = singles[f.name] if f.name in singles else None
        for k, b in enumerate(self.blocks):
            for j, f in enumerate(b.members):
                out[f.name] = arrays[k][..., j]
        for d in self.deterministic_nodes:
            out[d.name] = singles[d.name]
        return out

    def constrained(self, theta: Any, data: dict[str, Any]) -> dict[str, Any]:
        """The free variables (constrained) and Deterministics at ``theta`` (dim,)."""
        return self._assemble(*self._parts(theta, data))

    def constrained_batch(self, thetas: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Many draws at once: ``thetas`` (n, dim) -> {name: (n, *shape)}."""
        return self._assemble(*self._parts_batch(thetas, data))

    # -- points ------------------------------------------------------------------------------
    def to_theta(self, point: dict[str, Any]) -> np.ndarray:
        """Constrained point (by name) -> flat unconstrained vector (one jitted program)."""
        missing = [f.name for f in self.free if f.name not in point]
        if missing:
            raise KeyError(f"the point has no value for {missing}")
        if not self.free:
            return np.zeros(0)
        values = {
            f.name: np.broadcast_to(np.asarray(point[f.name], dtype=f.node.dtype), f.shape)
            for f in self.free
        }
        fn = self._cache.get("to_theta")
        if fn is None:
            fn = jax.jit(self._to_theta)
            self._cache["to_theta"] = fn
        return np.asarray(fn(values, self.data_values()), dtype=np.float64)

    def _to_theta(self, values: dict[str, Any], data: dict[str, Any]) -> Any:
        inputs = [i for f in self.free if f.transform is not None for i in f.transform.inputs]
        env, _ = self._walk([i for i in inputs if _is_node(i)], data, values=values)
        parts = []
        for f in self.free:
            x = values[f.name]
            if f.transform is None:
                y = x
            else:
                args = [env[id(i)] if _is_node(i) else i for i in f.transform.inputs]
                y = f.transform.forward(x, *args)
            parts.append(jnp.ravel(y).astype(jnp.result_type(float)))
        return jnp.concatenate(parts)

    def initial_point(self) -> dict[str, np.ndarray]:
        """Moment-like constrained starting values (``initval=`` where the user gave one)."""
        initvals = {k: np.asarray(v) for k, v in self.model.rvs_to_initial_values.items()}
        key = ("initial_point", tuple(sorted(initvals)))
        fn = self._cache.get(key)
        if fn is None:
            fn = jax.jit(self._initial_point)
            self._cache[key] = fn
        out = fn(initvals, self.data_values())
        return {f.name: np.asarray(out[f.name]) for f in self.free}

    def start_candidates(
        self, initvals: dict[str, Any], noise: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Starting points for the sampler in one compiled call.

        ``noise``: (chains, tries, dim) jitter added to the unconstrained initial point
        ``theta0``; the candidates of a chain are tried in order, then ``theta0`` itself,
        until the log-density and its gradient are finite. The chains are searched one
        after the other, so memory holds one gradient evaluation at a time.
        Returns (theta0 (dim,), positions (chains, dim), logdensity (chains,), gradient
        (chains, dim), found (chains,) bool, the constrained initial point).
        ``initvals`` (by name, constrained) override the model's initial values.
        """
        merged = {k: np.asarray(v) for k, v in self.model.rvs_to_initial_values.items()}
        for k, v in (initvals or {}).items():
            f = next((f for f in self.free if f.name == k), None)
            if f is None:
                from credo.errors import SamplingError

                raise SamplingError(f"initvals given for '{k}', which is not a free variable")
            merged[k] = np.broadcast_to(np.asarray(v, dtype=f.node.dtype), f.shape)
        noise = np.asarray(noise)
        noise = np.concatenate([noise, np.zeros(noise.shape[:1] + (1,) + noise.shape[2:])], axis=1)
        data = self.data_values()
        args = (merged, data, noise)
        avals = tuple((np.shape(x), str(np.asarray(x).dtype)) for x in jax.tree.leaves(args))
        key = ("start", tuple(sorted(merged)), avals)
        fn = self._cache.get(key)
        self.start_compile_seconds = 0.0
        if fn is None:
            # Compiled ahead of time so that its seconds are reported in compile_time.
            t0 = time.perf_counter()
            fn = jax.jit(self._start).trace(*args).lower().compile()
            self.start_compile_seconds = time.perf_counter() - t0
            self._cache[key] = fn
        theta0, positions, lp, grad, found, point = fn(*args)
        return (
            np.asarray(theta0),
            np.asarray(positions),
            np.asarray(lp),
            np.asarray(grad),
            np.asarray(found),
            {k: np.asarray(v) for k, v in point.items()},
        )

    def _start(self, initvals: dict[str, Any], data: dict[str, Any], noise: Any) -> Any:
        point = self._initial_point(initvals, data)
        theta0 = self._to_theta(point, data) if self.free else jnp.zeros(0)
        vg = jax.value_and_grad(self.logdensity)
        tries = noise.shape[1]

        def one_chain(chain_noise: Any) -> Any:
            def evaluate(i: Any) -> Any:
                theta = theta0 + chain_noise[i]
                lp, grad = vg(theta, data)
                return theta, lp, grad, jnp.isfinite(lp) & jnp.all(jnp.isfinite(grad))

            def body(c: Any) -> Any:
                i = c[0]
                return (i + 1, *evaluate(i))

            init = (jnp.int32(1), *evaluate(0))
            out = jax.lax.while_loop(lambda c: ~c[4] & (c[0] < tries), body, init)
            return out[1:]

        positions, lp, grad, found = jax.lax.map(one_chain, noise)
        return theta0, positions, lp, grad, found, point

    def _initial_point(self, initvals: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        point: dict[str, Any] = {}
        for f in self.free:
            rv = f.node
            if f.name in initvals:
                point[f.name] = jnp.asarray(initvals[f.name]).astype(rv.dtype)
                continue
            dist = rv.distribution
            need = [i for i in rv.inputs if _is_node(i)]
            env, _ = self._walk(need, data, values=point)
            params = {k: (env[id(v)] if _is_node(v) else v) for k, v in zip(dist.params, rv.inputs)}
            val = jnp.broadcast_to(jnp.asarray(dist.initial_value(params)), f.shape)
            point[f.name] = val.astype(rv.dtype)
        return point

    def logp_fn(
        self, jacobian: bool = True, vars: Sequence[Any] | None = None, sum: bool = True
    ) -> Callable[[dict[str, Any]], Any]:
        """Log-density of a constrained point (dict by name), see ``Model.compile_logp``."""
        key = ("logp", jacobian, None if vars is None else tuple(_name(v) for v in vars), sum)
        if key in self._cache:
            return self._cache[key]
        rvs = self.free_nodes + self.observed_nodes
        terms: list[T.TensorVariable] = rvs + self.potential_nodes
        if vars is not None:
            wanted = {_name(v) for v in vars}
            terms = [t for t in terms if t.name in wanted]
        outputs = self._rv_outputs([t for t in terms if t.kind == T.RV])
        outputs += [t for t in terms if t.kind == T.POTENTIAL]
        free_in_terms = {t.name for t in terms if t.kind == T.RV and t.observed is None}

        @jax.jit
        def fn(theta: Any, data: dict[str, Any]) -> Any:
            env, _ = self._walk(outputs, data, theta=theta)
            parts = []
            for t in terms:
                val = self._rv_logp(t, env) if t.kind == T.RV else env[id(t)]
                parts.append(jnp.sum(val))
            if jacobian:
                # Log-Jacobians only of the free variables among the terms.
                for f in self.free:
                    if f.transform is None or f.name not in free_in_terms:
                        continue
                    y = jnp.reshape(theta[f.offset : f.offset + f.size], f.ushape)
                    inputs = f.transform.inputs
                    args = [env[id(i)] if _is_node(i) else i for i in inputs]
                    parts.append(jnp.sum(f.transform.log_jac_det(y, *args)))
            return parts

        def logp(point: dict[str, Any]) -> Any:
            theta = self.to_theta(point) if self.free else np.zeros(0)
            parts = fn(theta, self.data_values())
            if sum:
                return jnp.sum(jnp.stack(parts)) if parts else jnp.zeros(())
            return parts

        self._cache[key] = logp
        return logp

    def point_logps(self, point: dict[str, Any] | None = None) -> dict[str, float]:
        """Each variable's summed log-density at ``point`` (default: the initial point)."""
        pt = point if point is not None else self.initial_point()
        terms = self.free_nodes + self.observed_nodes + self.potential_nodes
        parts = self.logp_fn(jacobian=False, sum=False)(pt)
        return {t.name: float(v) for t, v in zip(terms, parts)}

    def pointwise_loglik(self, values: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        """Per-observation log-likelihood of each observed variable (its batch shape)."""
        outputs = self._rv_outputs(self.observed_nodes)
        env, _ = self._walk(outputs, data, values=values)
        return {rv.name: self._rv_logp(rv, env) for rv in self.observed_nodes}

    def non_finite_terms(self, theta: np.ndarray) -> list[str]:
        """Names of the variables whose log-density (or gradient) is not finite at theta."""
        data = self.data_values()
        rvs = self.free_nodes + self.observed_nodes
        outputs = self._rv_outputs(rvs) + self.potential_nodes
        env, _ = self._walk(outputs, data, theta=jnp.asarray(theta))
        bad = []
        for t in rvs + self.potential_nodes:
            val = self._rv_logp(t, env) if t.kind == T.RV else env[id(t)]
            if not bool(jnp.all(jnp.isfinite(val))):
                bad.append(t.name)
        return bad

    def batched_forward(self, names: Sequence[str], fixed: Sequence[str]) -> Any:
        """:func:`make_forward` jitted and vectorised over draws, built once per
        (names, fixed): ``(rng_keys (n,), fixed {name: (n, ...)}, data) -> {name: (n, ...)}``."""
        key = ("forward", tuple(names), tuple(fixed))
        fn = self._cache.get(key)
        if fn is None:
            forward = make_forward(self, names, fixed_names=fixed)
            fn = jax.jit(jax.vmap(forward, in_axes=(0, 0 if fixed else None, None)))
            self._cache[key] = fn
        return fn

    def check_observed_shapes(self) -> None:
        """Fixed observed arrays must still fit their parameters after ``set_data``.

        ``set_data`` may change a length (new predictors for predictions), but an observed
        variable whose data are a fixed array then no longer matches its parameters; say
        so, naming both, before JAX fails inside the sampler's trace.
        """
        rvs = [rv for rv in self.observed_nodes if not _is_node(rv.observed)]
        if not rvs or not self.data_nodes:
            return
        outputs = [i for rv in rvs for i in rv.inputs if _is_node(i)]
        values = {f.name: jax.ShapeDtypeStruct(f.shape, f.node.dtype) for f in self.free}
        current = self.data_values()
        data = {k: jax.ShapeDtypeStruct(v.shape, v.dtype) for k, v in current.items()}
        described = ", ".join(f"'{k}' {v.shape}" for k, v in current.items())

        def shapes(values: dict[str, Any], data: dict[str, Any]) -> list[Any]:
            env, _ = self._walk(outputs, data, values=values)
            return [env[id(o)] for o in outputs]

        try:
            out = jax.eval_shape(shapes, values, data)
        except (TypeError, ValueError) as err:
            raise ShapeError(
                f"the model's expressions do not fit the current shapes of its Data ({described})"
                f" after set_data: {str(err).splitlines()[0]}"
            ) from None
        found = {id(o): tuple(v.shape) for o, v in zip(outputs, out)}
        for rv in rvs:
            dist = rv.distribution
            cls = type(dist)
            pshapes = {
                k: found[id(v)] if _is_node(v) else tuple(np.shape(v))
                for k, v in zip(dist.params, rv.inputs)
            }
            event = tuple(cls.event_shape(pshapes, dist.static))
            batch = [s[: len(s) - cls.param_ndims.get(k, 0)] for k, s in pshapes.items()]
            obs_shape = tuple(np.shape(rv.observed))
            try:
                natural: Any = tuple(np.broadcast_shapes(*batch)) + event
            except ValueError:
                natural = " and ".join(str(s) for s in pshapes.values())
            try:
                if np.broadcast_shapes(natural, obs_shape) == obs_shape:
                    continue
            except (ValueError, TypeError):
                pass
            params = [i for i in rv.inputs if _is_node(i)]
            datas = [n for n in T.toposort(params) if n.kind == T.DATA]
            names = ", ".join(f"'{d.name}' (now shape {tuple(np.shape(d.value))})" for d in datas)
            raise ShapeError(
                f"variable '{rv.name}': its observed data are a fixed array of shape "
                f"{obs_shape}, but after set_data of {names or described} its parameters have "
                f"shape {natural}. Give the observed values as a Data container too and "
                "replace them in the same set_data call (or set the Data back to the old "
                "length to sample)"
            )


def _block_key(f: FreeVar) -> Any:
    """What free variables must share to join one ScalarBlock (None: they cannot)."""
    dist = f.node.distribution
    cls = type(dist)
    tr = f.transform
    if f.shape != () or cls.ndim_supp != 0 or cls.discrete or any(cls.param_ndims.values()):
        return None
    if tr is not None and (tr.event_ndim != 0 or tr.inputs):
        return None
    try:
        static = tuple(sorted(dist.static.items()))
        hash(static)
    except TypeError:
        return None
    return (cls, static, id(tr) if tr is not None else None)


def _scalar_blocks(free: list[FreeVar]) -> list[ScalarBlock]:
    blocks: list[ScalarBlock] = []
    run: list[FreeVar] = []

    def close() -> None:
        if len(run) >= MIN_BLOCK:
            blocks.append(ScalarBlock(run[0].offset, tuple(run)))
        run.clear()

    for f in free:
        key = _block_key(f)
        if run and (key is None or key != _block_key(run[-1])):
            close()
        if key is not None:
            run.append(f)
    close()
    return blocks


def _stacks_of_members(
    outputs: Sequence[Any], blocks: list[ScalarBlock]
) -> dict[int, tuple[int, int, int]]:
    """Stack nodes the outputs read whose inputs are consecutive members of one block:
    id(node) -> (block index, first member, end)."""
    where = {id(f.node): (k, j) for k, b in enumerate(blocks) for j, f in enumerate(b.members)}
    found: dict[int, tuple[int, int, int]] = {}
    if not where:
        return found
    for node in T.toposort(outputs, lambda n: [i for i in n.inputs if _is_node(i)]):
        if not node.stacked or id(node.inputs[0]) not in where:
            continue
        k, i = where[id(node.inputs[0])]
        span = [where.get(id(x)) for x in node.inputs]
        if span == [(k, i + m) for m in range(len(node.inputs))]:
            found[id(node)] = (k, i, i + len(node.inputs))
    return found


def _free_nodes_read(
    outputs: Sequence[Any], ids: set[int], given: frozenset[int] | set[int] = frozenset()
) -> set[int]:
    """Which of the free variables ``ids`` the outputs read, as ``CompiledModel._walk`` from
    ``theta`` walks them (other free variables' transforms read their inputs; nodes in
    ``given`` are leaves)."""

    def deps(node: T.TensorVariable) -> list[T.TensorVariable]:
        if node.kind == T.DATA or id(node) in ids or id(node) in given:
            return []
        if node.kind == T.RV and node.observed is None:
            tr = node.transform
            return [i for i in tr.inputs if _is_node(i)] if tr is not None else []
        if node.kind == T.RV:
            return [node.observed] if _is_node(node.observed) else []
        return [i for i in node.inputs if _is_node(i)]

    return {id(n) for n in T.toposort(outputs, deps) if id(n) in ids}


def _block_values(block: ScalarBlock, theta: Any) -> tuple[Any, Any]:
    """The block's constrained values (k,) and their summed log-Jacobian."""
    y = theta[block.start : block.stop]
    tr = block.members[0].transform
    if tr is None:
        return y, jnp.zeros(())
    return tr.backward(y), jnp.sum(tr.log_jac_det(y))


def _block_logp(block: ScalarBlock, x: Any, env: dict[int, Any]) -> Any:
    """The members' log-densities (k,) in one vectorised call: each parameter is the one
    value all members share, or the members' values stacked."""
    first = block.members[0].node.distribution
    params: dict[str, Any] = {}
    for i, pname in enumerate(first.params):
        column = [f.node.inputs[i] for f in block.members]
        if all(c is column[0] for c in column):
            params[pname] = env[id(column[0])] if _is_node(column[0]) else column[0]
        elif not any(_is_node(c) for c in column):
            params[pname] = np.stack([np.asarray(c) for c in column])
        else:
            params[pname] = jnp.stack(
                [env[id(c)] if _is_node(c) else jnp.asarray(c) for c in column]
            )
    return first.checked_logp(x, params)


def _total_size_scale(rv: T.TensorVariable) -> float:
    """``total_size / batch size`` for an observed variable given ``total_size=`` (a
    minibatch standing for the whole data set), else 1. ``total_size``: an int (the first
    axis) or a sequence with one entry per leading axis, ``None`` where not scaled."""
    total = getattr(rv, "total_size", None)
    if total is None:
        return 1.0
    sizes = [total] if isinstance(total, int | np.integer) else list(total)
    scale = 1.0
    for axis, n in enumerate(sizes):
        if n is None or n is Ellipsis or axis >= len(rv.shape) or rv.shape[axis] == 0:
            continue
        scale *= float(n) / rv.shape[axis]
    return scale


def _name(v: Any) -> str:
    return v if isinstance(v, str) else v.name


# -- forward (ancestral) sampling --------------------------------------------------------------
def _runtime_shape(rv: T.TensorVariable, params: dict[str, Any], env: dict[int, Any]) -> tuple:
    """The shape to draw ``rv`` with, given the parameters' current (traced) shapes.

    An explicit ``shape=``/``dims=`` or the observed data's current shape wins, unless the
    parameters no longer broadcast to it (out-of-sample prediction after ``set_data`` with
    predictors of another length): then the parameters' shape.
    """
    dist = rv.distribution
    natural = tuple(dist.natural_shape(params))
    if dist.explicit_shape:
        # shape=x.shape (static here) follows the parameters when set_data changed x.
        try:
            if np.broadcast_shapes(natural, tuple(rv.shape)) == tuple(rv.shape):
                return tuple(rv.shape)
        except ValueError:
            pass
        return natural
    obs = rv.observed
    if obs is None:
        return tuple(np.broadcast_shapes(natural, tuple(rv.shape)))
    if _is_node(obs):
        obs_shape = tuple(jnp.shape(env[id(obs)])) if id(obs) in env else tuple(rv.shape)
    else:
        obs_shape = tuple(np.shape(obs))
    try:
        if np.broadcast_shapes(natural, obs_shape) == obs_shape:
            return obs_shape
    except ValueError:
        pass
    return natural


def make_forward(cm: CompiledModel, names: Sequence[str], fixed_names: Sequence[str]):
    """A function ``(rng_key, fixed, data) -> {name: value}`` drawing ``names`` ancestrally.

    Variables in ``fixed`` (e.g. posterior draws of the free variables) keep their values;
    every other random variable, observed ones included, is drawn from its distribution
    given its parents. Potentials play no part in forward sampling.
    """
    model = cm.model
    nv = model.named_vars
    outputs = [nv[n] for n in names]
    fixed_set = set(fixed_names)

    def deps(node: T.TensorVariable) -> list[T.TensorVariable]:
        if node.kind == T.DATA:
            return []
        if node.kind == T.RV:
            if node.name in fixed_set:
                return []
            extra = (
                [node.observed] if _is_node(node.observed) and node.observed.kind == T.DATA else []
            )
            return [i for i in node.inputs if _is_node(i)] + extra
        return [i for i in node.inputs if _is_node(i)]

    order = T.toposort(outputs, deps)

    def forward(rng_key: Any, fixed: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        env: dict[int, Any] = {}
        for idx, node in enumerate(order):
            if node.kind == T.DATA:
                env[id(node)] = data[node.name] if node.name in data else node.value
            elif node.kind == T.RV and node.name in fixed_set:
                env[id(node)] = jnp.asarray(fixed[node.name])
            elif node.kind == T.RV:
                dist = node.distribution
                params = {
                    k: (env[id(v)] if _is_node(v) else v) for k, v in zip(dist.params, node.inputs)
                }
                shape = _runtime_shape(node, params, env)
                key = jax.random.fold_in(rng_key, idx)
                env[id(node)] = jnp.asarray(dist.draw(key, shape, params)).astype(node.dtype)
            else:
                args = [env[id(i)] if _is_node(i) else i for i in node.inputs]
                env[id(node)] = node.op(*args)
        return {n.name: env[id(n)] for n in outputs}

    return forward
