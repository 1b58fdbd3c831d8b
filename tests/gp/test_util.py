"""pm.gp.util: cartesian, Kronecker products, inducing points, plot_gp_dist, stabilize."""

import jax.numpy as jnp
import numpy as np
import pytest

import credo as pm
from credo.gp.util import kron_diag, kron_dot, robust_cholesky

RNG = np.random.default_rng(5)


def test_cartesian_and_kron_helpers():
    a, b = np.array([0.0, 1.0]), np.array([[5.0], [6.0], [7.0]])
    grid = pm.gp.util.cartesian(a, b)
    np.testing.assert_array_equal(grid, [[0, 5], [0, 6], [0, 7], [1, 5], [1, 6], [1, 7]])
    A, B = RNG.normal(size=(2, 2)), RNG.normal(size=(3, 3))
    v = RNG.normal(size=6)
    M = RNG.normal(size=(6, 4))
    np.testing.assert_allclose(kron_dot([A, B], jnp.asarray(v)), np.kron(A, B) @ v, rtol=1e-12)
    np.testing.assert_allclose(kron_dot([A, B], jnp.asarray(M)), np.kron(A, B) @ M, rtol=1e-12)
    d1, d2 = RNG.normal(size=2), RNG.normal(size=3)
    np.testing.assert_allclose(kron_diag(jnp.asarray(d1), jnp.asarray(d2)), np.kron(d1, d2))


def test_stabilize_and_robust_cholesky():
    K = np.ones((3, 3))  # rank one: the plain factor fails
    np.testing.assert_allclose(pm.gp.util.stabilize(K, 1e-3), K + 1e-3 * np.eye(3))
    L = np.asarray(robust_cholesky(jnp.asarray(K)))
    assert np.all(np.isfinite(L))
    np.testing.assert_allclose(L @ L.T, K, atol=1e-3)


def test_kmeans_inducing_points():
    X = np.concatenate([RNG.normal(0, 0.1, 50), RNG.normal(5, 0.1, 50)])[:, None]
    Xu = pm.gp.util.kmeans_inducing_points(2, X)
    assert Xu.shape == (2, 1)
    np.testing.assert_allclose(np.sort(Xu[:, 0]), [0.0, 5.0], atol=0.1)
    with pytest.raises(ValueError, match="n_inducing"):
        pm.gp.util.kmeans_inducing_points(0, X)


def test_plot_gp_dist():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 20)
    out = pm.gp.util.plot_gp_dist(ax, RNG.normal(size=(40, 20)), x)
    assert out is ax and len(ax.collections) == 40  # one band per percentile
    with pytest.raises(ValueError, match="columns"):
        pm.gp.util.plot_gp_dist(ax, RNG.normal(size=(40, 20)), x[:5])
    plt.close(fig)
