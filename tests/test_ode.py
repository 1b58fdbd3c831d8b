"""pm.ode.DifferentialEquation: solutions against closed forms, gradients against closed-form
derivatives and finite differences, a posterior against quadrature, predictive sampling and
the errors for bad input."""

from __future__ import annotations

import subprocess
import sys

import diffrax
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import credo as pm
from credo.errors import ShapeError
from credo.sampling.diagnostics import rhat
from tests.inference.mcse import ess

TIMES = np.linspace(0.5, 4.0, 8)
# Tight tolerances where a test compares with closed forms: the global error of an adaptive
# solve is then ~1e-9 relative, so an agreement to 1e-6 leaves three orders of margin.
TIGHT = {"rtol": 1e-10, "atol": 1e-10}
CLOSE = 1e-6


def decay(y: jax.Array, t: jax.Array, p: jax.Array) -> jax.Array:
    return -p[0] * y[0]


def oscillator(y: jax.Array, t: jax.Array, p: jax.Array) -> list[jax.Array]:
    # x'' = -omega^2 x as (x, v)
    return [y[1], -(p[0] ** 2) * y[0]]


def oscillator_exact(x0: float, v0: float, omega: float, t: np.ndarray) -> np.ndarray:
    x = x0 * np.cos(omega * t) + v0 / omega * np.sin(omega * t)
    v = -x0 * omega * np.sin(omega * t) + v0 * np.cos(omega * t)
    return np.stack([x, v], axis=-1)


ADJOINTS = {
    "forward": diffrax.ForwardMode(),
    "checkpoint": diffrax.RecursiveCheckpointAdjoint(),
}


# -- solutions ------------------------------------------------------------------------------
def test_exponential_decay_closed_form() -> None:
    ode = pm.ode.DifferentialEquation(decay, TIMES, n_states=1, n_theta=1, **TIGHT)
    out = ode(y0=[2.0], theta=[0.7])
    assert out.shape == (len(TIMES), 1)  # PyMC's (n_times, n_states), also for one state
    np.testing.assert_allclose(out.eval()[:, 0], 2.0 * np.exp(-0.7 * TIMES), rtol=CLOSE)


def test_default_tolerances_accuracy() -> None:
    """The defaults (rtol = atol = 1e-6) keep the oscillator's error near the tolerance."""
    ode = pm.ode.DifferentialEquation(oscillator, TIMES, n_states=2, n_theta=1)
    got = ode(y0=[1.0, 0.5], theta=[1.3]).eval()
    _assert_default_accuracy(got, oscillator_exact(1.0, 0.5, 1.3, TIMES))


def test_harmonic_oscillator_with_t0_and_first_time_at_t0() -> None:
    t0 = 1.0
    times = np.array([1.0, 1.5, 2.0, 2.0, 4.0])  # times[0] == t0 and a repeated time
    ode = pm.ode.DifferentialEquation(oscillator, times, n_states=2, n_theta=1, t0=t0, **TIGHT)
    got = ode(y0=np.array([1.0, -0.5]), theta=[2.0]).eval()
    assert got.shape == (5, 2)
    np.testing.assert_allclose(got, oscillator_exact(1.0, -0.5, 2.0, times - t0), atol=CLOSE)


def test_kvaerno5_on_a_stiff_system() -> None:
    """y' = -lam (y - cos t), lam = 1e3: stiff; the exact solution is known."""
    lam = 1000.0

    def stiff(y: jax.Array, t: jax.Array, p: jax.Array) -> jax.Array:
        return -p[0] * (y[0] - jnp.cos(t))

    times = np.linspace(0.1, 5.0, 6)
    ode = pm.ode.DifferentialEquation(
        stiff,
        times,
        n_states=1,
        n_theta=1,
        solver=diffrax.Kvaerno5(),
        rtol=1e-8,
        atol=1e-8,
        max_steps=1000,
    )
    got = ode(y0=[0.0], theta=[lam]).eval()[:, 0]
    c = lam / (lam**2 + 1)
    exact = c * (lam * np.cos(times) + np.sin(times)) - c * lam * np.exp(-lam * times)
    np.testing.assert_allclose(got, exact, rtol=CLOSE)
    # Kvaerno5 takes ~250 steps; Tsit5 ~2500 at the same tolerances: it hits the bound, NaN.
    explicit = pm.ode.DifferentialEquation(
        stiff, times, n_states=1, n_theta=1, rtol=1e-8, atol=1e-8, max_steps=1000
    )
    assert np.all(np.isnan(explicit(y0=[0.0], theta=[lam]).eval()))


