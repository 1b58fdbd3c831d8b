"""Marginal, Latent and TP against closed forms (scipy densities, the Gaussian conditional)."""

import numpy as np
import pytest
from scipy import stats

import credo as pm
from credo.errors import ModelError, ShapeError
from credo.gp.util import replace_with_values

RNG = np.random.default_rng(3)
X = np.sort(RNG.uniform(0, 5, 12))[:, None]
Y = np.sin(X[:, 0]) + 0.1 * RNG.normal(size=12)
XNEW = np.linspace(-0.5, 5.5, 6)[:, None]
POINT = {"ls": 1.3, "eta": 0.8, "sigma": 0.25}
JIT = 1e-6


def _k(a, b, ls, eta):
    r = np.sqrt(np.sum((a[:, None, :] - b[None, :, :]) ** 2, -1)) / ls
    return eta**2 * (1 + np.sqrt(5) * r + 5 / 3 * r**2) * np.exp(-np.sqrt(5) * r)


def _marginal_model():
    with pm.Model() as model:
        ls = pm.Gamma("ls", alpha=2, beta=1)
        eta = pm.HalfCauchy("eta", beta=5)
        cov = eta**2 * pm.gp.cov.Matern52(1, ls)
        gp = pm.gp.Marginal(mean_func=pm.gp.mean.Constant(0.2), cov_func=cov)
        sigma = pm.HalfCauchy("sigma", beta=5)
        gp.marginal_likelihood("y", X=X, y=Y, sigma=sigma)
    return model, gp


def _closed_form(pred_noise=False):
    ls, eta, s = POINT["ls"], POINT["eta"], POINT["sigma"]
    K = _k(X, X, ls, eta) + (s**2 + JIT) * np.eye(12)
    Ks = _k(X, XNEW, ls, eta)
    mu = 0.2 + Ks.T @ np.linalg.solve(K, Y - 0.2)
    cov = _k(XNEW, XNEW, ls, eta) - Ks.T @ np.linalg.solve(K, Ks)
    if pred_noise:
        cov = cov + s**2 * np.eye(len(XNEW))
    return mu, cov


def test_marginal_likelihood_is_the_mvnormal_density():
    model, _ = _marginal_model()
    ls, eta, s = POINT["ls"], POINT["eta"], POINT["sigma"]
    K = _k(X, X, ls, eta) + (s**2 + JIT) * np.eye(12)
    want = stats.multivariate_normal(np.full(12, 0.2), K).logpdf(Y)
    got = model.compile_logp(vars=["y"], jacobian=False)(POINT)
    np.testing.assert_allclose(float(got), want, rtol=1e-10)


def test_noise_as_covariance_and_vector_sigma():
    sig = np.linspace(0.1, 0.4, 12)
    for noise in (sig, pm.gp.cov.WhiteNoise(sig)):
        with pm.Model() as model:
            gp = pm.gp.Marginal(cov_func=pm.gp.cov.ExpQuad(1, ls=0.9))
            gp.marginal_likelihood("y", X=X, y=Y, sigma=noise)
        K = np.exp(-0.5 * (X - X.T) ** 2 / 0.81) + np.diag(sig**2) + JIT * np.eye(12)
        want = stats.multivariate_normal(np.zeros(12), K).logpdf(Y)
        np.testing.assert_allclose(float(model.compile_logp(vars=["y"])({})), want, rtol=1e-10)


