"""ZeroSumNormal: normal values constrained to sum to zero along their last axes."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo.distributions import constraints as C
from credo.distributions import transforms as tr
from credo.distributions._helpers import _LOG_2PI, _floats
from credo.distributions.base import Continuous, positive
from credo.errors import ParameterError, ShapeError

__all__ = ["ZeroSumNormal"]


class ZeroSumNormal(Continuous):
    """ZeroSumNormal(sigma=1, n_zerosum_axes=1, support_shape=None): z - mean(z) over each
    of the last ``n_zerosum_axes`` axes, z iid Normal(0, sigma).

    The density is with respect to the zero-sum subspace (dimension prod(n_i - 1) per
    batch element), on which the values are isotropic normal with sd ``sigma``:
    log p(x) = -|x|^2 / (2 sigma^2) - D (log sigma + log(2 pi) / 2). The event shape comes
    from ``shape=``/``dims=`` (or ``support_shape``); ``sigma`` is one scalar per batch
    element. The default transform is :class:`ZeroSumTransform`.
    """

    transform_doc = "zerosum (over the zero-sum axes)"

    param_names = ("sigma",)
    aliases = {"sd": "sigma"}
    defaults = {"sigma": 1.0}
    param_checks = {"sigma": (positive, "positive")}
    static_params = ("n_zerosum_axes", "support_shape")
    support = C.zero_sum

    @classmethod
    def standardize(cls, given: dict, static: dict) -> dict:
        n = static.get("n_zerosum_axes", 1)
        if not isinstance(n, int | np.integer) or n < 1:
            raise ParameterError(f"ZeroSumNormal: n_zerosum_axes must be an int >= 1, got {n!r}")
        static["n_zerosum_axes"] = int(n)
        if static.get("support_shape") is not None:
            static["support_shape"] = tuple(int(s) for s in np.atleast_1d(static["support_shape"]))
        return _floats(given)

    def _post_init(self, label: str) -> None:
        self.ndim_supp = self.static["n_zerosum_axes"]

    def batch_and_event(self, shapes: dict, sub_shapes: dict) -> tuple[tuple, tuple | None]:
        ss = self.static.get("support_shape")
        return tuple(shapes["sigma"]), (None if ss is None else ss)

    def check_event(self, event: tuple[int, ...], label: str) -> tuple[int, ...]:
        if any(n < 2 for n in event):
            raise ShapeError(
                f"{label}: each zero-sum axis needs length >= 2, got the event shape {event}"
            )
        return event

    def default_transform(self) -> tr.Transform:
        n = self.static["n_zerosum_axes"]
        return tr.ZeroSumTransform(list(range(-n, 0)))

    @classmethod
    def support_check(cls, value: Any, sigma: Any, n_zerosum_axes: int, **_: Any) -> Any:
        axes = tuple(range(-n_zerosum_axes, 0))
        scale = 1.0 + jnp.max(jnp.abs(value), axis=axes)
        ok = jnp.all(jnp.isfinite(value), axis=axes)
        for ax in axes:
            s = jnp.max(jnp.abs(jnp.sum(value, axis=ax, keepdims=True)), axis=axes)
            ok = ok & (s <= C.sum_tolerance(value) * scale * value.shape[ax])
        return ok

    @classmethod
    def logp(cls, value: Any, sigma: Any, n_zerosum_axes: int, **_: Any) -> Any:
        axes = tuple(range(-n_zerosum_axes, 0))
        dim = int(np.prod([value.shape[a] - 1 for a in axes]))
        sq = jnp.sum(value**2, axis=axes)
        return -0.5 * sq / sigma**2 - dim * (jnp.log(sigma) + 0.5 * _LOG_2PI)

    @classmethod
    def sample(cls, rng_key: Any, shape: tuple, sigma: Any, n_zerosum_axes: int, **_: Any) -> Any:
        nd = n_zerosum_axes
        s = jnp.reshape(
            jnp.broadcast_to(sigma, shape[: len(shape) - nd]), shape[: len(shape) - nd] + (1,) * nd
        )
        z = s * jax.random.normal(rng_key, shape)
        for ax in range(-nd, 0):
            z = z - jnp.mean(z, axis=ax, keepdims=True)
        return z

    @classmethod
    def support_point(cls, shape: tuple, sigma: Any, **_: Any) -> Any:
        return jnp.zeros(shape)
