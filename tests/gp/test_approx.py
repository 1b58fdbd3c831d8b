"""Sparse (FITC/VFE/DTC), Kronecker and HSGP approximations against their closed forms and
the exact GP."""

import numpy as np
import pytest
from scipy import stats

import credo as pm
from credo.errors import ModelError
from credo.gp.util import replace_with_values

RNG = np.random.default_rng(11)
X = np.sort(RNG.uniform(0, 4, 15))[:, None]
Y = np.cos(X[:, 0]) + 0.2 * RNG.normal(size=15)
XU = np.linspace(0.2, 3.8, 5)[:, None]
XNEW = np.linspace(0, 4, 7)[:, None]
JIT = 1e-6
SIG = 0.3


def _eq(a, b, ls=0.8):
    return np.exp(-0.5 * (a - b.T) ** 2 / ls**2)


def _sparse_closed_form(approx):
    Kuu = _eq(XU, XU) + JIT * np.eye(5)
    Kuf = _eq(XU, X)
    Q = Kuf.T @ np.linalg.solve(Kuu, Kuf)
    Kff = _eq(X, X)
    if approx == "FITC":
        C = Q + np.diag(np.diag(Kff - Q)) + SIG**2 * np.eye(15)
    else:
        C = Q + SIG**2 * np.eye(15)
    ll = stats.multivariate_normal(np.zeros(15), C).logpdf(Y)
    if approx == "VFE":
        ll -= np.trace(Kff - Q) / (2 * SIG**2)
    return ll, C


@pytest.mark.parametrize("approx", ["FITC", "VFE", "DTC"])
def test_sparse_likelihood_and_conditional(approx):
    cov = pm.gp.cov.ExpQuad(1, ls=0.8)
    with pm.Model() as model:
        gp = pm.gp.MarginalApprox(approx=approx, cov_func=cov)
        gp.marginal_likelihood("y", X=X, Xu=XU, y=Y, sigma=SIG)
    want, C = _sparse_closed_form(approx)
    got = model.compile_logp()({})
    np.testing.assert_allclose(float(got), want, rtol=1e-8)
    # the conditional: the GP posterior under the approximate prior (Quinonero-Candela &
    # Rasmussen 2005): mu = Q_*f C^-1 y with Q_*f = K_*u Kuu^-1 Kuf
    Kuu = _eq(XU, XU) + JIT * np.eye(5)
    Qsf = _eq(XNEW, XU) @ np.linalg.solve(Kuu, _eq(XU, X))
    mu, var = gp.predict(XNEW, diag=True, model=model)
    np.testing.assert_allclose(mu, Qsf @ np.linalg.solve(C, Y), atol=1e-7)
    Qss = _eq(XNEW, XU) @ np.linalg.solve(Kuu, _eq(XU, XNEW))
    var_w = np.diag(_eq(XNEW, XNEW) - Qss + Qss - Qsf @ np.linalg.solve(C, Qsf.T))
    np.testing.assert_allclose(var, var_w, atol=1e-7)


def test_vfe_is_exact_when_the_inducing_points_are_the_data():
    cov = pm.gp.cov.ExpQuad(1, ls=0.8)
    with pm.Model() as model:
        pm.gp.MarginalApprox(approx="VFE", cov_func=cov).marginal_likelihood(
            "y", X=X, Xu=X, y=Y, sigma=SIG
        )
    exact = stats.multivariate_normal(np.zeros(15), _eq(X, X) + SIG**2 * np.eye(15)).logpdf(Y)
    np.testing.assert_allclose(float(model.compile_logp()({})), exact, rtol=1e-5)
    assert pm.gp.MarginalSparse is not pm.gp.MarginalApprox
    assert issubclass(pm.gp.MarginalSparse, pm.gp.MarginalApprox)


GX1 = np.linspace(0, 1, 4)[:, None]
GX2 = np.linspace(0, 2, 3)[:, None]
K1, K2 = pm.gp.cov.ExpQuad(1, ls=0.5), pm.gp.cov.Matern52(1, ls=0.9)


def test_marginal_kron_against_the_dense_density_and_conditional():
    grid = pm.gp.util.cartesian(GX1, GX2)
    y = np.sin(grid.sum(1)) + 0.1 * RNG.normal(size=12)
    with pm.Model() as model:
        gp = pm.gp.MarginalKron(cov_funcs=[K1, K2])
        gp.marginal_likelihood("y", Xs=[GX1, GX2], y=y, sigma=SIG)
    Kd = np.kron(K1(GX1).eval(), K2(GX2).eval())
    C = Kd + SIG**2 * np.eye(12)
    want = stats.multivariate_normal(np.zeros(12), C).logpdf(y)
    np.testing.assert_allclose(float(model.compile_logp()({})), want, rtol=1e-10)
    xnew = np.array([[0.3, 1.2], [0.9, 0.1]])
    Ks = pm.gp.cov.Kron([K1, K2])(grid, xnew).eval()
    mu, cov = gp.predict(xnew, model=model)
    np.testing.assert_allclose(mu, Ks.T @ np.linalg.solve(C, y), atol=1e-9)
    Kss = pm.gp.cov.Kron([K1, K2])(xnew).eval()
    cov_w = Kss - Ks.T @ np.linalg.solve(C, Ks) + JIT * np.eye(2)
    np.testing.assert_allclose(cov, cov_w, atol=1e-9)


