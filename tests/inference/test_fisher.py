"""Metrics and the gradient-informed (Fisher) warm-up: exact algebra, then the schedule."""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from credo.inference import fisher, metrics, run_chains  # noqa: E402
from credo.inference.adaptation import WelfordState, welford_update  # noqa: E402
from tests.inference.mcse import check_moments  # noqa: E402


def _random_low_rank(dim, rank, seed):
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    return metrics.LowRankMetric(
        jnp.asarray(rng.uniform(0.5, 2.0, dim)),
        jnp.asarray(q[:, :rank]),
        jnp.asarray(rng.uniform(0.05, 20.0, rank)),
    )


@pytest.mark.parametrize("rank", [1, 3, 5])
def test_low_rank_metric_algebra(rank):
    metric = _random_low_rank(5, rank, rank)
    inv_mass = np.asarray(metric.matrix())
    p = np.random.default_rng(0).normal(size=5)
    np.testing.assert_allclose(metric.velocity(jnp.asarray(p)), inv_mass @ p, rtol=1e-12)
    np.testing.assert_allclose(
        metric.kinetic_energy(jnp.asarray(p)), 0.5 * p @ inv_mass @ p, rtol=1e-12
    )
    # momentum(z) = A z with A A^T = M (the mass matrix), exactly.
    a = np.stack([np.asarray(metric.momentum(jnp.asarray(e))) for e in np.eye(5)], axis=1)
    np.testing.assert_allclose(a @ a.T, np.linalg.inv(inv_mass), rtol=1e-10, atol=1e-12)


def test_metric_kinds_share_the_interface():
    imm = np.array([[2.0, 0.3], [0.3, 0.5]])
    p = jnp.array([0.7, -1.1])
    dense = metrics.dense(imm)
    np.testing.assert_allclose(dense.velocity(p), imm @ np.asarray(p))
    diag = metrics.diagonal(np.array([2.0, 0.5]))
    np.testing.assert_allclose(diag.kinetic_energy(p), 0.5 * (2.0 * 0.49 + 0.5 * 1.21))
    assert isinstance(metrics.as_metric(np.ones(2)), metrics.DiagonalMetric)
    assert isinstance(metrics.as_metric(imm), metrics.DenseMetric)


def _scatter(xs, dense):
    dim = xs.shape[1]
    state = WelfordState(jnp.zeros(()), jnp.zeros(dim), jnp.zeros((dim, dim) if dense else (dim,)))
    for x in xs:
        state = welford_update(state, jnp.asarray(x))
    return state


def test_fisher_diagonal_is_exact_for_gaussians():
    # For x ~ N(0, diag(s^2)) the gradient is -x / s^2, so var(x) / var(g) = s^4 exactly,
    # whatever the draws.
    s = np.array([0.01, 1.0, 30.0])
    x = np.random.default_rng(1).normal(size=(7, 3)) * s
    imm = fisher.fisher_diagonal(_scatter(x, False), _scatter(-x / s**2, False), jnp.ones(3))
    np.testing.assert_allclose(imm, s**2, rtol=1e-10)


def test_low_rank_estimate_recovers_a_gaussian_covariance():
    # Gradients of a Gaussian are -S^-1 x: the geometric mean of the draw scatter and the
    # inverse gradient scatter is S itself, with as few draws as dimensions.
    rng = np.random.default_rng(2)
    dim = 6
    root = rng.normal(size=(dim, dim))
    cov = root @ root.T + 0.1 * np.eye(dim)
    x = rng.multivariate_normal(np.zeros(dim), cov, size=40)
    g = -x @ np.linalg.inv(cov)
    old = metrics.LowRankMetric(jnp.ones(dim), jnp.eye(dim), jnp.ones(dim))
    metric = fisher.low_rank_metric(_scatter(x, True), _scatter(g, True), old, cutoff=1.0)
    np.testing.assert_allclose(metric.matrix(), cov, rtol=1e-3, atol=1e-4)


def test_low_rank_cutoff_keeps_the_diagonal_where_it_suffices():
    # Independent coordinates: the Fisher diagonal is exact and every eigenvalue of the
    # rescaled estimate is 1, so no direction is kept.
    s = np.array([0.1, 1.0, 10.0])
    x = np.random.default_rng(3).normal(size=(50, 3)) * s
    old = metrics.LowRankMetric(jnp.ones(3), jnp.eye(3), jnp.ones(3))
    metric = fisher.low_rank_metric(_scatter(x, True), _scatter(-x / s**2, True), old)
    np.testing.assert_allclose(metric.values, np.ones(3))
    np.testing.assert_allclose(np.diag(metric.matrix()), s**2, rtol=0.3)


def _correlated(x, precision):
    return -0.5 * x @ precision @ x


@pytest.mark.parametrize("adaptation", ["low_rank", "fisher_diag"])
def test_fisher_adaptations_sample_a_correlated_gaussian(adaptation):
    # rho = 0.99 between two of four coordinates, scales over two orders of magnitude.
    scale = np.array([0.1, 1.0, 3.0, 10.0])
    corr = np.eye(4)
    corr[1, 2] = corr[2, 1] = 0.99
    cov = corr * np.outer(scale, scale)
    start = np.random.default_rng(4).uniform(-1, 1, size=(2, 4))
    result = run_chains(_correlated, start, 21, data=np.linalg.inv(cov), adaptation=adaptation)
    check_moments(result.positions, 0.0, scale)
    steps = result.stats["n_steps"].mean()
    if adaptation == "low_rank":
        # The correlated pair is one of the kept directions: short trajectories.
        assert steps < 8
        imm = result.inverse_mass_matrix[0]
        assert abs(imm[1, 2] / np.sqrt(imm[1, 1] * imm[2, 2]) - 0.99) < 0.01
    else:
        assert steps > 8  # a diagonal metric cannot remove the correlation


def test_schedule_windows():
    # nutpie's schedule on 1000 tuning draws: switches every 10 draws before draw 300,
    # then windows of 80 growing by 1.5 while the next one fits before the last 150 draws.
    adapt = fisher.FisherAdaptation(low_rank=False)
    state = adapt.init(np.zeros(1), 0.0, np.ones(1), 1000, 0.8)
    state = state._replace(search=state.search._replace(active=np.bool_(False)))
    info = type("Info", (), {})()
    info.acceptance_rate = info.acceptance_rate_sym = jnp.asarray(0.8)
    info.diverging = jnp.bool_(False)
    info.index_in_trajectory = jnp.int32(3)

    @jax.jit
    def run(state):
        def body(state, i):
            x = jnp.sin(i * 1.0)[None]
            new = adapt.update(state, x, -x, info)
            new = new._replace(search=new.search._replace(active=jnp.bool_(False)))
            return new, new.draws_bg.count

        return jax.lax.scan(body, state, jnp.arange(1000))[1]

    counts = np.asarray(run(jax.tree.map(jnp.asarray, state)))
    switches = np.flatnonzero(np.diff(counts) < 0) + 1
    assert switches[0] == 8  # 10 draws, the initial point included
    early = switches[switches < 300]
    assert np.all(np.diff(early) == 10)
    # The window after 120 (180 draws, then one of 270) would end past draw 850: the
    # foreground then grows until the step-size-only window.
    np.testing.assert_array_equal(np.diff(switches[switches >= 298]), [80, 120])