def test_no_parameters() -> None:
    ode = pm.ode.DifferentialEquation(lambda y, t, p: -y, TIMES, n_states=1, n_theta=0, **TIGHT)
    np.testing.assert_allclose(ode(y0=[3.0]).eval()[:, 0], 3 * np.exp(-TIMES), rtol=CLOSE)


# -- gradients ------------------------------------------------------------------------------
@pytest.mark.parametrize("adjoint", list(ADJOINTS))
def test_gradients_against_closed_form_and_finite_differences(adjoint: str) -> None:
    ode = pm.ode.DifferentialEquation(
        oscillator, TIMES, n_states=2, n_theta=1, adjoint=ADJOINTS[adjoint], **TIGHT
    )
    w = np.linspace(-1.0, 1.0, 2 * len(TIMES)).reshape(len(TIMES), 2)

    def loss(y0: jax.Array, theta: jax.Array) -> jax.Array:
        return jnp.sum(w * ode._solve(y0, theta))

    y0, theta = np.array([1.0, 0.5]), np.array([1.3])
    g_y0, g_theta = jax.jit(jax.grad(loss, argnums=(0, 1)))(y0, theta)

    # d y / d y0 is linear in the closed form; d / d omega by central differences of it.
    exact = lambda x0, v0, om: np.sum(w * oscillator_exact(x0, v0, om, TIMES))
    h = 1e-6
    fd = lambda f, x: (f(x + h) - f(x - h)) / (2 * h)
    np.testing.assert_allclose(
        g_y0,
        [fd(lambda a: exact(a, 0.5, 1.3), 1.0), fd(lambda b: exact(1.0, b, 1.3), 0.5)],
        rtol=CLOSE,
    )
    np.testing.assert_allclose(g_theta, [fd(lambda o: exact(1.0, 0.5, o), 1.3)], rtol=CLOSE)

    # And against finite differences of the solver itself (step 1e-4: the truncation error
    # ~1e-8 dominates the solver's 1e-10 noise divided by the step).
    h2 = 1e-4
    num = [(loss(y0 + h2 * e, theta) - loss(y0 - h2 * e, theta)) / (2 * h2) for e in np.eye(2)] + [
        (loss(y0, theta + h2) - loss(y0, theta - h2)) / (2 * h2)
    ]
    np.testing.assert_allclose(np.r_[g_y0, g_theta], np.ravel(num), rtol=1e-5)


def test_forward_mode_hessian_and_sensitivities() -> None:
    """Forward mode gives second derivatives (find_MAP's Hessian) and PyMC's return_sens."""
    ode = pm.ode.DifferentialEquation(decay, TIMES, n_states=1, n_theta=1, **TIGHT)
    hess = jax.hessian(lambda th: jnp.sum(ode._solve(jnp.array([2.0]), th)))(jnp.array([0.7]))
    exact = np.sum(2.0 * TIMES**2 * np.exp(-0.7 * TIMES))
    np.testing.assert_allclose(hess[0, 0], exact, rtol=CLOSE)

    states, sens = ode(y0=[2.0], theta=[0.7], return_sens=True)
    assert sens.shape == (len(TIMES), 1, 2)
    s = sens.eval()
    np.testing.assert_allclose(s[:, 0, 0], np.exp(-0.7 * TIMES), rtol=CLOSE)
    np.testing.assert_allclose(s[:, 0, 1], -2.0 * TIMES * np.exp(-0.7 * TIMES), rtol=CLOSE)


def test_default_adjoint_by_size() -> None:
    small = pm.ode.DifferentialEquation(decay, TIMES, n_states=1, n_theta=1)
    assert isinstance(small.adjoint, diffrax.ForwardMode)
    n = pm.ode.FORWARD_MODE_MAX
    big = pm.ode.DifferentialEquation(lambda y, t, p: -p * y, TIMES, n_states=n, n_theta=n)
    assert isinstance(big.adjoint, diffrax.RecursiveCheckpointAdjoint)


# -- in models ------------------------------------------------------------------------------
def _decay_data() -> tuple[np.ndarray, np.ndarray, float]:
    times = np.linspace(0.25, 3.0, 12)
    rng = np.random.default_rng(3)
    sigma = 0.1
    y = 2.0 * np.exp(-0.8 * times) + sigma * rng.normal(size=times.size)
    return times, y, sigma


