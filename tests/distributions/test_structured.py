"""The compositional, matrix and structured distributions, and GARCH11 / EulerMaruyama,
against scipy.stats (or closed forms), with checks of their samplers' moments."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st

import credo as pm

W4 = np.array([[0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0.0]])
V2 = np.array([[2.0, 0.3], [0.3, 1.0]])
U3 = np.array([[1.0, 0.2, 0.1], [0.2, 2.0, 0.3], [0.1, 0.3, 1.5]])


def _lp(d, x):
    return pm.logp(d, np.asarray(x)).eval()


def test_dirichlet_multinomial_and_ordered_multinomial() -> None:
    a = np.array([1.5, 2.0, 0.7])
    d = pm.DirichletMultinomial.dist(n=6, a=a)
    np.testing.assert_allclose(_lp(d, [2, 3, 1]), st.dirichlet_multinomial(a, 6).logpmf([2, 3, 1]))
    assert _lp(d, [2, 3, 2]) == -np.inf
    draws = pm.draw(d, 3000, random_seed=0)
    assert (draws.sum(-1) == 6).all()
    np.testing.assert_allclose(draws.mean(0), 6 * a / a.sum(), atol=0.15)
    om = pm.OrderedMultinomial.dist(eta=0.3, cutpoints=np.array([-1.0, 0.5]), n=5)
    cdf = 1 / (1 + np.exp(-(np.array([-1.0, 0.5]) - 0.3)))
    p = np.diff(np.concatenate([[0], cdf, [1]]))
    np.testing.assert_allclose(_lp(om, [1, 2, 2]), st.multinomial(5, p).logpmf([1, 2, 2]))


def test_stick_breaking_weights() -> None:
    sb = pm.StickBreakingWeights.dist(alpha=2.0, K=1)
    w = np.array([0.3, 0.7])
    np.testing.assert_allclose(_lp(sb, w), st.beta(1, 2.0).logpdf(0.3), rtol=1e-12)
    sb3 = pm.StickBreakingWeights.dist(alpha=2.0, K=3)
    draws = pm.draw(sb3, 3000, random_seed=1)
    np.testing.assert_allclose(draws.sum(-1), 1.0, rtol=1e-12)
    # E[w_1] = 1 / (1 + alpha).
    assert abs(draws[:, 0].mean() - 1 / 3) < 4 * draws[:, 0].std() / np.sqrt(3000)
    with pm.Model():
        v = pm.StickBreakingWeights("v", alpha=1.0, K=4)
    assert type(v.transform).__name__ == "SimplexTransform" and v.shape == (5,)


def test_wishart_matrix_normal_kronecker_normal() -> None:
    X = st.wishart(5, V2).rvs(random_state=1)
    wi = pm.Wishart.dist(nu=5, V=V2)
    np.testing.assert_allclose(_lp(wi, X), st.wishart(5, V2).logpdf(X), rtol=1e-10)
    draws = pm.draw(wi, 3000, random_seed=2)
    np.testing.assert_allclose(draws.mean(0), 5 * V2, rtol=0.06, atol=0.1)
    rng = np.random.default_rng(3)
    M, Xm = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    mn = pm.MatrixNormal.dist(mu=M, rowcov=U3, colcov=V2)
    np.testing.assert_allclose(_lp(mn, Xm), st.matrix_normal(M, U3, V2).logpdf(Xm), rtol=1e-10)
    kn = pm.KroneckerNormal.dist(mu=np.zeros(6), covs=[U3, V2], sigma=0.5)
    v = rng.normal(size=6)
    ref = st.multivariate_normal(np.zeros(6), np.kron(U3, V2) + 0.25 * np.eye(6)).logpdf(v)
    np.testing.assert_allclose(_lp(kn, v), ref, rtol=1e-10)
    kc = pm.KroneckerNormal.dist(
        mu=np.zeros(6), chols=[np.linalg.cholesky(U3), np.linalg.cholesky(V2)]
    )
    ref = st.multivariate_normal(np.zeros(6), np.kron(U3, V2)).logpdf(v)
    np.testing.assert_allclose(_lp(kc, v), ref, rtol=1e-10)


def test_car_and_icar() -> None:
    car = pm.CAR.dist(mu=np.zeros(4), W=W4, alpha=0.7, tau=2.0)
    Q = 2.0 * (np.diag(W4.sum(1)) - 0.7 * W4)
    v = np.array([0.3, -0.2, 0.5, 1.0])
    ref = st.multivariate_normal(np.zeros(4), np.linalg.inv(Q)).logpdf(v)
    np.testing.assert_allclose(_lp(car, v), ref, rtol=1e-10)
    draws = pm.draw(car, 4000, random_seed=4)
    np.testing.assert_allclose(np.cov(draws.T), np.linalg.inv(Q), atol=0.05)
    ic = pm.ICAR.dist(W=W4, sigma=1.3)
    z = np.array([0.3, -0.2, 0.1, -0.2])
    pair = -sum(W4[i, j] * (z[i] - z[j]) ** 2 for i in range(4) for j in range(i + 1, 4))
    np.testing.assert_allclose(_lp(ic, z), pair / (2 * 1.3**2), rtol=1e-12)
    with pytest.raises(pm.ParameterError, match="symmetric"):
        pm.CAR.dist(mu=np.zeros(2), W=np.array([[0, 1], [0, 0.0]]), alpha=0.5, tau=1.0)


def test_garch11_and_euler_maruyama() -> None:
    g = pm.GARCH11.dist(omega=0.1, alpha_1=0.2, beta_1=0.7, initial_vol=0.5, steps=4)
    r = np.array([0.3, -0.6, 0.1, 0.4, -0.2])
    s2 = [0.25]
    for t in range(1, 5):
        s2.append(0.1 + 0.2 * r[t - 1] ** 2 + 0.7 * s2[-1])
    np.testing.assert_allclose(_lp(g, r), st.norm(0, np.sqrt(s2)).logpdf(r).sum(), rtol=1e-12)
    # Unconditional variance omega / (1 - alpha - beta) = 1 when started there.
    gl = pm.GARCH11.dist(omega=0.1, alpha_1=0.2, beta_1=0.7, initial_vol=1.0, steps=30)
    draws = pm.draw(gl, 3000, random_seed=5)
    assert abs(draws[:, -1].var() - 1.0) < 0.15
    em = pm.EulerMaruyama.dist(
        0.1, lambda x, k: (-k * x, 0.5), [1.5], init_dist=pm.Normal.dist(0, 1), steps=3
    )
    xs = np.array([0.3, 0.2, 0.25, 0.1])
    ref = st.norm.logpdf(0.3) + sum(
        st.norm(xs[t - 1] - 0.15 * xs[t - 1], 0.5 * np.sqrt(0.1)).logpdf(xs[t]) for t in range(1, 4)
    )
    np.testing.assert_allclose(_lp(em, xs), ref, rtol=1e-12)
    d = pm.draw(em, 3000, random_seed=6)
    # x_1 = 0.85 x_0 + 0.5 sqrt(0.1) e: variance 0.85^2 + 0.025.
    assert abs(d[:, 1].var() - (0.85**2 + 0.025)) < 0.06


def test_interpolated() -> None:
    import scipy.integrate as si

    xp = np.array([0.0, 1.0, 2.5, 4.0])
    pp = np.array([0.2, 1.0, 0.5, 0.0])
    d = pm.Interpolated.dist(xp, pp)
    z = np.trapezoid(pp, xp)
    x = np.array([-1.0, 0.0, 0.5, 1.7, 3.9, 4.0, 5.0])
    with np.errstate(divide="ignore"):
        ref = np.log(np.interp(x, xp, pp, left=0, right=0) / z)
    np.testing.assert_allclose(_lp(d, x), ref, rtol=1e-12)
    cdf = [si.quad(lambda t: np.interp(t, xp, pp) / z, 0, min(max(v, 0), 4))[0] for v in x]
    np.testing.assert_allclose(np.exp(pm.logcdf(d, x).eval()), cdf, rtol=1e-8, atol=1e-12)
    q = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(np.exp(pm.logcdf(d, pm.icdf(d, q)).eval()), q, rtol=1e-10)
    draws = pm.draw(d, 3000, random_seed=7)
    assert st.kstest(np.exp(pm.logcdf(d, draws).eval()), "uniform").pvalue > 1e-3
    with pm.Model():
        v = pm.Interpolated("v", xp, pp)
    assert type(v.transform).__name__ == "IntervalTransform"


def test_wishart_bartlett_registers_its_parts() -> None:
    with pm.Model() as m:
        pm.WishartBartlett("W", V2, nu=5)
    assert {"W_c", "W_z", "W"} <= set(m.named_vars)
    prior = pm.sample_prior_predictive(draws=2000, model=m, random_seed=3)
    w = prior["prior"]["W"].values.reshape(-1, 2, 2)
    np.testing.assert_allclose(w.mean(0), 5 * V2, rtol=0.1, atol=0.15)
