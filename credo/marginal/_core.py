"""The marginal term of a summed-out variable, and the distributions its dependents carry
in the new model (see :mod:`credo.marginal`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp

from credo import tensor as T
from credo.errors import ModelError

# The largest support enumerated, and the most joint states of a vector variable whose
# elements interact (then every configuration is enumerated).
MAX_SUPPORT = 100_000
MAX_JOINT_STATES = 4096
# The most log-density terms evaluated to find which element of z each term reads.
MAX_OWNER_PROBE = 50_000_000
# Random configurations compared against the element-by-element decomposition, at each of
# a few random points of the other variables.
N_CHECK_CONFIGS = 6
N_CHECK_POINTS = 3


def marginals_of(model: Any) -> dict[str, _Marginal]:
    """The summed-out variables of ``model`` (empty for a model ``marginalize`` did not
    make), by name."""
    out: dict[str, _Marginal] = model.root.__dict__.setdefault("_marginals", {})
    return out


class MarginalizationError(ModelError, NotImplementedError):
    """The variable cannot be summed out exactly (its support, or how its dependents
    use it)."""


class _Marginal:
    """One marginalised variable: how to enumerate it and evaluate its dependents.

    ``mode``: ``"elementwise"`` (each term of the dependents' log-densities reads at most
    one element of ``z``: the one it lines up with by broadcasting, or the one ``owners``
    names; a scalar ``z`` is the one-element case) or ``"joint"`` (every configuration of a
    small ``z`` enumerated).
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
        self.name: str = str(z.name)
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
        # Elementwise: None when the dependents' elements line up with z's by broadcasting;
        # else, per dependent, the flat index of the element of z each term reads (-1: none).
        self.owners: list[np.ndarray] | None = None
        # (boundary position, value) of the Data-only inputs the structure was checked with.
        self.checked_with: list[tuple[int, np.ndarray]] = []

    # -- the pieces of the joint log-density -------------------------------------------
    def _env(self, zval: Any, bvals: Sequence[Any]) -> dict[int, Any]:
        # As JAX arrays: a numpy array indexed by a traced z would fail.
        env = {id(b): jnp.asarray(v) for b, v in zip(self.boundary, bvals)}
        env[id(self.z)] = jnp.asarray(zval)
        for node in self.inner:
            args = [env[id(i)] if T.is_node(i) else i for i in node.inputs]
            op = node.op
            assert op is not None  # inner nodes are expressions
            env[id(node)] = op(*args)
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

    def _reduce_dep(self, k: int, lp: Any) -> Any:
        """Dependent ``k``'s log-density array as z's shape: each term added to the element
        of z it reads; the terms that read none added once (to the first element)."""
        if self.owners is None:
            return self._reduce(lp)
        owner = jnp.asarray(self.owners[k])
        flat = jnp.ravel(lp)
        owned = jnp.where(owner >= 0, flat, 0.0)
        per = jax.ops.segment_sum(owned, jnp.maximum(owner, 0), num_segments=self.z.size)
        per = per.at[0].add(jnp.sum(jnp.where(owner < 0, flat, 0.0)))
        return per.reshape(self.z.shape)

    def element_table(self, value: Any, bvals: Sequence[Any]) -> Any:
        """log p(z_i = v) + (the dependents' terms owned by element i) for every support
        value v: shape ``(K, *z.shape)``."""
        shape = self.z.shape

        def one(v: Any) -> Any:
            zval = jnp.full(shape, v, dtype=self.z.dtype)
            zlp, lps = self.pieces(zval, value, bvals)
            total = zlp
            for k, lp in enumerate(lps):
                total = total + jnp.broadcast_to(self._reduce_dep(k, lp), shape)
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
            return self._guard(logsumexp(self.joint_table(value, bvals)), bvals)
        per_element = logsumexp(self.element_table(value, bvals), axis=0)
        one = len(self.dependents) == 1 and self.owners is None
        if one and tuple(self.carrier.shape) == tuple(self.z.shape):
            return self._guard(per_element, bvals)  # one term per observation (for LOO)
        return self._guard(jnp.sum(per_element), bvals)

    def _guard(self, lp: Any, bvals: Sequence[Any]) -> Any:
        """NaN (so -inf to the sampler) once a Data input the structure was checked with
        has other values (set_data): which element of z a term reads may have changed."""
        if not self.checked_with:
            return lp
        same = jnp.array(True)
        for i, v in self.checked_with:
            same = same & jnp.array_equal(bvals[i], v)
        return jnp.where(same, lp, jnp.nan)

    def conditional(self, value: Any, bvals: Sequence[Any], rng_key: Any) -> tuple[Any, Any]:
        """(a draw of z from its conditional, the conditional log-probabilities of each
        element's values ``(*z.shape, K)``)."""
        if self.mode == "joint":
            table = self.joint_table(value, bvals)
            idx = jax.random.categorical(rng_key, table)
            assert self.configs is not None
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
        nd = int(getattr(type(self), "ndim_supp", 0))
        shape = jnp.shape(value)
        return jnp.zeros(shape[: len(shape) - nd])


def _wrap(dep: T.TensorVariable, mixin: type, extras: list[T.TensorVariable]) -> None:
    """Give ``dep`` a distribution of a subclass of its own with ``mixin``'s log-density
    and the ``extras`` as further parameters (named ``marginal.<i>``)."""
    dist = dep.distribution
    cls = type(dist)
    ndims = dict(cls.param_ndims)
    for i, e in enumerate(extras):
        ndims[f"marginal.{i}"] = len(e.shape) if T.is_node(e) else np.ndim(e)
    new_cls = type(f"Marginalized{cls.__name__}", (mixin, cls), {"param_ndims": ndims})
    new: Any = object.__new__(new_cls)
    new.__dict__.update(dist.__dict__)
    new.params = dict(dist.params)
    for i, e in enumerate(extras):
        new.params[f"marginal.{i}"] = e
    dep.distribution = new
    dep.inputs = tuple(dep.inputs) + tuple(extras)