def _quadrature_moments(times: np.ndarray, y: np.ndarray, sigma: float) -> np.ndarray:
    """Exact posterior means and sds of (y0, k) on a fine grid: y0 ~ N(2, 1), k ~ HN(1)."""
    y0 = np.linspace(0.8, 3.3, 801)[:, None]
    k = np.linspace(0.2, 1.8, 801)[None, :]
    mu = y0[..., None] * np.exp(-k[..., None] * times)
    logp = -0.5 * np.sum(((y - mu) / sigma) ** 2, axis=-1)
    logp += -0.5 * (y0 - 2.0) ** 2 - 0.5 * k**2
    p = np.exp(logp - logp.max())
    p /= p.sum()
    # The grid holds the whole posterior: its edges carry no mass.
    assert max(p[0].sum(), p[-1].sum(), p[:, 0].sum(), p[:, -1].sum()) < 1e-12
    m = np.array([np.sum(p * y0), np.sum(p * k)])
    sd = np.sqrt(np.array([np.sum(p * y0**2), np.sum(p * k**2)]) - m**2)
    return np.stack([m, sd])


def _assert_default_accuracy(got: np.ndarray, exact: np.ndarray) -> None:
    # The default controller bounds each step's error by atol + rtol |y| (1e-6 each); the
    # global error over a few dozen steps stays within 100 times that.
    bound = 100 * (1e-6 + 1e-6 * np.abs(exact))
    assert np.all(np.abs(got - exact) <= bound), np.max(np.abs(got - exact) / bound)


def test_posterior_matches_quadrature_and_predictive() -> None:
    times, y, sigma = _decay_data()
    ode = pm.ode.DifferentialEquation(decay, times, n_states=1, n_theta=1)
    with pm.Model() as model:
        y0 = pm.Normal("y0", 2.0, 1.0)
        k = pm.HalfNormal("k", 1.0)
        curve = ode(y0=[y0], theta=[k])
        pm.Deterministic("curve", curve[:, 0])
        pm.Normal("y", mu=curve[:, 0], sigma=sigma, observed=y)
        idata = pm.sample(500, tune=500, chains=2, random_seed=11, progressbar=False)
    post = idata["posterior"]
    (m_y0, m_k), (sd_y0, sd_k) = _quadrature_moments(times, y, sigma)
    for name, mean, sd in (("y0", m_y0, sd_y0), ("k", m_k, sd_k)):
        x = post[name].values
        mcse = x.std() / np.sqrt(ess(x))
        assert abs(x.mean() - mean) < 4 * mcse, (name, x.mean(), mean, mcse)
        # sd within its 4-sigma Monte Carlo band (relative se of an sd ~ 1 / sqrt(2 ess))
        assert abs(x.std() / sd - 1) < 4 / np.sqrt(2 * ess(x)), (name, x.std(), sd)
    curve_draws = post["curve"].values
    exact = post["y0"].values[..., None] * np.exp(-post["k"].values[..., None] * times)
    _assert_default_accuracy(curve_draws, exact)

    pp = pm.sample_posterior_predictive(idata, model=model, random_seed=1, progressbar=False)
    yrep = pp["posterior_predictive"]["y"].values
    assert yrep.shape == (2, 500, len(times))
    resid = (yrep - exact) / sigma  # N(0, 1) given the draw
    assert abs(resid.mean()) < 4 / np.sqrt(resid.size)

    with model:
        prior = pm.sample_prior_predictive(50, random_seed=2)
    pc = prior["prior"]
    exact_prior = pc["y0"].values[..., None] * np.exp(-pc["k"].values[..., None] * times)
    _assert_default_accuracy(pc["curve"].values, exact_prior)


def test_failed_solve_is_minus_inf_not_nan() -> None:
    """y' = p y^2 blows up at t = 1 / (p y0): past it the solve fails within max_steps."""
    times = np.linspace(0.5, 2.0, 4)
    ode = pm.ode.DifferentialEquation(
        lambda y, t, p: p[0] * y[0] ** 2, times, n_states=1, n_theta=1, max_steps=200
    )
    with pm.Model() as model:
        p = pm.HalfNormal("p", 1.0)
        pm.Normal("y", ode(y0=[1.0], theta=[p])[:, 0], 0.1, observed=np.ones(4))
    logp = model.compile_logp()
    assert np.isfinite(logp({"p": 0.1}))
    assert logp({"p": 1.0}) == -np.inf
    cm = model.compiled()
    theta = jnp.log(jnp.array([1.0]))
    lp, grad = jax.value_and_grad(cm.logdensity)(theta, cm.data_values())
    assert lp == -np.inf and not np.any(np.isnan(np.asarray(lp)))


