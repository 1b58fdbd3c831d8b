"""Single precision (``CREDO_FLOAT32=1``): a smoke subset of the suite.

Run by ``make test`` in a process of its own (``CREDO_FLOAT32=1 pytest tests/float32``), since
the precision is fixed when credo is imported; skipped in the double-precision run. The
closed-form posteriors are the double-precision suite's own tests, with its MCSE tolerances.
"""

import jax
import numpy as np
import pytest

if jax.config.jax_enable_x64:
    pytest.skip("single-precision run only (CREDO_FLOAT32=1)", allow_module_level=True)

import credo as pm  # noqa: E402
from tests.statistical.test_posteriors import (  # noqa: E402, F401  (collected here again)
    test_beta_binomial_groups,
    test_dirichlet_multinomial,
    test_gamma_poisson,
    test_normal_mean_known_sigma,
)


def test_values_are_single_precision():
    with pm.Model():
        mu = pm.Normal("mu", 0, 1)
        w = pm.Dirichlet("w", np.ones(3))
        k = pm.Poisson("k", 3.0)
        pm.Normal("y", mu, 1, observed=[0.1, 0.2])
        prior = pm.sample_prior_predictive(draws=50, random_seed=1)
    assert prior.prior["mu"].dtype == np.float32
    assert prior.prior["k"].dtype == np.int32
    sums = prior.prior["w"].values.sum(-1)
    assert np.all(np.abs(sums - 1) < 1e-5)
    assert mu.dtype == np.float32 and w.dtype == np.float32 and k.dtype == np.int32


def test_hierarchical_lkj_and_predictive():
    rng = np.random.default_rng(3)
    y = rng.multivariate_normal([0.0, 1.0], [[1.0, 0.5], [0.5, 2.0]], size=100)
    with pm.Model():
        chol, _, _ = pm.LKJCholeskyCov(
            "chol", n=2, eta=2.0, sd_dist=pm.Exponential.dist(1.0), compute_corr=True
        )
        mu = pm.Normal("mu", 0, 5, shape=2)
        pm.MvNormal("y", mu, chol=chol, observed=y)
        idata = pm.sample(300, tune=300, chains=2, random_seed=4, progressbar=False)
        pp = pm.sample_posterior_predictive(idata, random_seed=5, progressbar=False)
    assert idata.posterior["mu"].dtype == np.float32
    assert int(idata.sample_stats["diverging"].sum()) == 0
    assert np.all(np.isfinite(pp.posterior_predictive["y"].values))


def test_find_map_single_precision():
    with pm.Model():
        mu = pm.Normal("mu", 0, 10)
        sigma = pm.HalfNormal("sigma", 5)
        pm.Normal("y", mu, sigma, observed=np.array([1.0, 2.0, 3.0, 4.0]))
        mp = pm.find_MAP(progressbar=False)
    # The exact optimum, in double precision: mu = 2.5 shrunk by the prior, sigma^2 the
    # mean squared deviation plus the HalfNormal's pull (solved by fixed-point iteration).
    y = np.array([1.0, 2.0, 3.0, 4.0])
    mu_hat, s2 = 2.5, 1.25
    for _ in range(200):
        mu_hat = (y.sum() / s2) / (len(y) / s2 + 1 / 100)
        ss = ((y - mu_hat) ** 2).sum()
        # d/dsigma: -n/sigma + ss/sigma^3 - sigma/25 = 0  ->  n s2 + s2^2/25 = ss
        s2 = (-len(y) + np.sqrt(len(y) ** 2 + 4 * ss / 25)) / (2 / 25)
    assert abs(float(mp["mu"]) - mu_hat) < 1e-4 * (1 + abs(mu_hat))
    assert abs(float(mp["sigma"]) - np.sqrt(s2)) < 1e-3


def test_compound_sampling_single_precision():
    with pm.Model():
        k = pm.DiscreteUniform("k", 0, 10)
        b = pm.Bernoulli("b", 0.5, shape=3)
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("y", mu + 0.1 * k + b, 1, observed=[0.1, 0.2, 1.5])
        idata = pm.sample(100, tune=100, chains=2, random_seed=1, progressbar=False)
    post = idata["posterior"]
    assert post["mu"].dtype == np.float32
    assert np.issubdtype(post["k"].dtype, np.integer) and np.issubdtype(post["b"].dtype, np.integer)
    assert post["k"].values.min() >= 0 and post["k"].values.max() <= 10
    assert set(np.unique(post["b"].values)) <= {0, 1}
    assert np.isfinite(post["mu"].values).all()
