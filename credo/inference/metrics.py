"""Euclidean metrics: momentum draws, velocities and kinetic energy.

A metric is a NamedTuple (a pytree, so it jits, vmaps and is carried through loops) holding
the inverse mass matrix in a factorised form, computed once when the metric is built, never
per transition. Three kinds share one interface:

- :class:`DiagonalMetric`: ``M^-1 = diag(inverse_mass_matrix)``;
- :class:`DenseMetric`: ``M^-1`` dense, with its Cholesky factor;
- :class:`LowRankMetric`: ``M^-1 = D (I + U diag(values - 1) U^T) D`` with ``D = diag(scale)``
  and orthonormal ``U`` (the low-rank modified diagonal of Seyboldt et al. 2024, "If only my
  posterior were normal: introducing Fisher HMC"). Directions whose value is 1 cost nothing
  but a multiply, so ``U`` may be square with most values at 1.

Each supplies ``velocity(p) = M^-1 p`` (the "sharp" momentum also used by the U-turn
criterion), ``kinetic_energy(p) = p . M^-1 p / 2`` and ``momentum(z)``, which maps standard
normals ``z`` to ``p ~ N(0, M)``.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from credo.inference.protocols import Array

__all__ = [
    "DenseMetric",
    "DiagonalMetric",
    "LowRankMetric",
    "Metric",
    "as_metric",
    "dense",
    "diagonal",
    "kinetic_energy",
    "low_rank",
    "momentum_from_normal",
    "sample_momentum",
    "velocity",
]


class DiagonalMetric(NamedTuple):
    """inverse_mass_matrix: ``(dim,)``."""

    inverse_mass_matrix: Array

    def velocity(self, momentum: jax.Array) -> jax.Array:
        return self.inverse_mass_matrix * momentum

    def momentum(self, z: jax.Array) -> jax.Array:
        return z * jax.lax.rsqrt(self.inverse_mass_matrix)

    def kinetic_energy(self, momentum: jax.Array) -> jax.Array:
        return 0.5 * jnp.dot(momentum, self.velocity(momentum))

    def matrix(self) -> jax.Array:
        """The inverse mass matrix as the driver reports it: ``(dim,)``."""
        return self.inverse_mass_matrix


class DenseMetric(NamedTuple):
    """inverse_mass_matrix, cholesky: ``(dim, dim)``; ``M^-1 = L L^T``."""

    inverse_mass_matrix: Array
    cholesky: Array

    def velocity(self, momentum: jax.Array) -> jax.Array:
        return self.inverse_mass_matrix @ momentum

    def momentum(self, z: jax.Array) -> jax.Array:
        # As Stan's dense_e_metric::sample_p: p = L^-T z has covariance L^-T L^-1 = M.
        return jsl.solve_triangular(self.cholesky, z, lower=True, trans="T")

    def kinetic_energy(self, momentum: jax.Array) -> jax.Array:
        return 0.5 * jnp.dot(momentum, self.velocity(momentum))

    def matrix(self) -> jax.Array:
        return self.inverse_mass_matrix


class LowRankMetric(NamedTuple):
    """scale: ``(dim,)``; vectors: ``(dim, rank)`` orthonormal columns; values: ``(rank,)``.

    ``M^-1 = D (I + U diag(values - 1) U^T) D``, ``D = diag(scale)``.
    """

    scale: Array
    vectors: Array
    values: Array

    def _modify(self, x: jax.Array, weights: jax.Array) -> jax.Array:
        # x + U diag(weights) U^T x, written as products and sums rather than dots: XLA fuses
        # them into one loop, where two small dot calls per velocity would dominate a
        # leapfrog step on CPU.
        u = self.vectors
        coef = jnp.sum(u * x[:, None], axis=0) * weights
        return x + jnp.sum(u * coef[None, :], axis=1)

    def velocity(self, momentum: jax.Array) -> jax.Array:
        return self.scale * self._modify(self.scale * momentum, self.values - 1.0)

    def momentum(self, z: jax.Array) -> jax.Array:
        # (I + U (v^-1/2 - 1) U^T) z has covariance I + U (1/v - 1) U^T = D M D.
        return self._modify(z, jax.lax.rsqrt(self.values) - 1.0) / self.scale

    def kinetic_energy(self, momentum: jax.Array) -> jax.Array:
        return 0.5 * jnp.dot(momentum, self.velocity(momentum))

    def matrix(self) -> jax.Array:
        """The dense inverse mass matrix ``(dim, dim)``."""
        inner = (self.vectors * (self.values - 1.0)) @ self.vectors.T
        inner = inner + jnp.eye(self.scale.shape[0], dtype=self.scale.dtype)
        return self.scale[:, None] * inner * self.scale[None, :]


Metric = DiagonalMetric | DenseMetric | LowRankMetric


def diagonal(inverse_mass_matrix: jax.Array) -> DiagonalMetric:
    return DiagonalMetric(jnp.asarray(inverse_mass_matrix))


def dense(inverse_mass_matrix: jax.Array) -> DenseMetric:
    imm = jnp.asarray(inverse_mass_matrix)
    return DenseMetric(imm, jnp.linalg.cholesky(imm))


def low_rank(scale: jax.Array, vectors: jax.Array, values: jax.Array) -> LowRankMetric:
    return LowRankMetric(jnp.asarray(scale), jnp.asarray(vectors), jnp.asarray(values))


def as_metric(metric: Metric | jax.Array) -> Metric:
    """A metric as is, or an inverse mass matrix array: ``(dim,)`` diagonal, ``(dim, dim)``
    dense (factorised here)."""
    if isinstance(metric, DiagonalMetric | DenseMetric | LowRankMetric):
        return metric
    metric = jnp.asarray(metric)
    return diagonal(metric) if metric.ndim == 1 else dense(metric)


# Functional forms over a metric or a raw inverse mass matrix (``(dim,)`` or ``(dim, dim)``).


def velocity(momentum: jax.Array, metric: Metric | jax.Array) -> jax.Array:
    """``M^-1 p`` (Stan's ``dtau_dp``)."""
    return as_metric(metric).velocity(momentum)


def kinetic_energy(momentum: jax.Array, metric: Metric | jax.Array) -> jax.Array:
    """``p^T M^-1 p / 2``."""
    return as_metric(metric).kinetic_energy(momentum)


def momentum_from_normal(z: jax.Array, metric: Metric | jax.Array) -> jax.Array:
    """Map ``z ~ N(0, I)`` to ``p ~ N(0, M)``."""
    return as_metric(metric).momentum(z)


def sample_momentum(
    rng_key: Array, metric: Metric | jax.Array, dtype: jnp.dtype | None = None
) -> jax.Array:
    """Draw ``p ~ N(0, M)``."""
    metric = as_metric(metric)
    ref = metric[0]
    dtype = ref.dtype if dtype is None else dtype
    return metric.momentum(jax.random.normal(rng_key, (ref.shape[0],), dtype))
