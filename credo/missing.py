"""Automatic imputation of missing observations (NaN entries or a numpy mask).

``pm.Normal("y", mu, sigma, observed=y)`` with missing entries in ``y`` registers

- ``y_unobserved``: a free variable holding the missing entries (flattened, in row-major
  order), sampled with everything else;
- ``y_observed``: the likelihood of the entries that were observed;
- ``y``: a Deterministic of ``y``'s full shape joining both (what the call returns).

For a univariate likelihood the two parts are independent given the parameters, so each
gets the distribution with its parameters gathered at its own entries. A multivariate
likelihood couples the entries of one event: there ``y_observed`` is the distribution of
the whole joined value, and ``y_unobserved`` adds nothing to the log-density itself (its
prior draws are the missing entries of a draw of the whole variable).

The missing pattern is fixed when the variable is defined; observed values given through
``pm.Data`` are read from the container, so ``set_data`` may change the observed entries
but not which entries are missing.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import jax.numpy as jnp
import numpy as np

from credo import tensor as T
from credo.distributions import constraints as C
from credo.distributions.base import Continuous, set_imputer
from credo.errors import ModelError
from credo.missing_data import ImputationWarning, MissingData, find_missing

__all__ = ["ImputationWarning", "MissingData", "find_missing", "impute"]


def _gather(param: Any, full_shape: tuple[int, ...], idx: np.ndarray) -> Any:
    """A univariate parameter broadcast to the variable's shape, at the flat entries idx."""
    if isinstance(param, T.TensorVariable):
        return T.apply(
            lambda p: jnp.reshape(jnp.broadcast_to(p, full_shape), (-1,))[idx],
            param,
            opname="gather",
        )
    return np.reshape(np.broadcast_to(np.asarray(param), full_shape), (-1,))[idx]


def _rebind(node: T.TensorVariable, params: dict[str, Any], shape: tuple[int, ...], name: str):
    """A copy of the random-variable ``node`` with other parameters and shape."""
    old = node.distribution
    dist = object.__new__(type(old))  # Distribution.__new__ registers a variable
    dist.__dict__.update(old.__dict__)
    dist.params = params
    dist.shape = shape
    dist.explicit_shape = False
    out = T.TensorVariable(
        None,
        list(params.values()),
        shape,
        node.dtype,
        name=name,
        kind=T.RV,
        label=f"{type(dist).__name__}('{name}')",
    )
    out.distribution = dist
    return out


@dataclass
class _Imputation:
    """What both ways of imputing need: the variable as a whole and where its gaps are."""

    model: Any
    cls: Any
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    full: T.TensorVariable  # the distribution over the whole (unregistered)
    name: str
    data: Any  # the Data node, or the array with the gaps filled
    miss_idx: np.ndarray  # flat indices of the missing entries
    obs_idx: np.ndarray
    dims: Any
    total_size: Any

    @property
    def un_name(self) -> str:
        return f"{self.name}_unobserved"

    @property
    def obs_name(self) -> str:
        return f"{self.name}_observed"

    def deterministic(self, joined: T.TensorVariable) -> T.TensorVariable:
        from credo.model import Deterministic

        prefix = self.model.prefix  # Deterministic adds it again
        local = self.name[len(prefix) :] if self.name.startswith(prefix) else self.name
        return Deterministic(local, joined, dims=self.dims)


def impute(
    cls: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    missing: MissingData,
    *,
    model: Any,
    name: str,
    dims: Any,
    shape: Any,
    size: Any,
    transform: Any,
    total_size: Any = None,
) -> T.TensorVariable:
    """Register ``<name>_unobserved``, ``<name>_observed`` and the Deterministic ``<name>``
    for the distribution ``cls(*args, **kwargs)`` observed at ``missing``; return the
    Deterministic."""
    warnings.warn(
        f"Data in {name} contains missing values and will be automatically imputed from "
        "the sampling distribution.",
        ImputationWarning,
        stacklevel=3,
    )
    for n in (f"{name}_unobserved", f"{name}_observed"):
        model.check_new_name(n)
    full = cls._build(args, kwargs, shape=shape, size=size, observed=missing.values, name=name)
    flat_mask = np.ravel(missing.mask)  # the data's shape is the variable's (checked above)
    plan = _Imputation(
        model=model,
        cls=cls,
        args=args,
        kwargs=kwargs,
        full=full,
        name=name,
        data=missing.node if missing.node is not None else missing.values,
        miss_idx=np.flatnonzero(flat_mask),
        obs_idx=np.flatnonzero(~flat_mask),
        dims=dims,
        total_size=total_size,
    )
    if full.distribution.ndim_supp == 0:
        return _impute_univariate(plan, transform)
    return _impute_joint(plan)