def test_latent_kron_prior_and_conditional_against_dense():
    with pm.Model():
        gp = pm.gp.LatentKron(cov_funcs=[K1, K2])
        f = gp.prior("f", Xs=[GX1, GX2])
        xnew = np.array([[0.3, 1.2], [0.9, 0.1]])
        fp = gp.conditional("fp", xnew)
    v = RNG.normal(size=12)
    L1 = np.linalg.cholesky(K1(GX1).eval() + JIT * np.eye(4))
    L2 = np.linalg.cholesky(K2(GX2).eval() + JIT * np.eye(3))
    (fval,) = replace_with_values([f], {"f_rotated_": v})
    np.testing.assert_allclose(fval, np.kron(L1, L2) @ v, rtol=1e-10)
    grid = pm.gp.util.cartesian(GX1, GX2)
    Kd = np.kron(L1 @ L1.T, L2 @ L2.T)
    Ks = pm.gp.cov.Kron([K1, K2])(grid, xnew).eval()
    (mu,) = replace_with_values([fp.distribution.params["mu"]], {"f_rotated_": v})
    np.testing.assert_allclose(mu, Ks.T @ np.linalg.solve(Kd, fval), atol=1e-8)


def _hsgp_cov(m, c=None, L=None, cov=None, x=None):
    x = np.linspace(-3, 3, 60)[:, None] if x is None else x
    cov = cov or pm.gp.cov.ExpQuad(1, ls=1.0)
    gp = pm.gp.HSGP(m=[m], c=c, L=L, cov_func=cov)
    phi, sqrt_psd = gp.prior_linearized(x)
    phi, s = phi.eval(), sqrt_psd.eval()
    return (phi * s**2) @ phi.T, cov(x).eval()


def test_hsgp_converges_to_the_exact_covariance():
    errs = [np.max(np.abs(np.subtract(*_hsgp_cov(m, c=2.0)))) for m in (6, 12, 24)]
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 1e-3
    # Riutort-Mayol et al. (2022), fig. 7: m, c from approx_hsgp_hyperparams approximate a
    # lengthscale in the range well (they aim at a small relative error)
    m, c = pm.gp.hsgp_approx.approx_hsgp_hyperparams([-3, 3], [0.8, 3.0], "expquad")
    for ls in (0.8, 3.0):
        approx, exact = _hsgp_cov(m, c=c, cov=pm.gp.cov.ExpQuad(1, ls=ls))
        assert np.max(np.abs(approx - exact)) < 0.05
    # Matern52 too, and a scaled kernel scales the covariance
    approx, exact = _hsgp_cov(40, L=[6.0], cov=4.0 * pm.gp.cov.Matern52(1, ls=1.0))
    assert np.max(np.abs(approx - exact)) < 0.05 * 4


def test_approx_hsgp_hyperparams_rules():
    # S = 5: c = max(a1 ls_max / S, 1.2), m = int(a2 c S / ls_min)
    m, c = pm.gp.hsgp_approx.approx_hsgp_hyperparams([0, 10], [1, 4], "expquad")
    assert m == int(1.75 * 3.2 * 4 / 5 * 5 / 1) and c == pytest.approx(3.2 * 4 / 5)
    m, c = pm.gp.hsgp_approx.approx_hsgp_hyperparams([0, 10], [0.5, 1], "matern32")
    assert c == 1.2 and m == int(3.42 * 1.2 * 5 / 0.5)
    with pytest.raises(ValueError, match="out of order"):
        pm.gp.hsgp_approx.approx_hsgp_hyperparams([0, 10], [4, 1], "expquad")
    with pytest.raises(ValueError, match="Unsupported"):
        pm.gp.hsgp_approx.approx_hsgp_hyperparams([0, 10], [1, 4], "periodic")