def test_import_credo_does_not_import_diffrax() -> None:
    code = "import sys, credo; assert 'diffrax' not in sys.modules; print(credo.ode)"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120)


# -- PyMC's ODE notebook ---------------------------------------------------------------------
def _sir(y: jax.Array, t: jax.Array, p: jax.Array) -> list[jax.Array]:
    ds = -p[0] * y[0] * y[1]
    di = p[0] * y[0] * y[1] - p[1] * y[1]
    return [ds, di]


@pytest.mark.slow
def test_notebook_sir_model() -> None:
    """The SIR model of PyMC's ODE API notebook, as written there (pm.Bound(pm.Normal,
    lower=1) is TruncatedNormal today; pm.Lognormal written LogNormal): the truth
    (beta, lambda) = (4, 1) lies within 4 posterior sds of the posterior means, and the
    chains agree."""
    from scipy.integrate import odeint

    times = np.arange(0, 5, 0.25)
    y = odeint(lambda y, t: _sir(y, t, [4.0, 1.0]), [0.99, 0.01], times, rtol=1e-10, atol=1e-12)
    rng = np.random.default_rng(20)
    yobs = rng.lognormal(mean=np.log(y[1:]), sigma=[0.2, 0.3])
    sir_model = pm.ode.DifferentialEquation(
        func=_sir, times=np.arange(0.25, 5, 0.25), n_states=2, n_theta=2, t0=0
    )
    with pm.Model():
        sigma = pm.HalfCauchy("sigma", 1, shape=2)
        r0 = pm.TruncatedNormal("R0", 2, 3, lower=1)
        lam = pm.LogNormal("lambda", pm.math.log(2), 2)
        beta = pm.Deterministic("beta", lam * r0)
        sir_curves = sir_model(y0=[0.99, 0.01], theta=[beta, lam])
        assert sir_curves.shape == (19, 2)
        pm.LogNormal("Y", mu=pm.math.log(sir_curves), sigma=sigma, observed=yobs)
        idata = pm.sample(400, tune=400, chains=2, target_accept=0.9, random_seed=4)
    post = idata["posterior"]
    for name, truth in (("beta", 4.0), ("lambda", 1.0)):
        x = post[name].values
        assert abs(x.mean() - truth) < 4 * x.std(), (name, x.mean(), x.std())
        assert rhat(x) < 1.01, (name, rhat(x))
    assert int(idata["sample_stats"]["diverging"].values.sum()) == 0


def test_notebook_freefall_model_with_t0_in_times() -> None:
    """The notebook's first model: times start at t0 (the first state is y0 itself) and
    the (n_times, 1) solution is compared with (n_times, 1) data."""
    times = np.arange(0, 10, 0.5)

    def freefall(y: jax.Array, t: jax.Array, p: jax.Array) -> jax.Array:
        return 2.0 * p[1] - p[0] * y[0]

    gamma, g = 0.4, 9.8
    exact = 2 * g / gamma * (1 - np.exp(-gamma * times))
    ode_model = pm.ode.DifferentialEquation(
        func=freefall, times=times, n_states=1, n_theta=2, t0=0, **TIGHT
    )
    np.testing.assert_allclose(ode_model(y0=[0], theta=[gamma, g]).eval()[:, 0], exact, atol=1e-8)
    yobs = (exact + np.random.default_rng(0).normal(0, 2, size=times.size))[:, None]
    with pm.Model() as model:
        sigma = pm.HalfCauchy("sigma", 1)
        gam = pm.LogNormal("gamma", 0, 1)
        ode_solution = ode_model(y0=[0], theta=[gam, g])
        pm.Normal("Y", mu=ode_solution, sigma=sigma, observed=yobs)
    # The log-likelihood at a point equals the closed form's.
    point = {"sigma": 2.0, "gamma": gamma}
    resid = (yobs[:, 0] - exact) / 2.0
    expected = np.sum(-0.5 * resid**2 - np.log(2.0) - 0.5 * np.log(2 * np.pi))
    np.testing.assert_allclose(
        model.compile_logp(vars=["Y"], jacobian=False)(point), expected, rtol=1e-9
    )


