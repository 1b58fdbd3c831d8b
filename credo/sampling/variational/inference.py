"""``pm.fit``, ``ADVI``, ``FullRankADVI`` and ``Minibatch``.

ADVI (Kucukelbir et al. 2017, "Automatic Differentiation Variational Inference", JMLR):
maximise the ELBO ``E_q[log p(theta, y)] + H[q]`` of a normal ``q`` on the unconstrained
space (the log-density includes the transforms' log-Jacobians), with the
reparameterisation gradient of ``obj_n_mc`` draws per iteration and the entropy in
closed form. The optimisation runs in blocks of ``_BLOCK`` iterations, each one jitted
``lax.scan`` compiled once per model, family and optimiser; callbacks and the progress
bar run between blocks.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo.errors import ModelError
from credo.model import Model, modelcontext
from credo.model import tensor as T
from credo.sampling.variational.approximations import Approximation, FullRank, MeanField
from credo.sampling.variational.optimizers import adagrad_window, as_optax

__all__ = ["ADVI", "FullRankADVI", "Inference", "fit", "Minibatch"]

_log = logging.getLogger("credo")
_BLOCK = 100


# -- Minibatch -----------------------------------------------------------------------------
class _MinibatchGroup:
    """Arrays sliced together: each iteration of ``fit`` draws ``batch_size`` row indices
    (with replacement) and gives every array of the group those rows."""

    def __init__(self, arrays: list[np.ndarray], batch_size: int, label: str) -> None:
        self.arrays = arrays
        self.batch_size = batch_size
        self.label = label
        self.nodes: list[T.TensorVariable] = []


def Minibatch(*tensors: Any, batch_size: int = 128) -> Any:  # noqa: N802 (PyMC's name)
    """Random minibatches of the rows of arrays, for ADVI on large data:
    ``X_mb, y_mb = pm.Minibatch(X, y, batch_size=100)``; give the likelihood
    ``total_size=len(y)`` so it is scaled up to the whole data set.

    Each result is a Data-like node of shape ``(batch_size, *row shape)``; ``fit`` draws
    new rows every iteration (the same rows for all arrays of one call). Outside ``fit``
    (``sample``, ``find_MAP``) it holds the first ``batch_size`` rows.
    """
    if not tensors:
        raise TypeError("Minibatch: give at least one array")
    arrays = []
    for t in tensors:
        if isinstance(t, T.TensorVariable):
            if t.kind != T.DATA:
                raise TypeError("Minibatch: give arrays or Data containers, not expressions")
            t = t.value
        pandas = hasattr(t, "values") and hasattr(t, "index")
        arr = np.asarray(t.values if pandas else t)
        if arr.ndim == 0:
            raise ValueError("Minibatch: arrays must have at least one dimension (the rows)")
        arrays.append(arr)
    n = {a.shape[0] for a in arrays}
    if len(n) != 1:
        raise ValueError(f"Minibatch: the arrays have different numbers of rows {sorted(n)}")
    rows = n.pop()
    batch_size = int(batch_size)
    if not 0 < batch_size <= rows:
        raise ValueError(f"Minibatch: batch_size must be in 1..{rows}, got {batch_size}")
    group = _MinibatchGroup(arrays, batch_size, "")
    group.label = f"minibatch_{id(group):x}"  # unique while the group lives
    for i, arr in enumerate(arrays):
        first = arr[:batch_size]
        node = T.TensorVariable(
            None, (), first.shape, first.dtype, name=f"{group.label}_{i}", kind=T.DATA
        )
        node.value = first
        node.minibatch = (group, i)
        group.nodes.append(node)
    return tuple(group.nodes) if len(group.nodes) > 1 else group.nodes[0]


def _minibatch_groups(model: Model) -> list[_MinibatchGroup]:
    outputs = model.basic_RVs + model.potentials + model.deterministics
    groups: dict[int, _MinibatchGroup] = {}

    def deps(node: T.TensorVariable) -> list[T.TensorVariable]:
        out = [i for i in node.inputs if isinstance(i, T.TensorVariable)]
        if isinstance(node.observed, T.TensorVariable):
            out.append(node.observed)
        return out

    for node in T.toposort(outputs, deps):
        mb = getattr(node, "minibatch", None)
        if mb is not None:
            groups[id(mb[0])] = mb[0]
    return list(groups.values())


# -- the optimisation loop -------------------------------------------------------------------
def _compiled_block(
    cm: Any,
    family: type[Approximation],
    opt: Any,
    opt_key: Any,
    n_mc: int,
    groups: list[_MinibatchGroup],
) -> Any:
    key = ("fit", family.family, opt_key, n_mc, tuple(id(g) for g in groups))
    fn = cm._cache.get(key)
    if fn is not None:
        return fn

    def loss_fn(params: Any, rng_key: Any, data: Any) -> Any:
        eps = jax.random.normal(rng_key, (n_mc, cm.dim))
        thetas = jax.vmap(family.transform, in_axes=(None, 0))(params, eps)
        lp = jax.vmap(cm.logdensity, in_axes=(0, None))(thetas, data)
        return -(jnp.mean(lp) + family.entropy(params))

    def block(
        params: Any, opt_state: Any, rng_key: Any, data: Any, full: Any, start: Any, n_total: Any
    ) -> Any:
        def body(carry: Any, i: Any) -> Any:
            params, opt_state = carry
            step_key = jax.random.fold_in(rng_key, start + i)
            batch_key, eps_key = jax.random.split(step_key)
            step_data = dict(data)
            for g, arrays in zip(groups, full):
                rows = arrays[0].shape[0]
                idx = jax.random.randint(
                    jax.random.fold_in(batch_key, len(step_data)), (g.batch_size,), 0, rows
                )
                for node, arr in zip(g.nodes, arrays):
                    step_data[node.name] = arr[idx]
            loss, grads = jax.value_and_grad(loss_fn)(params, eps_key, step_data)
            updates, new_state = opt.update(grads, opt_state, params)
            new_params = jax.tree.map(lambda p, u: p + u, params, updates)
            finite = jnp.isfinite(loss) & jnp.all(
                jnp.stack([jnp.all(jnp.isfinite(g)) for g in jax.tree.leaves(grads)])
            )
            active = (start + i) < n_total
            keep = active & finite
            params = jax.tree.map(lambda a, b: jnp.where(keep, a, b), new_params, params)
            opt_state = jax.tree.map(lambda a, b: jnp.where(keep, a, b), new_state, opt_state)
            return (params, opt_state), jnp.where(active, loss, jnp.nan)

        (params, opt_state), losses = jax.lax.scan(body, (params, opt_state), jnp.arange(_BLOCK))
        return params, opt_state, losses

    fn = jax.jit(block)
    cm._cache[key] = fn
    return fn


class Inference:
    """Variational inference of one family on one model; ``fit`` may be called again to
    continue from where it stopped (the loss history grows)."""

    family: type[Approximation] = MeanField

    def __init__(
        self,
        model: Model | None = None,
        random_seed: Any = None,
        start: dict[str, Any] | None = None,
        **_: Any,
    ) -> None:
        from credo.sampling.draws import _rng_key

        self.model = modelcontext(model)
        self.cm = self.model.compiled()
        if self.cm.dim == 0:
            raise ModelError(f"{type(self).__name__}: the model has no free random variables")
        if self.cm.discrete_free:
            raise ModelError(
                f"{type(self).__name__}: the free variables {self.cm.discrete_free} are "
                "discrete; variational inference here fits continuous variables only"
            )
        self._key, _seed = _rng_key(random_seed)
        point = self.cm.initial_point()
        free = [f.name for f in self.cm.free]
        for k, v in (start or {}).items():
            if k not in free:
                raise ModelError(
                    f"start= names {k!r}, which is not a free variable; the free "
                    f"variables are {free}"
                )
            point[k] = np.asarray(v)
        theta0 = self.cm.to_theta(point)
        self.approx = self.family(self.cm, {})
        self.approx.params = {k: np.asarray(v) for k, v in self.family.init_params(theta0).items()}
        self._opt_state: Any = None
        self._opt_key: Any = None
        self._iterations = 0

    @property
    def hist(self) -> np.ndarray:
        return self.approx.hist

    def fit(
        self,
        n: int = 10000,
        *,
        obj_optimizer: Any = None,
        callbacks: Any = None,
        progressbar: bool = True,
        obj_n_mc: int = 1,
        total_grad_norm_constraint: float | None = None,
        **_: Any,
    ) -> Approximation:
        """Run ``n`` iterations (fewer when a callback raises StopIteration).

        ``obj_n_mc``: draws per iteration for the ELBO's gradient.
        ``total_grad_norm_constraint``: clip the gradient to this global norm.
        """
        if not isinstance(n, int | np.integer) or n < 0:
            raise ValueError(f"fit: n must be a non-negative int, got {n!r}")
        opt, opt_key = as_optax(obj_optimizer if obj_optimizer is not None else adagrad_window)
        if total_grad_norm_constraint is not None:
            import optax

            limit = float(total_grad_norm_constraint)
            opt = optax.chain(optax.clip_by_global_norm(limit), opt)
            opt_key = (opt_key, "clip", limit)
        if self._opt_state is None or opt_key != self._opt_key:
            self._opt_state = opt.init({k: jnp.asarray(v) for k, v in self.approx.params.items()})
            self._opt_key = opt_key
        groups = _minibatch_groups(self.model)
        block = _compiled_block(self.cm, self.family, opt, opt_key, int(obj_n_mc), groups)
        data = self.cm.data_values()
        full = [[jnp.asarray(a) for a in g.arrays] for g in groups]
        params = {k: jnp.asarray(v) for k, v in self.approx.params.items()}
        self._key, run_key = jax.random.split(self._key)
        callbacks = list(callbacks or [])
        losses: list[np.ndarray] = [self.approx.hist]
        bar = _Bar(n, progressbar)
        done = 0
        t0 = time.perf_counter()
        try:
            while done < n:
                params, self._opt_state, block_losses = block(
                    params,
                    self._opt_state,
                    run_key,
                    data,
                    full,
                    jnp.asarray(done),
                    jnp.asarray(n),
                )
                step = min(_BLOCK, n - done)
                done += step
                losses.append(np.asarray(block_losses)[:step])
                self.approx.params = {k: np.asarray(v) for k, v in params.items()}
                self.approx.hist = np.concatenate(losses)
                bar.update(done, float(np.nanmean(losses[-1])))
                for cb in callbacks:
                    cb(self.approx, self.approx.hist, self._iterations + done)
        except StopIteration as stop:
            _log.info("%s", stop)
        except KeyboardInterrupt:
            _log.warning("fit was interrupted after %d iterations", done)
        finally:
            bar.close()
        self._iterations += done
        bad = [k for k, v in self.approx.params.items() if not np.all(np.isfinite(v))]
        if bad:
            raise FloatingPointError(f"NaN occurred in optimization (parameters {bad})")
        recent = self.approx.hist[-min(len(self.approx.hist), _BLOCK) :]
        if len(recent) and not np.any(np.isfinite(recent)):
            raise FloatingPointError(
                "the ELBO was not finite in the last iterations: the approximation's draws "
                "fall where the log-density is -inf or NaN (check the model's priors)"
            )
        self.approx.fit_seconds = time.perf_counter() - t0
        return self.approx


class ADVI(Inference):
    """Mean-field ADVI: independent normals on the unconstrained space."""

    family = MeanField


class FullRankADVI(Inference):
    """Full-rank ADVI: one multivariate normal on the unconstrained space."""

    family = FullRank


class _Bar:
    def __init__(self, total: int, enabled: bool) -> None:
        from credo.sampling.progress import interactive

        self.progress: Any = None
        if enabled and interactive() and total > 0:
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(
                TextColumn("fit"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TextColumn("loss = {task.fields[loss]}"),
                TimeRemainingColumn(),
            )
            self.task = self.progress.add_task("fit", total=total, loss="-")
            self.progress.start()

    def update(self, done: int, loss: float) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=done, loss=f"{loss:.4g}")

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


_METHODS: dict[str, Any] = {"advi": ADVI, "fullrank_advi": FullRankADVI}


def fit(
    n: int = 10000,
    method: Any = "advi",
    model: Model | None = None,
    random_seed: Any = None,
    start: dict[str, Any] | None = None,
    inf_kwargs: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Approximation:
    """Fit a variational approximation: ``approx = pm.fit(20000, method="advi")``, then
    ``approx.sample(1000)`` for InferenceData, ``approx.hist`` for the loss.

    ``method``: "advi", "fullrank_advi", "pathfinder", or an Inference instance.
    Keyword arguments go to ``Inference.fit`` (``obj_optimizer=``, ``callbacks=``,
    ``progressbar=``, ``obj_n_mc=``); for "pathfinder" to ``credo.sampling.variational.pathfinder``.
    """
    if isinstance(method, Inference):
        return method.fit(n, **kwargs)
    if isinstance(method, str) and method.lower() == "pathfinder":
        from credo.sampling.variational.pathfinder import pathfinder

        return pathfinder(model=model, random_seed=random_seed, start=start, **kwargs)
    if not isinstance(method, str) or method.lower() not in _METHODS:
        raise ValueError(f"fit: unknown method {method!r}; use one of {[*_METHODS, 'pathfinder']}")
    inference = _METHODS[method.lower()](
        model=model, random_seed=random_seed, start=start, **(inf_kwargs or {})
    )
    return inference.fit(n, **kwargs)


def advi_initial_points(
    model: Model, chains: int, random_seed: Any = None, n: int = 20000, start: Any = None
) -> list[dict[str, np.ndarray]]:
    """One starting point per chain, drawn from a mean-field ADVI fit (``sample``'s
    ``init="advi"`` and ``"advi+adapt_diag"``); the fit starts at ``start`` (a dict of
    constrained values, e.g. ``sample``'s ``initvals``) and stops when its parameters
    settle."""
    from credo.sampling.variational.callbacks import CheckParametersConvergence
    from credo.sampling.variational.optimizers import adam

    stop = [
        CheckParametersConvergence(every=100, tolerance=1e-2, diff="absolute"),
        CheckParametersConvergence(every=100, tolerance=1e-2, diff="relative"),
    ]
    inference = ADVI(
        model=model, random_seed=random_seed, start=start if isinstance(start, dict) else None
    )
    approx = inference.fit(
        n, obj_optimizer=adam(learning_rate=0.01), callbacks=stop, progressbar=False
    )
    draws = approx.sample(chains, random_seed=random_seed, return_inferencedata=False)
    names = [f.name for f in inference.cm.free]
    return [{k: np.asarray(draws[k][c]) for k in names} for c in range(chains)]
