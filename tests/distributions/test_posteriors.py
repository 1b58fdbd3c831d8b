"""Known parameters recovered by pm.sample: a mixture, a censored and a truncated
regression, a random walk and a ZeroSumNormal model.

Data are simulated with fixed seeds from known parameters; each posterior mean must lie
within 4 standard errors of the truth, the standard error combining the posterior sd
(the data's information) and the Monte Carlo standard error; R-hat < 1.01.
"""

from __future__ import annotations

from typing import Any

import arviz as az
import numpy as np

import credo as pm

SAMPLE = dict(draws=500, tune=500, chains=2, progressbar=False)


def _recovers(idata: Any, name: str, truth: Any) -> None:
    post = idata["posterior"].to_dataset()[[name]]
    draws = post[name].values
    flat = draws.reshape(-1, *draws.shape[2:])
    mcse = np.asarray(az.mcse(post, method="mean")[name].values)
    rhat = np.asarray(az.rhat(post)[name].values)
    se = np.sqrt(flat.std(0, ddof=1) ** 2 + mcse**2)
    z = np.abs(flat.mean(0) - np.asarray(truth)) / se
    assert np.all(z < 4), f"{name}: |mean - truth| / se = {np.max(z):.2f}"
    assert np.all(rhat < 1.01), f"{name}: R-hat {np.max(rhat):.3f}"


def test_normal_mixture_recovers_weights_and_means() -> None:
    rng = np.random.default_rng(1)
    n = 300
    comp = rng.random(n) < 0.3
    y = np.where(comp, rng.normal(-2.0, 1.0, n), rng.normal(2.0, 1.0, n))
    with pm.Model():
        w = pm.Dirichlet("w", a=np.ones(2))
        mu = pm.Normal(
            "mu",
            0.0,
            5.0,
            shape=2,
            transform=pm.distributions.transforms.ordered,
            initval=np.array([-1.0, 1.0]),
        )
        pm.NormalMixture("y", w=w, mu=mu, sigma=1.0, observed=y)
        idata = pm.sample(**{**SAMPLE, "draws": 1000}, random_seed=11)
    _recovers(idata, "w", [0.3, 0.7])
    _recovers(idata, "mu", [-2.0, 2.0])


def test_censored_regression() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=200)
    latent = 0.3 + 0.8 * x + rng.normal(0.0, 0.6, 200)
    y = np.clip(latent, -0.5, 1.0)
    with pm.Model():
        a = pm.Normal("a", 0.0, 2.0)
        b = pm.Normal("b", 0.0, 2.0)
        s = pm.HalfNormal("s", 1.0)
        pm.Censored("y", pm.Normal.dist(a + b * x, s), lower=-0.5, upper=1.0, observed=y)
        idata = pm.sample(**SAMPLE, random_seed=12)
        pred = pm.sample_posterior_predictive(idata, random_seed=1, progressbar=False)
    y_rep = pred["posterior_predictive"]["y"].values
    assert y_rep.shape == (2, 500, 200) and y_rep.min() >= -0.5 and y_rep.max() <= 1.0
    _recovers(idata, "a", 0.3)
    _recovers(idata, "b", 0.8)
    _recovers(idata, "s", 0.6)


def test_truncated_regression() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=600)
    latent = 0.5 + 1.0 * x + rng.normal(0.0, 0.8, 600)
    keep = latent > 0.0
    with pm.Model():
        a = pm.Normal("a", 0.0, 2.0)
        b = pm.Normal("b", 0.0, 2.0)
        s = pm.HalfNormal("s", 1.0)
        pm.Truncated("y", pm.Normal.dist(a + b * x[keep], s), lower=0.0, observed=latent[keep])
        idata = pm.sample(**SAMPLE, random_seed=13)
    _recovers(idata, "a", 0.5)
    _recovers(idata, "b", 1.0)
    _recovers(idata, "s", 0.8)


def test_random_walk_and_ar_recover_their_scales() -> None:
    rng = np.random.default_rng(4)
    walk = np.cumsum(rng.normal(0.2, 0.7, 150))
    ar = np.zeros(200)
    for t in range(1, 200):
        ar[t] = 0.6 * ar[t - 1] + rng.normal(0.0, 0.5)
    with pm.Model():
        drift = pm.Normal("drift", 0.0, 1.0)
        sigma = pm.HalfNormal("sigma", 1.0)
        pm.GaussianRandomWalk(
            "walk", mu=drift, sigma=sigma, init_dist=pm.Normal.dist(0.0, 5.0), observed=walk
        )
        rho = pm.Uniform("rho", -1.0, 1.0)
        s_ar = pm.HalfNormal("s_ar", 1.0)
        pm.AR("ar", rho=rho, sigma=s_ar, init_dist=pm.Normal.dist(0.0, 1.0), observed=ar)
        idata = pm.sample(**SAMPLE, random_seed=14)
    _recovers(idata, "drift", 0.2)
    _recovers(idata, "sigma", 0.7)
    _recovers(idata, "rho", 0.6)
    _recovers(idata, "s_ar", 0.5)


def test_zero_sum_normal_group_effects() -> None:
    rng = np.random.default_rng(5)
    effects = np.array([-1.0, 0.2, 0.8])
    group = np.repeat(np.arange(3), 40)
    y = 2.0 + effects[group] + rng.normal(0.0, 0.5, group.size)
    with pm.Model(coords={"g": list("abc")}):
        mu = pm.Normal("mu", 0.0, 5.0)
        a = pm.ZeroSumNormal("a", sigma=1.0, dims="g")
        pm.Normal("y", mu + a[group], 0.5, observed=y)
        idata = pm.sample(**SAMPLE, random_seed=15)
    draws = idata["posterior"]["a"].values
    np.testing.assert_allclose(draws.sum(-1), 0.0, atol=1e-10)
    _recovers(idata, "a", effects)
    _recovers(idata, "mu", 2.0)
