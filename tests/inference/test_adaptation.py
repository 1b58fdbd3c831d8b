"""Stan's warmup: window schedule, dual averaging, Welford metric updates, step-size search."""

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from credo.inference import adaptation  # noqa: E402


@pytest.mark.parametrize(
    "num_tune, expected",
    [
        # Stan's defaults: 75 / 25, 50, 100, 200, 500 / 50.
        (1000, [(75, 100), (100, 150), (150, 250), (250, 450), (450, 950)]),
        (150, [(75, 100)]),
        (200, [(75, 100), (100, 150)]),
        (300, [(75, 100), (100, 150), (150, 250)]),
        (500, [(75, 100), (100, 150), (150, 250), (250, 450)]),
        (2000, [(75, 100), (100, 150), (150, 250), (250, 450), (450, 850), (850, 1950)]),
        # Short warmups are rescaled to 15% / 75% / 10% (truncated to integers).
        (100, [(15, 90)]),
        (30, [(4, 27)]),
        (20, [(3, 18)]),
        # No metric adaptation below 20 iterations.
        (19, []),
        (0, []),
    ],
)
def test_window_schedule_matches_stan(num_tune, expected):
    assert adaptation.slow_windows(num_tune) == expected
    schedule = adaptation.make_schedule(num_tune)
    ends = [int(e) for e in schedule.window_ends if e >= 0]
    assert ends == [stop - 1 for _, stop in expected]
    if expected:
        assert int(schedule.window_start) == expected[0][0]
        assert int(schedule.window_stop) == expected[-1][1]


def test_dual_averaging_converges():
    # Acceptance falls with the step size: exp(-step_size); the target 0.8 is met at
    # step_size = -log(0.8).
    target = 0.8

    @jax.jit
    def run(state):
        def body(state, _):
            accept = jnp.exp(-jnp.exp(state.log_step_size))
            return adaptation.dual_averaging_update(state, accept, target), None

        return jax.lax.scan(body, state, None, length=2000)[0]

    state = run(adaptation.dual_averaging_init(jnp.asarray(1.0)))
    assert float(jnp.exp(state.log_step_size_bar)) == pytest.approx(-np.log(target), rel=0.02)


def test_metric_updates_at_window_ends():
    dim, num_tune = 3, 200
    schedule = jax.tree.map(jnp.asarray, adaptation.make_schedule(num_tune))
    rng = np.random.default_rng(0)
    scale = np.array([0.1, 1.0, 10.0])
    positions = rng.normal(size=(num_tune, dim)) * scale

    @jax.jit
    def run(state, positions):
        def body(state, xs):
            i, x = xs
            state = adaptation.update(state, i, 0.8, x, schedule, 0.8)
            return state, (state.inverse_mass_matrix, state.search.active)

        return jax.lax.scan(body, state, (jnp.arange(num_tune), positions))[1]

    state = adaptation.init(dim, dense=False)
    state = state._replace(search=state.search._replace(active=np.bool_(False)))
    imm, searching = run(state, positions)
    imm, searching = np.asarray(imm), np.asarray(searching)
    # Windows [75, 100) and [100, 150): the metric changes at iterations 99 and 149 only.
    changes = np.flatnonzero(np.any(imm[1:] != imm[:-1], axis=1)) + 1
    assert changes.tolist() == [99, 149]
    np.testing.assert_array_equal(imm[:99], 1.0)
    for start, stop in [(75, 100), (100, 150)]:
        n = stop - start
        var = np.var(positions[start:stop], axis=0, ddof=1)
        expected = n / (n + 5.0) * var + 1e-3 * 5.0 / (n + 5.0)
        np.testing.assert_allclose(imm[stop - 1], expected, rtol=1e-10)
    # A step-size search starts after each update.
    assert np.flatnonzero(searching).tolist()[:1] == [99]


def test_dense_metric_update():
    dim, num_tune = 2, 150
    schedule = jax.tree.map(jnp.asarray, adaptation.make_schedule(num_tune))
    cov = np.array([[1.0, 0.9], [0.9, 2.0]])
    positions = np.random.default_rng(1).multivariate_normal(np.zeros(2), cov, size=num_tune)

    @jax.jit
    def run(state, positions):
        def body(state, xs):
            i, x = xs
            return adaptation.update(state, i, 0.8, x, schedule, 0.8), None

        return jax.lax.scan(body, state, (jnp.arange(num_tune), positions))[0]

    state = run(adaptation.init(dim, dense=True), positions)
    n = 25
    window = positions[75:100]
    expected = n / (n + 5.0) * np.cov(window.T) + 1e-3 * 5.0 / (n + 5.0) * np.eye(2)
    np.testing.assert_allclose(state.inverse_mass_matrix, expected, rtol=1e-10)


def test_step_size_search_doubles_and_halves():
    # Acceptance exp(-step_size**2): crossing 0.8 between sqrt(-log 0.8) = 0.47 and twice it.
    def search(step_size):
        state = adaptation.init(1, dense=False, initial_step_size=step_size)
        trials = 0
        while bool(state.search.active):
            eps = float(state.search.step_size)
            state = adaptation.search_update(state, jnp.exp(-(eps**2)))
            trials += 1
        return float(state.step_size), trials, state

    # From 1: acceptance 0.37 < 0.8, halve until above: 1 -> 0.5 -> 0.25 (0.94).
    eps, trials, state = search(1.0)
    assert eps == 0.25
    assert trials == 4  # direction trial, then 1, 0.5, 0.25
    # Dual averaging restarts around ten times the result.
    assert float(state.dual.mu) == pytest.approx(np.log(2.5))
    assert int(state.dual.count) == 0
    # From 0.01: acceptance near 1, double until it drops to 0.8 or below: 0.64 (0.66).
    eps, _, _ = search(0.01)
    assert eps == pytest.approx(0.64)
