"""Pure-JAX special functions shared by ``credo.math`` (which lifts them to lazy nodes) and
the distributions. Arrays in, arrays out; no model knowledge."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

__all__ = ["log1mexp"]

_LOG_2 = 0.6931471805599453


def log1mexp(x: Any) -> Any:
    """log(1 - exp(-x)) for x >= 0, stably (Maechler 2012: switch at log 2).

    Both branches see only arguments where they are finite, so the gradient of the
    unused branch cannot turn the result's gradient into NaN.
    """
    near = jnp.log(-jnp.expm1(-jnp.minimum(x, _LOG_2)))
    far = jnp.log1p(-jnp.exp(-jnp.maximum(x, _LOG_2)))
    return jnp.where(x < _LOG_2, near, far)
