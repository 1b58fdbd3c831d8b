"""Pathfinder on a correlated Gaussian (the approximations along an L-BFGS path reach the
target, PSIS's k says so) and on a constrained model; errors."""

import numpy as np
import pytest

import credo as pm

D = 5


def _target():
    lags = np.abs(np.subtract.outer(np.arange(D), np.arange(D)))
    scales = np.sqrt(np.arange(1, D + 1))
    cov = 0.9**lags * np.outer(scales, scales)
    return np.arange(D) - 2.0, cov


@pytest.mark.slow
def test_correlated_gaussian():
    mean, cov = _target()
    with pm.Model():
        pm.MvNormal("x", mean, cov=cov)
        approx = pm.fit(method="pathfinder", random_seed=3)
    assert approx.pareto_k < 0.7
    draws = approx.sample(1000, random_seed=1)["posterior"]["x"].values[0]
    sd = np.sqrt(np.diag(cov))
    # The draws are resampled from a weighted pool: its effective size, then the
    # resampling, bound the Monte Carlo error of their mean.
    mcse = sd * np.sqrt(1 / approx.ess + 1 / len(draws))
    assert np.all(np.abs(draws.mean(0) - mean) < 4 * mcse)
    np.testing.assert_allclose(draws.std(0), sd, rtol=0.15)
    corr = np.corrcoef(draws.T)
    exact_corr = cov / np.outer(sd, sd)
    assert np.max(np.abs(corr - exact_corr)) < 0.1
    assert approx.elbo.shape == (4,) and approx.hist.ndim == 1


@pytest.mark.slow
def test_constrained_model_and_options():
    rng = np.random.default_rng(0)
    with pm.Model():
        mu = pm.Normal("mu", 0, 5)
        s = pm.HalfNormal("s", 2)
        pm.Normal("y", mu, s, observed=rng.normal(1.0, 0.5, size=40))
        pm.Deterministic("s2", s**2)
        approx = pm.fit(method="pathfinder", num_paths=2, num_draws=300, random_seed=2)
    idata = approx.sample(300, random_seed=0)
    post = idata["posterior"]
    assert post["s"].shape == (1, 300) and np.all(post["s"].values > 0)
    np.testing.assert_allclose(post["s2"].values, post["s"].values ** 2)
    assert 0.3 < float(post["s"].median()) < 0.8


def test_bad_input():
    with pm.Model():
        pm.Normal("x", 0, 1)
        with pytest.raises(ValueError, match="importance_sampling must be 'psis'"):
            pm.fit(method="pathfinder", importance_sampling="smc")
    with pm.Model():
        pm.Poisson("k", 1.0)
        with pytest.raises(pm.ModelError, match=r"\['k'\] are discrete"):
            pm.fit(method="pathfinder")
