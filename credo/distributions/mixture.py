"""Mixtures: Mixture (of any components), NormalMixture.

``Mixture(w, comp_dists)``: ``comp_dists`` is either a list of K distributions (each of the
mixture's shape), or one distribution whose axis ``-1 - ndim_supp`` holds the K components
(``pm.Normal.dist(mu=[0, 5], sigma=1)`` for two univariate components). ``w`` (..., K)
are the weights (non-negative, summing to one along the last axis).
"""

from __future__ import annotations

from typing import Any, ClassVar

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import logsumexp

from credo import tensor as T
from credo.distributions import constraints as C
from credo.distributions import transforms as tr
from credo.distributions.base import BoundDist, Distribution
from credo.errors import ParameterError, ShapeError

__all__ = ["Mixture", "NormalMixture"]


def _weights_ok(w: Any) -> Any:
    total = w.sum(axis=-1, keepdims=True)
    return (w >= 0) & (w <= 1) & (abs(total - 1.0) <= 1e-6)


def _components(comp: Any) -> list[BoundDist]:
    return comp if isinstance(comp, list) else [comp]


class Mixture(Distribution):
    """Mixture(w, comp_dists): density sum_k w_k p_k(x).

    Univariate or multivariate components (all of the same event rank); discrete
    components give a discrete mixture. The default transform is the components' when
    they share one, else none.
    """

    transform_doc = "the components' (when they share one)"
    support_doc = "the components'"

    param_names = ("w",)
    positional: ClassVar[tuple[str, ...] | None] = ("w", "comp_dists")
    dist_params = ("comp_dists",)
    param_ndims = {"w": 1}
    param_checks = {"w": (_weights_ok, "non-negative weights summing to 1 along the last axis")}
    support = C.unconstrained

    def _post_init(self, label: str) -> None:
        if "comp_dists" not in self.subdists:
            raise ParameterError(f"{label}: missing the parameter 'comp_dists'")
        is_list, comps = self.subdists["comp_dists"]
        nds = {int(c.ndim_supp) for c in comps}
        if len(nds) != 1:
            raise ParameterError(f"{label}: the components must all have the same event rank")
        self.ndim_supp = nds.pop()
        discrete = {bool(c.discrete) for c in comps}
        if len(discrete) != 1:
            raise ParameterError(f"{label}: mix either discrete or continuous components")
        self.discrete = discrete.pop()
        w_shape = np.shape(self.params["w"]) if not _is_node(self.params["w"]) else None
        w_shape = self.params["w"].shape if w_shape is None else w_shape
        k = len(comps) if is_list else _k_axis(comps[0].shape, self.ndim_supp, label)
        if not w_shape or w_shape[-1] != k:
            raise ShapeError(
                f"{label}: w has shape {tuple(w_shape)} but there are {k} components "
                "(w's last axis must have one weight per component)"
            )

    def value_dtype(self) -> Any:
        return np.int64 if self.discrete else np.float64

    def batch_and_event(self, shapes: dict, sub_shapes: dict) -> tuple[tuple, tuple]:
        is_list = self.subdists["comp_dists"][0]
        nd = self.ndim_supp
        comp_shapes = [tuple(s) for s in sub_shapes["comp_dists"]]
        if is_list:
            cshape = np.broadcast_shapes(*comp_shapes)
            batch, event = cshape[: len(cshape) - nd], cshape[len(cshape) - nd :]
        else:
            cshape = comp_shapes[0]
            batch, event = cshape[: len(cshape) - nd - 1], cshape[len(cshape) - nd :]
        batch = np.broadcast_shapes(tuple(batch), tuple(shapes["w"][:-1]))
        return tuple(batch), tuple(event)

    def default_transform(self) -> tr.Transform | None:
        if self.discrete:
            return None
        comps = self.subdists["comp_dists"][1]
        found = [c.default_transform() for c in comps]
        first = found[0]
        if first is None or any(type(t) is not type(first) for t in found):
            return None
        if first.inputs:
            # Bounds given by parameters: shared only when they are the same constants.
            for t in found[1:]:
                assert t is not None  # same type as first
                for a, b in zip(t.inputs, first.inputs):
                    if _is_node(a) or _is_node(b) or not np.array_equal(a, b):
                        return None
        return first

    @classmethod
    def support_check(cls, value: Any, **params: Any) -> Any:
        return jnp.ones((), bool)

    @classmethod
    def _component_values(cls, fn: str, value: Any, comp_dists: Any) -> Any:
        """(..., K) of each component's ``fn`` (logp or logcdf) at ``value``."""
        comps = _components(comp_dists)
        if isinstance(comp_dists, list):
            return jnp.stack([getattr(c, fn)(value) for c in comps], axis=-1)
        nd = comps[0].ndim_supp
        v = jnp.expand_dims(value, axis=jnp.ndim(value) - nd)
        out = getattr(comps[0], fn)(v)
        return out

    @classmethod
    def logp(cls, value: Any, w: Any, comp_dists: Any) -> Any:
        lps = cls._component_values("logp", value, comp_dists)
        return logsumexp(jnp.log(w) + lps, axis=-1)

    @classmethod
    def logcdf(cls, value: Any, w: Any, comp_dists: Any) -> Any:
        lcs = cls._component_values("logcdf", value, comp_dists)
        return logsumexp(jnp.log(w) + lcs, axis=-1)

    @classmethod
    def _all_components(cls, shape: tuple, comp_dists: Any, fn: Any) -> Any:
        """(batch..., K, event...) of ``fn(component, key_index, shape)``."""
        comps = _components(comp_dists)
        nd = comps[0].ndim_supp
        batch = tuple(shape[: len(shape) - nd])
        event = tuple(shape[len(shape) - nd :])
        if isinstance(comp_dists, list):
            parts = [fn(c, i, batch + event) for i, c in enumerate(comps)]
            return jnp.stack(parts, axis=len(batch))
        k = comps[0].shape[len(comps[0].shape) - nd - 1]
        return fn(comps[0], 0, batch + (k,) + event)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, w: Any, comp_dists: Any) -> Any:
        comps = _components(comp_dists)
        nd = comps[0].ndim_supp
        batch = tuple(shape[: len(shape) - nd])
        k_idx, k_comp = jax.random.split(rng_key)
        logw = jnp.broadcast_to(jnp.log(w), batch + (jnp.shape(w)[-1],))
        idx = jax.random.categorical(k_idx, logw, axis=-1)
        draws = cls._all_components(
            shape, comp_dists, lambda c, i, s: c.sample(jax.random.fold_in(k_comp, i), s)
        )
        sel = jnp.reshape(idx, batch + (1,) + (1,) * nd)
        return jnp.take_along_axis(draws, sel, axis=len(batch)).squeeze(len(batch))

    @classmethod
    def support_point(cls, shape: tuple, w: Any, comp_dists: Any) -> Any:
        comps = _components(comp_dists)
        nd = comps[0].ndim_supp
        pts = cls._all_components(shape, comp_dists, lambda c, i, s: c.support_point(s))
        wb = jnp.reshape(w, jnp.shape(w) + (1,) * nd)
        mean = jnp.sum(wb * pts, axis=len(shape) - nd)
        if comps[0].discrete:
            return jnp.round(mean).astype(int)
        return mean