def _impute_univariate(plan: _Imputation, transform: Any) -> T.TensorVariable:
    """Missing and observed entries are independent given the parameters: each part is the
    distribution with its parameters gathered at its own entries."""
    full = plan.full
    full_shape = tuple(full.shape)
    params = full.distribution.params
    miss_idx, obs_idx = plan.miss_idx, plan.obs_idx

    def part(idx: np.ndarray, part_name: str) -> T.TensorVariable:
        gathered = {k: _gather(v, full_shape, idx) for k, v in params.items()}
        return _rebind(full, gathered, (len(idx),), part_name)

    un = part(miss_idx, plan.un_name)
    plan.model.register_rv(un, plan.un_name, transform=transform)
    obs_part = part(obs_idx, plan.obs_name)
    if isinstance(plan.data, T.TensorVariable):
        observed: Any = T.apply(
            lambda d: jnp.reshape(d, (-1,))[obs_idx], plan.data, opname="gather"
        )
    else:
        observed = np.reshape(plan.data, (-1,))[obs_idx].astype(full.dtype)
    plan.model.register_rv(obs_part, plan.obs_name, observed=observed, total_size=plan.total_size)
    size = int(np.prod(full_shape, dtype=np.int64))

    def join(u: Any, o: Any) -> Any:
        dtype = jnp.result_type(u, o)
        flat = jnp.zeros(size, dtype).at[miss_idx].set(u).at[obs_idx].set(o)
        return jnp.reshape(flat, full_shape)

    return plan.deterministic(T.apply(join, un, obs_part, opname="impute"))


class _MissingEntries(Continuous):
    """The missing entries of a multivariate variable, flattened (shape ``(m,)``).

    Its own log-density is 0: the joint density of observed and missing entries is the
    observed part's. Its prior draws are the missing entries of a draw of the whole
    variable. The base distribution, shapes and indices travel as static parameters.
    """

    support = C.real

    @classmethod
    def logp(cls, value: Any, **_: Any) -> Any:
        return jnp.zeros(jnp.shape(value))

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, _base: Any, _idx: Any, **params: Any) -> Any:
        draw = _base.draw(rng_key, tuple(_base.shape), params)
        return jnp.reshape(draw, (-1,))[_idx]

    @classmethod
    def support_point(cls, shape: tuple, _base: Any, _idx: Any, **params: Any) -> Any:
        return jnp.reshape(_base.initial_value(params), (-1,))[_idx]

    @classmethod
    def support_check(cls, value: Any, **_: Any) -> Any:
        return jnp.isfinite(value)

    def default_transform(self) -> Any:
        return None


_ENTRIES_CLASSES: dict[type, type] = {}


def _entries_class(base: type) -> type:
    cls = _ENTRIES_CLASSES.get(base)
    if cls is None:
        cls = type(base.__name__, (_MissingEntries,), {"__module__": __name__})
        _ENTRIES_CLASSES[base] = cls
    return cls


def _impute_joint(plan: _Imputation) -> T.TensorVariable:
    """The entries of one event are coupled: ``<name>_observed`` is the distribution of
    the whole joined value, ``<name>_unobserved`` only holds the missing entries."""
    base = plan.full.distribution
    support = getattr(base.support, "name", base.support)
    if support not in ("real_vector", "real"):
        raise ModelError(
            f"variable '{plan.name}': credo imputes missing entries of real-valued "
            f"multivariate distributions only, not of {plan.cls.__name__} (support "
            f"'{support}'); drop the rows with missing values"
        )
    full_shape = tuple(plan.full.shape)
    miss_idx = plan.miss_idx
    # Named after the base distribution (for the graph and repr), behaving as _MissingEntries.
    inst: Any = object.__new__(_entries_class(plan.cls))
    inst.params = dict(base.params)
    inst.static = {"_base": base, "_idx": miss_idx}
    inst.subdists = {}
    inst.shape = (len(miss_idx),)
    inst.explicit_shape = True
    un = T.TensorVariable(
        None,
        list(base.params.values()),
        inst.shape,
        np.float64,
        name=plan.un_name,
        kind=T.RV,
        label=f"{plan.cls.__name__}('{plan.un_name}')",
    )
    un.distribution = inst
    plan.model.register_rv(un, plan.un_name, transform=None)

    def join(u: Any, d: Any) -> Any:
        flat = jnp.reshape(jnp.asarray(d), (-1,)).astype(u.dtype).at[miss_idx].set(u)
        return jnp.reshape(flat, full_shape)

    joined = plan.deterministic(T.apply(join, un, plan.data, opname="impute"))
    obs_rv = plan.cls._build(
        plan.args, plan.kwargs, shape=full_shape, size=None, observed=joined, name=plan.obs_name
    )
    plan.model.register_rv(obs_rv, plan.obs_name, observed=joined, total_size=plan.total_size)
    return joined


set_imputer(impute)
