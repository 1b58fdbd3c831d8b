"""Closed-form posteriors through the whole stack (model -> NUTS -> InferenceData).

Tolerances come from Monte Carlo standard errors: every mean within 4 MCSE of the exact
posterior mean, every sd within 10% of the exact sd, R-hat < 1.01. Seeds are fixed.
"""

import arviz as az
import numpy as np
import pytest
from scipy import stats

import credo as pm


def _check(idata, name, mean, sd, rel_sd=0.10):
    post = idata["posterior"].to_dataset()[[name]]
    draws = post[name].values
    flat = draws.reshape(-1, *draws.shape[2:])
    mcse = az.mcse(post, method="mean")[name].values
    rhat = az.rhat(post)[name].values
    mean = np.broadcast_to(mean, flat.shape[1:])
    sd = np.broadcast_to(sd, flat.shape[1:])
    z = np.abs(flat.mean(0) - mean) / mcse
    assert np.all(z < 4), f"{name}: |mean - exact| / MCSE = {np.max(z):.2f}"
    rel = np.abs(flat.std(0, ddof=1) / sd - 1)
    assert np.all(rel < rel_sd), f"{name}: sd off by {np.max(rel):.1%}"
    assert np.all(rhat < 1.01), f"{name}: R-hat {np.max(rhat):.3f}"


def test_normal_mean_known_sigma():
    rng = np.random.default_rng(11)
    y = rng.normal(1.5, 2.0, size=25)
    prior_sd, sigma = 10.0, 2.0
    prec = 1 / prior_sd**2 + len(y) / sigma**2
    exact_mean, exact_sd = (y.sum() / sigma**2) / prec, prec**-0.5
    with pm.Model():
        mu = pm.Normal("mu", 0, prior_sd)
        pm.Normal("y", mu, sigma, observed=y)
        idata = pm.sample(1000, tune=1000, chains=2, random_seed=1, progressbar=False)
    _check(idata, "mu", exact_mean, exact_sd)


def test_gamma_poisson():
    rng = np.random.default_rng(12)
    y = rng.poisson(3.0, size=30)
    a, b = 2.0, 0.5
    post = stats.gamma(a + y.sum(), scale=1 / (b + len(y)))
    with pm.Model():
        lam = pm.Gamma("lam", alpha=a, beta=b)
        pm.Poisson("y", lam, observed=y)
        idata = pm.sample(1000, tune=1000, chains=2, random_seed=2, progressbar=False)
    _check(idata, "lam", post.mean(), post.std())


def test_beta_binomial_groups():
    n = np.array([10, 50, 200, 5])
    k = np.array([3, 40, 20, 5])
    post = stats.beta(1 + k, 1 + n - k)
    with pm.Model():
        p = pm.Beta("p", 1, 1, shape=4)
        pm.Binomial("k", n=n, p=p, observed=k)
        idata = pm.sample(1000, tune=1000, chains=2, random_seed=3, progressbar=False)
    _check(idata, "p", post.mean(), post.std())


def test_dirichlet_multinomial():
    counts = np.array([12, 3, 30, 5])
    alpha = np.ones(4) + counts
    exact = stats.dirichlet(alpha)
    with pm.Model():
        w = pm.Dirichlet("w", a=np.ones(4))
        pm.Multinomial("c", n=counts.sum(), p=w, observed=counts)
        idata = pm.sample(1000, tune=1000, chains=2, random_seed=4, progressbar=False)
    _check(idata, "w", exact.mean(), np.sqrt(exact.var()))


def test_correlated_gaussian_dense_mass_matrix():
    cov = np.array([[1.0, 0.99 * 3.0], [0.99 * 3.0, 9.0]])
    with pm.Model():
        pm.MvNormal("x", mu=np.array([1.0, -2.0]), cov=cov)
        idata = pm.sample(
            1000, tune=1000, chains=2, random_seed=5, progressbar=False, init="jitter+adapt_full"
        )
    _check(idata, "x", np.array([1.0, -2.0]), np.sqrt(np.diag(cov)))
    # The dense metric decorrelates the target: short trees after adaptation.
    depth = idata["sample_stats"]["tree_depth"].values
    assert depth.mean() < 4


@pytest.mark.slow
def test_100d_gaussian_with_spread_scales():
    scales = np.logspace(-2, 2, 100)
    with pm.Model():
        pm.Normal("x", 0, scales, shape=100)
        idata = pm.sample(1000, tune=1000, chains=2, random_seed=6, progressbar=False)
    _check(idata, "x", np.zeros(100), scales)
