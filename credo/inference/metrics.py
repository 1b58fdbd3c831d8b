"""Euclidean metrics: kinetic energy, momentum draws and velocities.

The metric is given by its inverse mass matrix: a ``(dim,)`` vector for a diagonal metric,
a ``(dim, dim)`` matrix for a dense one. The kind is read from ``inverse_mass_matrix.ndim``,
which is static under ``jit``.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

__all__ = ["kinetic_energy", "momentum_from_normal", "sample_momentum", "velocity"]


def velocity(momentum: jax.Array, inverse_mass_matrix: jax.Array) -> jax.Array:
    """``M^-1 p`` (Stan's ``dtau_dp``, the "sharp" momentum)."""
    if inverse_mass_matrix.ndim == 1:
        return inverse_mass_matrix * momentum
    return inverse_mass_matrix @ momentum


def kinetic_energy(momentum: jax.Array, inverse_mass_matrix: jax.Array) -> jax.Array:
    """``p^T M^-1 p / 2``."""
    return 0.5 * jnp.dot(momentum, velocity(momentum, inverse_mass_matrix))


def sample_momentum(
    rng_key: jax.Array, inverse_mass_matrix: jax.Array, dtype: jnp.dtype | None = None
) -> jax.Array:
    """Draw ``p ~ N(0, M)`` with ``M`` the mass matrix."""
    dim = inverse_mass_matrix.shape[0]
    dtype = inverse_mass_matrix.dtype if dtype is None else dtype
    return momentum_from_normal(jax.random.normal(rng_key, (dim,), dtype), inverse_mass_matrix)


def momentum_from_normal(z: jax.Array, inverse_mass_matrix: jax.Array) -> jax.Array:
    """Map ``z ~ N(0, I)`` to ``p ~ N(0, M)``.

    Dense case as Stan's ``dense_e_metric::sample_p``: with ``M^-1 = L L^T`` (Cholesky),
    ``p = L^-T z`` has covariance ``L^-T L^-1 = M``; this needs no explicit inverse.
    """
    if inverse_mass_matrix.ndim == 1:
        return z * jax.lax.rsqrt(inverse_mass_matrix)
    chol = jnp.linalg.cholesky(inverse_mass_matrix)
    return jsl.solve_triangular(chol, z, lower=True, trans="T")
