"""The optimisers of ``pm.fit`` under PyMC's names, as optax gradient transformations.

``pm.adam(learning_rate=0.01)`` returns an :class:`Optimizer`: a named, hashable recipe
for an optax transformation, so a second ``fit`` with the same settings reuses the
compiled loop. Any optax ``GradientTransformation`` is accepted as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

__all__ = [
    "Optimizer",
    "sgd",
    "momentum",
    "nesterov_momentum",
    "adagrad",
    "adagrad_window",
    "rmsprop",
    "adadelta",
    "adam",
    "adamax",
    "as_optax",
]


@dataclass(frozen=True)
class Optimizer:
    """An optimiser by name and settings (PyMC's spelling); ``build()`` gives optax's."""

    name: str
    settings: tuple[tuple[str, float], ...]

    def build(self) -> Any:
        return _BUILDERS[self.name](**dict(self.settings))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.settings)
        return f"{self.name}({args})"


def _make(name: str, **settings: float) -> Optimizer:
    return Optimizer(name, tuple(sorted((k, float(v)) for k, v in settings.items())))


def sgd(learning_rate: float = 1e-3) -> Optimizer:
    return _make("sgd", learning_rate=learning_rate)


def momentum(learning_rate: float = 1e-3, momentum: float = 0.9) -> Optimizer:
    return _make("momentum", learning_rate=learning_rate, momentum=momentum)


def nesterov_momentum(learning_rate: float = 1e-3, momentum: float = 0.9) -> Optimizer:
    return _make("nesterov_momentum", learning_rate=learning_rate, momentum=momentum)


def adagrad(learning_rate: float = 1.0, epsilon: float = 1e-6) -> Optimizer:
    return _make("adagrad", learning_rate=learning_rate, epsilon=epsilon)


def adagrad_window(learning_rate: float = 1e-3, epsilon: float = 0.1, n_win: int = 10) -> Optimizer:
    """Adagrad over a moving window: each step divides by the root of the sum of the
    last ``n_win`` squared gradients (PyMC's default for ``fit``)."""
    return _make("adagrad_window", learning_rate=learning_rate, epsilon=epsilon, n_win=n_win)


def rmsprop(learning_rate: float = 1e-3, rho: float = 0.9, epsilon: float = 1e-6) -> Optimizer:
    return _make("rmsprop", learning_rate=learning_rate, rho=rho, epsilon=epsilon)


def adadelta(learning_rate: float = 1.0, rho: float = 0.95, epsilon: float = 1e-6) -> Optimizer:
    return _make("adadelta", learning_rate=learning_rate, rho=rho, epsilon=epsilon)


def adam(
    learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8
) -> Optimizer:
    return _make("adam", learning_rate=learning_rate, beta1=beta1, beta2=beta2, epsilon=epsilon)


def adamax(
    learning_rate: float = 2e-3, beta1: float = 0.9, beta2: float = 0.999, epsilon: float = 1e-8
) -> Optimizer:
    return _make("adamax", learning_rate=learning_rate, beta1=beta1, beta2=beta2, epsilon=epsilon)


class _WindowState(NamedTuple):
    squares: Any  # (n_win, *shape) per leaf
    count: Any


def _adagrad_window(learning_rate: float, epsilon: float, n_win: float) -> Any:
    import optax

    n = int(n_win)

    def init(params: Any) -> _WindowState:
        squares = jax.tree.map(lambda p: jnp.zeros((n, *jnp.shape(p)), jnp.result_type(p)), params)
        return _WindowState(squares, jnp.zeros((), jnp.int32))

    def update(grads: Any, state: _WindowState, params: Any = None) -> Any:
        slot = state.count % n
        squares = jax.tree.map(lambda s, g: s.at[slot].set(g**2), state.squares, grads)
        updates = jax.tree.map(
            lambda s, g: -learning_rate * g / jnp.sqrt(jnp.sum(s, axis=0) + epsilon),
            squares,
            grads,
        )
        return updates, _WindowState(squares, state.count + 1)

    return optax.GradientTransformation(init, update)


def _builders() -> dict[str, Any]:
    import optax

    return {
        "sgd": lambda learning_rate: optax.sgd(learning_rate),
        "momentum": lambda learning_rate, momentum: optax.sgd(learning_rate, momentum=momentum),
        "nesterov_momentum": lambda learning_rate, momentum: optax.sgd(
            learning_rate, momentum=momentum, nesterov=True
        ),
        "adagrad": lambda learning_rate, epsilon: optax.adagrad(learning_rate, eps=epsilon),
        "adagrad_window": _adagrad_window,
        "rmsprop": lambda learning_rate, rho, epsilon: optax.rmsprop(
            learning_rate, decay=rho, eps=epsilon
        ),
        "adadelta": lambda learning_rate, rho, epsilon: optax.adadelta(
            learning_rate, rho=rho, eps=epsilon
        ),
        "adam": lambda learning_rate, beta1, beta2, epsilon: optax.adam(
            learning_rate, b1=beta1, b2=beta2, eps=epsilon
        ),
        "adamax": lambda learning_rate, beta1, beta2, epsilon: optax.adamax(
            learning_rate, b1=beta1, b2=beta2, eps=epsilon
        ),
    }


class _LazyBuilders(dict):
    def __missing__(self, key: str) -> Any:
        self.update(_builders())
        return dict.__getitem__(self, key)


_BUILDERS: dict[str, Any] = _LazyBuilders()


def as_optax(optimizer: Any, what: str = "obj_optimizer") -> tuple[Any, Any]:
    """(optax transformation, cache key) for an :class:`Optimizer`, an optax
    transformation, or one of the functions above uncalled (its defaults)."""
    import optax

    if optimizer in _PUBLIC:
        optimizer = optimizer()
    if isinstance(optimizer, Optimizer):
        return optimizer.build(), optimizer
    if isinstance(optimizer, optax.GradientTransformation):
        return optimizer, ("optax", id(optimizer))
    raise TypeError(
        f"{what} must be one of credo's optimisers (pm.adam(...), pm.adagrad_window(...), "
        f"...) or an optax GradientTransformation, got {optimizer!r}"
    )


_PUBLIC = (
    sgd,
    momentum,
    nesterov_momentum,
    adagrad,
    adagrad_window,
    rmsprop,
    adadelta,
    adam,
    adamax,
)
