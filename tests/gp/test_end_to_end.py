"""A GP regression written as PyMC's docs write it, end to end, and the examples."""

import numpy as np
import pytest

import credo as pm
from tests.inference.mcse import ess


def test_pymc_docs_marginal_workflow_recovers_the_conditional():
    # PyMC's "Marginal Likelihood Implementation" page, unchanged but smaller
    rng = np.random.default_rng(7)
    n = 25
    X = np.linspace(0, 10, n)[:, None]
    y = np.sin(X[:, 0]) + 0.2 * rng.normal(size=n)
    X_new = np.linspace(-1, 11, 8)[:, None]
    with pm.Model() as model:
        ls = pm.Gamma("ls", alpha=2, beta=1)
        eta = pm.HalfCauchy("eta", beta=5)
        cov = eta**2 * pm.gp.cov.Matern52(1, ls)
        gp = pm.gp.Marginal(cov_func=cov)
        sigma = pm.HalfCauchy("sigma", beta=5)
        y_ = gp.marginal_likelihood("y", X=X, y=y, sigma=sigma)
        mp = pm.find_MAP(progressbar=False)
    assert y_.name == "y"
    # the data vary on a scale of about 1.5 (a sine): the MAP lengthscale is of that order
    assert 0.5 < mp["ls"] < 4.0 and 0.1 < mp["sigma"] < 0.4
    with model:
        idata = pm.sample(draws=200, tune=200, chains=2, random_seed=3, progressbar=False)
        f_pred = gp.conditional("f_pred", X_new)
        pp = pm.sample_posterior_predictive(idata, var_names=["f_pred"], random_seed=4)
    assert f_pred.shape == (8,)
    draws = pp.posterior_predictive["f_pred"].values  # (chain, draw, 8)
    assert draws.shape == (2, 200, 8)
    # E[f_pred] = E over the posterior of predict's conditional mean; both estimated from the
    # same draws, so compare within the MCSE of the draws' mean
    post = idata.posterior
    means = np.array(
        [
            gp.predict(
                X_new,
                point={k: float(post[k].values[c, d]) for k in ("ls", "eta", "sigma")},
                diag=True,
            )[0]
            for c in range(2)
            for d in range(0, 200, 10)
        ]
    )
    for j in range(8):
        x = draws[..., j]
        mcse = x.std() / np.sqrt(ess(x))
        assert abs(x.mean() - means[:, j].mean()) < 4 * mcse + 4 * means[:, j].std() / np.sqrt(
            len(means)
        )
    mu, var = gp.predict(X_new, point=mp, diag=True)
    assert mu.shape == (8,) and var.shape == (8,) and np.all(var > 0)


@pytest.mark.slow
def test_gp_regression_example_runs(tmp_path, monkeypatch):
    from examples.gp_regression import run

    monkeypatch.chdir(tmp_path)
    res = run(n=20, n_new=15, draws=100, tune=150, chains=2, plot=True)
    assert (tmp_path / "out" / "gp_regression.png").exists()
    assert res["f_pred"].shape == (2, 100, 15)


@pytest.mark.slow
def test_hsgp_example_recovers_the_function():
    from examples.hsgp import run

    res = run(n=2000, draws=200, tune=300, chains=2)
    est = res["f_new"].mean(axis=(0, 1))
    assert np.max(np.abs(est - res["f_true_new"])) < 0.3
    assert abs(float(res["idata"].posterior["sigma"].mean()) - 0.5) < 0.05