def _is_node(x: Any) -> bool:
    return isinstance(x, T.TensorVariable)


def _k_axis(shape: tuple, nd: int, label: str) -> int:
    if len(shape) < nd + 1:
        raise ShapeError(
            f"{label}: a single comp_dists needs an axis of components before its event "
            f"dims; it has shape {tuple(shape)}"
        )
    return int(shape[len(shape) - nd - 1])


class NormalMixture(Mixture):
    """NormalMixture(w, mu, sigma): a mixture of Normal(mu_k, sigma_k); ``sd=``, ``tau=``."""

    param_names = ("w",)
    positional = ("w", "mu", "sigma")
    aliases = {"sd": "sigma"}
    alt_params = ("mu", "sigma", "tau", "comp_shape")
    dist_params = ("comp_dists",)

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        from credo.distributions.normal import Normal

        if "mu" not in given:
            raise ParameterError("NormalMixture: missing the parameter 'mu'")
        given.pop("comp_shape", None)
        kw = {k: given.pop(k) for k in ("mu", "sigma", "tau") if k in given}
        mu = T.as_tensor(kw["mu"])
        shapes = [np.shape(given["w"]) if not _is_node(given["w"]) else given["w"].shape]
        shapes += [T.as_tensor(v).shape for v in kw.values()]
        comp_shape = tuple(np.broadcast_shapes(*[tuple(s) for s in shapes]))
        del mu
        given["comp_dists"] = Normal.dist(**kw, shape=comp_shape)
        return given
