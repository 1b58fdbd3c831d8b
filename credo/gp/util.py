"""Numerical helpers of the GP module: jitter, Cholesky factors, evaluation at a point,
Kronecker algebra, inducing points and PyMC's ``plot_gp_dist``."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from credo.model import tensor as T

__all__ = [
    "JITTER_DEFAULT",
    "stabilize",
    "cholesky",
    "solve_lower",
    "solve_upper",
    "cartesian",
    "kron_dot",
    "kron_diag",
    "replace_with_values",
    "kmeans_inducing_points",
    "plot_gp_dist",
]

JITTER_DEFAULT = 1e-6


def stabilize(K: Any, jitter: float = JITTER_DEFAULT) -> Any:
    """K + jitter * I (lazy when K is a node): the small diagonal shift that keeps a
    covariance numerically positive definite, as PyMC adds it."""
    if T.is_node(K):
        return T.apply(lambda k: _add_jitter(k, jitter), K, opname="stabilize")
    return np.asarray(K) + jitter * np.eye(np.shape(K)[-1])


def _add_jitter(k: Any, jitter: float) -> Any:
    return k + jitter * jnp.eye(k.shape[-1], dtype=k.dtype)


def cholesky(K: Any) -> Any:
    """The lower Cholesky factor (jax)."""
    return jnp.linalg.cholesky(K)


def robust_cholesky(K: Any) -> Any:
    """The lower Cholesky factor of a covariance that may be positive semi-definite up to
    rounding (a conditional covariance ``Kss - A^T A``): if the plain factor has non-finite
    entries, factor ``K + eps I`` with eps a small multiple of the mean diagonal instead."""
    L = jnp.linalg.cholesky(K)
    scale = jnp.mean(jnp.abs(jnp.diagonal(K))) + 1e-300
    eye = jnp.eye(K.shape[-1], dtype=K.dtype)

    def retry(rel: float) -> Any:
        return lambda L: jax.lax.cond(
            jnp.all(jnp.isfinite(L)),
            lambda: L,
            lambda: jnp.linalg.cholesky(K + rel * scale * eye),
        )

    for rel in (1e-8, 1e-6, 1e-4):
        L = retry(rel)(L)
    return L


def solve_lower(L: Any, b: Any) -> Any:
    return jax.scipy.linalg.solve_triangular(L, b, lower=True)


def solve_upper(U: Any, b: Any) -> Any:
    return jax.scipy.linalg.solve_triangular(U, b, lower=False)


def cartesian(*arrays: Any) -> np.ndarray:
    """All combinations of the rows of the arrays, the last varying fastest: (prod n_i, sum d_i).
    Each array is (n_i,) or (n_i, d_i)."""
    arrs = [np.asarray(a, dtype=float) for a in arrays]
    arrs = [a[:, None] if a.ndim == 1 else a for a in arrs]
    idx = np.indices([len(a) for a in arrs]).reshape(len(arrs), -1)
    return np.hstack([a[i] for a, i in zip(arrs, idx)])


def kron_dot(mats: list[Any], m: Any) -> Any:
    """kron(mats[0], mats[1], ...) @ m without forming the Kronecker product (jax); m: (N,)
    or (N, k) with N the product of the factors' sizes."""
    vec = m.ndim == 1
    x = m[:, None] if vec else m
    k = x.shape[1]
    sizes = [a.shape[1] for a in mats]
    x = jnp.reshape(x, (*sizes, k))
    for i, a in enumerate(mats):
        x = jnp.moveaxis(jnp.tensordot(a, x, axes=([1], [i])), 0, i)
    out = jnp.reshape(x, (-1, k))
    return out[:, 0] if vec else out


def kron_diag(*diags: Any) -> Any:
    """The diagonal of kron(diag(d0), diag(d1), ...) (jax)."""
    out = diags[0]
    for d in diags[1:]:
        out = jnp.ravel(out[:, None] * d[None, :])
    return out


def replace_with_values(vars_needed: list[Any], replacements: Any = None, model: Any = None):
    """The values (numpy) of lazy expressions at a point: ``replacements`` maps the names of
    the free variables they depend on to values (a ``find_MAP`` result, one posterior draw,
    ``model.initial_point()``); without it, the model's initial point is used."""
    from credo.model import modelcontext

    nodes = [v for v in vars_needed if T.is_node(v)]
    order = T.toposort(nodes)
    free = [n for n in order if n.kind == T.RV and n.observed is None]
    if replacements is None and free:
        replacements = modelcontext(model).initial_point()
    replacements = dict(replacements or {})
    missing = [n.name for n in free if n.name not in replacements]
    if missing:
        raise ValueError(
            f"the point has no values of {missing}, which the expression depends on; it has "
            f"{sorted(replacements)}"
        )
    env = {n: jnp.asarray(np.asarray(replacements[n.name]), dtype=n.dtype) for n in free}
    vals = T.evaluate(vars_needed, env, order)
    return [np.asarray(v) for v in vals]


def kmeans_inducing_points(n_inducing: int, X: Any, **kmeans_kwargs: Any) -> np.ndarray:
    """``n_inducing`` inducing point locations (n_inducing, d): the centres of a k-means
    clustering of X's rows (columns scaled to unit spread for the clustering)."""
    from scipy.cluster.vq import kmeans

    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if not isinstance(n_inducing, int | np.integer) or not 0 < n_inducing <= X.shape[0]:
        raise ValueError(
            f"n_inducing must be an integer between 1 and the number of points {X.shape[0]}, "
            f"got {n_inducing!r}"
        )
    scaling = np.std(X, axis=0)
    scaling[scaling <= 1e-6] = 1.0
    kmeans_kwargs.setdefault("seed", 0)
    centres, _ = kmeans(X / scaling, int(n_inducing), **kmeans_kwargs)
    return centres * scaling


def plot_gp_dist(
    ax: Any,
    samples: Any,
    x: Any,
    plot_samples: bool = True,
    palette: str = "Reds",
    fill_alpha: float = 0.8,
    samples_alpha: float = 0.1,
    fill_kwargs: dict[str, Any] | None = None,
    samples_kwargs: dict[str, Any] | None = None,
) -> Any:
    """Plot percentile bands of GP draws ``samples`` (n_draws, n_x) over ``x`` (n_x,) on a
    matplotlib axis, darker towards the median, and a few draws; returns the axis."""
    import matplotlib.pyplot as plt

    fill_kwargs = fill_kwargs or {}
    samples_kwargs = samples_kwargs or {}
    samples = np.asarray(samples)
    if samples.ndim > 2:  # (chain, draw, n) from a posterior: flatten the draws
        samples = samples.reshape(-1, samples.shape[-1])
    x = np.asarray(x).ravel()
    if samples.shape[1] != x.size:
        raise ValueError(
            f"plot_gp_dist: samples have {samples.shape[1]} columns but x has {x.size} values"
        )
    cmap = plt.get_cmap(palette)
    percs = np.linspace(51, 99, 40)
    colors = (percs - np.min(percs)) / (np.max(percs) - np.min(percs))
    for i, p in enumerate(percs[::-1]):
        upper = np.percentile(samples, p, axis=0)
        lower = np.percentile(samples, 100 - p, axis=0)
        color_val = colors[i]
        ax.fill_between(x, upper, lower, color=cmap(color_val), alpha=fill_alpha, **fill_kwargs)
    if plot_samples:
        idx = np.random.default_rng(0).choice(samples.shape[0], min(30, samples.shape[0]), False)
        ax.plot(x, samples[idx, :].T, color=cmap(0.9), lw=1, alpha=samples_alpha, **samples_kwargs)
    return ax