@pytest.mark.parametrize("pred_noise", [False, True])
def test_predict_matches_the_gaussian_conditional(pred_noise):
    model, gp = _marginal_model()
    mu_w, cov_w = _closed_form(pred_noise)
    mu, cov = gp.predict(XNEW, point=POINT, pred_noise=pred_noise, model=model)
    np.testing.assert_allclose(mu, mu_w, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(cov, cov_w + (0 if pred_noise else JIT) * np.eye(6), atol=1e-9)
    mu_d, var_d = gp.predict(XNEW, point=POINT, diag=True, pred_noise=pred_noise, model=model)
    np.testing.assert_allclose(mu_d, mu_w, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(var_d, np.diag(cov_w), atol=1e-9)


def test_conditional_draws_follow_the_closed_form():
    model, gp = _marginal_model()
    with model:
        gp.conditional("f_pred", XNEW)
    n = 4000
    trace = {k: np.full((1, n), v) for k, v in POINT.items()}
    with model:
        pp = pm.sample_posterior_predictive(trace, var_names=["f_pred"], random_seed=5)
    draws = pp.posterior_predictive["f_pred"].values[0]
    mu_w, cov_w = _closed_form()
    sd = np.sqrt(np.diag(cov_w))
    # independent draws: the mean's MCSE is sd / sqrt(n); the variance's is sd^2 sqrt(2 / n)
    assert np.all(np.abs(draws.mean(0) - mu_w) < 4 * sd / np.sqrt(n))
    assert np.all(np.abs(draws.var(0) - sd**2) < 4 * sd**2 * np.sqrt(2 / n))


def test_given_and_additive_gp():
    k1, k2 = pm.gp.cov.ExpQuad(1, ls=1.0), pm.gp.cov.Matern32(1, ls=0.5)
    with pm.Model() as model:
        gp1 = pm.gp.Marginal(cov_func=k1)
        gp2 = pm.gp.Marginal(cov_func=k2)
        gp = gp1 + gp2
        gp.marginal_likelihood("y", X=X, y=Y, sigma=0.3)
    K1, K2 = k1(X).eval(), k2(X).eval()
    Ktot = K1 + K2 + (0.09 + JIT) * np.eye(12)
    Ks1 = k1(X, XNEW).eval()
    mu_w = Ks1.T @ np.linalg.solve(Ktot, Y)
    given = {"X": X, "y": Y, "sigma": 0.3, "gp": gp}
    mu, _ = gp1.predict(XNEW, given=given, diag=True, model=model)
    np.testing.assert_allclose(mu, mu_w, rtol=1e-8)


def test_latent_prior_and_conditional():
    with pm.Model() as model:
        ls = pm.Gamma("ls", alpha=2, beta=1)
        gp = pm.gp.Latent(cov_func=pm.gp.cov.ExpQuad(1, ls=ls))
        f = gp.prior("f", X=X)
        fp = gp.conditional("fp", XNEW)
    assert "f_rotated_" in model.named_vars and f.shape == (12,)
    v = RNG.normal(size=12)
    K = np.exp(-0.5 * (X - X.T) ** 2 / 1.3**2) + JIT * np.eye(12)
    fval = np.linalg.cholesky(K) @ v
    (got,) = replace_with_values([f], {"ls": 1.3, "f_rotated_": v})
    np.testing.assert_allclose(got, fval, rtol=1e-10)
    mu, chol = replace_with_values(
        [fp.distribution.params["mu"], fp.distribution.params["chol"]],
        {"ls": 1.3, "f_rotated_": v},
    )
    Ks = np.exp(-0.5 * (X - XNEW.T) ** 2 / 1.3**2)
    Kss = np.exp(-0.5 * (XNEW - XNEW.T) ** 2 / 1.3**2)
    np.testing.assert_allclose(mu, Ks.T @ np.linalg.solve(K, fval), atol=1e-8)
    cov_w = Kss - Ks.T @ np.linalg.solve(K, Ks) + JIT * np.eye(6)
    np.testing.assert_allclose(np.tril(chol) @ np.tril(chol).T, cov_w, atol=1e-8)


def test_latent_not_reparameterized_is_an_mvnormal():
    with pm.Model() as model:
        gp = pm.gp.Latent(cov_func=pm.gp.cov.ExpQuad(1, ls=0.7))
        gp.prior("f", X=X, reparameterize=False)
    K = np.exp(-0.5 * (X - X.T) ** 2 / 0.49) + JIT * np.eye(12)
    want = stats.multivariate_normal(np.zeros(12), K).logpdf(Y)
    np.testing.assert_allclose(float(model.compile_logp(jacobian=False)({"f": Y})), want)


def test_tp_density_and_conditional():
    nu = 4.0
    K = np.exp(-0.5 * (X - X.T) ** 2 / 0.49) + JIT * np.eye(12)
    with pm.Model() as model:
        tp = pm.gp.TP(scale_func=pm.gp.cov.ExpQuad(1, ls=0.7), nu=nu)
        tp.prior("f", X=X, reparameterize=False)
        fp = tp.conditional("fp", XNEW)
    want = stats.multivariate_t(np.zeros(12), K, df=nu).logpdf(Y)
    got = model.compile_logp(vars=["f"], jacobian=False)({"f": Y, "fp": np.zeros(6)})
    np.testing.assert_allclose(float(got), want, rtol=1e-8)  # K's condition number ~ 1e6
    # the conditional: nu + n degrees of freedom, mean and scale of Shah et al. (2014)
    Ks = np.exp(-0.5 * (X - XNEW.T) ** 2 / 0.49)
    Kss = np.exp(-0.5 * (XNEW - XNEW.T) ** 2 / 0.49)
    Kx = K
    beta = Y @ np.linalg.solve(Kx, Y)
    mu_w = Ks.T @ np.linalg.solve(Kx, Y)
    scale_w = (nu + beta - 2) / (nu + 12 - 2) * (Kss - Ks.T @ np.linalg.solve(Kx, Ks))
    scale_w = scale_w + JIT * np.eye(6)
    d = fp.distribution.params
    mu, chol, nu2 = replace_with_values([d["mu"], d["chol"], d["nu"]], {"f": Y})
    assert float(nu2) == nu + 12
    np.testing.assert_allclose(mu, mu_w, atol=1e-8)
    np.testing.assert_allclose(np.tril(chol) @ np.tril(chol).T, scale_w, atol=1e-7)


def test_tp_reparameterized_is_the_multivariate_t():
    # f = sqrt(nu / w) L z with w ~ chi2(nu), z ~ N(0, I): a multivariate t
    with pm.Model() as model:
        tp = pm.gp.TP(scale_func=pm.gp.cov.ExpQuad(1, ls=0.7), nu=5.0)
        f = tp.prior("f", X=X[:3])
    assert {"f_rotated_", "f_chi2_"} <= set(model.named_vars)
    z, w = RNG.normal(size=3), 3.0
    (got,) = replace_with_values([f], {"f_rotated_": z, "f_chi2_": w})
    K = np.exp(-0.5 * (X[:3] - X[:3].T) ** 2 / 0.49) + JIT * np.eye(3)
    np.testing.assert_allclose(got, np.sqrt(5.0 / w) * np.linalg.cholesky(K) @ z, rtol=1e-10)


def test_bad_inputs():
    with pm.Model():
        gp = pm.gp.Marginal(cov_func=pm.gp.cov.ExpQuad(1, ls=1.0))
        with pytest.raises(ModelError, match="marginal_likelihood"):
            gp.conditional("f_pred", XNEW)
        with pytest.raises(ShapeError, match="2-d array"):
            gp.marginal_likelihood("y", X=X[:, 0], y=Y, sigma=0.1)
        with pytest.raises(ShapeError, match=r"y must have shape \(12,\)"):
            gp.marginal_likelihood("y", X=X, y=Y[:5], sigma=0.1)
        with pytest.raises(TypeError, match="sigma"):
            gp.marginal_likelihood("y", X=X, y=Y)
        lat = pm.gp.Latent(cov_func=pm.gp.cov.ExpQuad(1, ls=1.0))
        with pytest.raises(ModelError, match="prior"):
            lat.conditional("f_pred", XNEW)
        with pytest.raises(TypeError, match="cov_func"):
            pm.gp.Latent(cov_func="ExpQuad")
        with pytest.raises(ValueError, match="nu"):
            pm.gp.TP(scale_func=pm.gp.cov.ExpQuad(1, ls=1.0))