# -- bad input -------------------------------------------------------------------------------
def test_func_returns_wrong_number_of_states() -> None:
    with pytest.raises(ShapeError, match=r"returned 1 value but n_states=2"):
        pm.ode.DifferentialEquation(decay, TIMES, n_states=2, n_theta=1)
    with pytest.raises(ShapeError, match=r"returned 3 values but n_states=1"):
        pm.ode.DifferentialEquation(lambda y, t, p: [y[0]] * 3, TIMES, n_states=1, n_theta=1)
    with pytest.raises(ShapeError, match=r"p of shape \(1,\).*IndexError"):
        pm.ode.DifferentialEquation(oscillator, TIMES, n_states=1, n_theta=1)  # reads y[1]
    with pytest.raises(ShapeError, match=r"element 1 has shape \(2,\)"):
        pm.ode.DifferentialEquation(lambda y, t, p: [y[0], y * 2], TIMES, n_states=2, n_theta=1)


def test_func_indexes_beyond_theta() -> None:
    with pytest.raises(ShapeError, match=r"p of shape \(1,\) \(n_theta\).*out of bounds"):
        pm.ode.DifferentialEquation(
            lambda y, t, p: [y[1], -p[1] * y[0]], TIMES, n_states=2, n_theta=1
        )


def test_func_written_with_numpy() -> None:
    with pytest.raises(TypeError, match=r"TracerArrayConversionError.*jax.numpy functions"):
        pm.ode.DifferentialEquation(lambda y, t, p: np.exp(y[0]), TIMES, n_states=1, n_theta=0)


def test_func_uses_a_model_variable() -> None:
    with pm.Model():
        k = pm.HalfNormal("k", 1.0)
        with pytest.raises(TypeError, match="through theta"):
            pm.ode.DifferentialEquation(lambda y, t, p: -k * y[0], TIMES, n_states=1, n_theta=0)


def test_y0_and_theta_of_wrong_length() -> None:
    ode = pm.ode.DifferentialEquation(oscillator, TIMES, n_states=2, n_theta=1)
    with pytest.raises(ShapeError, match=r"y0 has 1 values but n_states=2"):
        ode(y0=[1.0], theta=[1.0])
    with pytest.raises(TypeError, match=r"theta is required \(n_theta=1 parameters\)"):
        ode(y0=[1.0, 0.0])
    with pytest.raises(ShapeError, match=r"theta has 2 values but n_theta=1"):
        ode(y0=[1.0, 0.0], theta=[1.0, 2.0])
    with pm.Model():
        z = pm.Normal("z", 0, 1, shape=3)
        with pytest.raises(ShapeError, match=r"y0 must have 2 values.*z has shape \(3,\)"):
            ode(y0=z, theta=[1.0])


def test_times_not_increasing_or_before_t0() -> None:
    with pytest.raises(ValueError, match=r"increasing.*times\[2\] = 1 comes after times\[1\] = 2"):
        pm.ode.DifferentialEquation(decay, [0.5, 2.0, 1.0], n_states=1, n_theta=1)
    with pytest.raises(ValueError, match=r"before t0 = 1.*times\[0\] = 0.5"):
        pm.ode.DifferentialEquation(decay, [0.5, 2.0], n_states=1, n_theta=1, t0=1.0)
    with pytest.raises(ShapeError, match="non-empty 1-d"):
        pm.ode.DifferentialEquation(decay, [], n_states=1, n_theta=1)


def test_bad_counts_and_options() -> None:
    with pytest.raises(TypeError, match="n_states is required"):
        pm.ode.DifferentialEquation(decay, TIMES, n_theta=1)
    with pytest.raises(ValueError, match="n_states must be at least 1"):
        pm.ode.DifferentialEquation(decay, TIMES, n_states=0, n_theta=1)
    with pytest.raises(TypeError, match="func must be callable"):
        pm.ode.DifferentialEquation("decay", TIMES, n_states=1, n_theta=1)
    with pytest.raises(ValueError, match="give the tolerances to that controller"):
        pm.ode.DifferentialEquation(
            decay,
            TIMES,
            n_states=1,
            n_theta=1,
            rtol=1e-3,
            stepsize_controller=diffrax.PIDController(rtol=1e-3, atol=1e-3),
        )