def test_hsgp_prior_conditional_and_centered():
    x = np.linspace(0, 10, 30)[:, None]
    idx = [0, 4, 11, 29]
    xnew = x[idx]
    for par in ("noncentered", "centered"):
        with pm.Model() as model:
            ell = pm.Gamma("ell", alpha=4, beta=2)
            gp = pm.gp.HSGP(m=[20], c=1.5, parametrization=par, cov_func=pm.gp.cov.ExpQuad(1, ell))
            f = gp.prior("f", X=x)
            fn = gp.conditional("fn", xnew)
        assert model.named_vars["f_hsgp_coeffs"].shape == (20,)
        beta = RNG.normal(size=20)
        fv, fnv = replace_with_values([f, fn], {"ell": 1.5, "f_hsgp_coeffs": beta})
        # the conditional at the training inputs reproduces the prior's values
        np.testing.assert_allclose(fnv, fv[idx], rtol=1e-10)
        phi, s = gp.prior_linearized(xnew)
        (phiv, sv) = replace_with_values([phi, s], {"ell": 1.5})
        coef = beta * sv if par == "noncentered" else beta
        np.testing.assert_allclose(fnv, phiv @ coef, rtol=1e-10)
        (phix, _) = replace_with_values(list(gp.prior_linearized(x)), {"ell": 1.5})
        np.testing.assert_allclose(fv, phix @ coef, rtol=1e-10)


def test_hsgp_periodic_approximates_the_periodic_kernel():
    x = np.linspace(0, 4, 40)[:, None]
    cov = pm.gp.cov.Periodic(1, period=1.5, ls=0.8)
    gp = pm.gp.HSGPPeriodic(m=30, scale=2.0, cov_func=cov)
    (pc, ps), q = gp.prior_linearized(x)
    pc, ps, q = pc.eval(), ps.eval(), q.eval()
    approx = (pc * q**2) @ pc.T + (ps[:, 1:] * q[1:] ** 2) @ ps[:, 1:].T
    np.testing.assert_allclose(approx, 4.0 * cov(x).eval(), atol=1e-8)
    with pm.Model() as model:
        f = gp.prior("f", X=x)
    assert model.named_vars["f_hsgp_coeffs_"].shape == (59,)
    assert f.shape == (40,)


def test_hsgp_bad_inputs():
    cov = pm.gp.cov.ExpQuad(1, ls=1.0)
    with pytest.raises(ValueError, match="one of `c` or `L`"):
        pm.gp.HSGP(m=[10], cov_func=cov)
    with pytest.raises(ValueError, match="one element per active"):
        pm.gp.HSGP(m=[10, 10], c=1.5, cov_func=cov)
    with pytest.raises(ValueError, match="parametrization"):
        pm.gp.HSGP(m=[10], c=1.5, parametrization="other", cov_func=cov)
    with pytest.raises(ModelError, match="prior"):
        pm.gp.HSGP(m=[10], c=1.5, cov_func=cov).conditional("f", np.ones((3, 1)))
    with pytest.raises(ValueError, match="no power spectral density"):
        pm.gp.HSGP(m=[5], c=1.5, cov_func=2.0 * pm.gp.cov.Cosine(1, ls=1.0))
    with pytest.raises(ValueError, match="Periodic"):
        pm.gp.HSGPPeriodic(m=10, cov_func=cov)
    with pytest.warns(UserWarning, match="c >= 1.2"):
        pm.gp.HSGP(m=[10], c=1.1, cov_func=cov)


def test_kron_draws_and_bad_inputs():
    grid = pm.gp.util.cartesian(GX1, GX2)
    y = np.sin(grid.sum(1))
    with pm.Model():
        gp = pm.gp.MarginalKron(cov_funcs=[K1, K2])
        with pytest.raises(ValueError, match="covariance function for each X"):
            gp.marginal_likelihood("y", Xs=[GX1], y=y, sigma=SIG)
        with pytest.raises(ValueError, match="cartesian product"):
            gp.marginal_likelihood("y", Xs=[GX1, GX2], y=y[:5], sigma=SIG)
        with pytest.raises(ModelError, match="marginal_likelihood"):
            gp.conditional("f", np.zeros((2, 2)))
        gp.marginal_likelihood("y", Xs=[GX1, GX2], y=y, sigma=SIG)
        prior = pm.sample_prior_predictive(draws=2000, random_seed=1)
    draws = prior.prior_predictive["y"].values.reshape(-1, 12)
    # draws of the eigendecomposition sampler have the Kronecker covariance (+ noise)
    C = np.kron(K1(GX1).eval(), K2(GX2).eval()) + SIG**2 * np.eye(12)
    se = np.sqrt((np.diag(C)[:, None] * np.diag(C)[None, :] + C**2) / draws.shape[0])
    assert np.all(np.abs(np.cov(draws.T) - C) < 5 * se)
    with pm.Model():
        with pytest.raises(TypeError, match="list of input arrays"):
            pm.gp.LatentKron(cov_funcs=[K1, K2]).prior("f", Xs=GX1)
