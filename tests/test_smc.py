"""sample_smc: the log marginal likelihood against closed forms, within the Monte Carlo
error measured across independent chains (mean over chains within 4 standard errors),
a bimodal target with both modes found, and errors."""

import numpy as np
import pytest
from scipy import stats
from scipy.special import betaln, gammaln

import credo as pm


def _within_mcse(values, exact):
    values = np.asarray(values)
    se = values.std(ddof=1) / np.sqrt(len(values))
    assert abs(values.mean() - exact) < 4 * se, (values, exact, se)


@pytest.mark.slow
def test_beta_binomial_marginal_likelihood_and_posterior():
    a, b, n, k = 2.0, 3.0, 30, 9
    exact = (
        gammaln(n + 1)
        - gammaln(k + 1)
        - gammaln(n - k + 1)
        + betaln(a + k, b + n - k)
        - betaln(a, b)
    )
    with pm.Model():
        p = pm.Beta("p", a, b)
        pm.Binomial("k", n=n, p=p, observed=k)
        idata = pm.sample_smc(1000, chains=8, random_seed=1, progressbar=False)
    lml = idata["sample_stats"]["log_marginal_likelihood"]
    assert lml.dims == ("chain",) and lml.shape == (8,)
    _within_mcse(lml.values, exact)
    p = idata["posterior"]["p"].values
    assert p.shape == (8, 1000)
    post = stats.beta(a + k, b + n - k)
    # Resampled particles are not independent: an effective size of draws / 10 at least.
    assert abs(p.mean() - post.mean()) < 4 * post.std() / np.sqrt(p.size / 10)
    assert np.all(idata["sample_stats"]["beta"].values[:, -1] == 1.0)


@pytest.mark.slow
def test_normal_model_marginal_likelihood_with_the_mh_kernel_and_a_bayes_factor():
    rng = np.random.default_rng(2)
    y = rng.normal(0.7, 1.0, size=10)

    with pm.Model() as model:  # one compiled program for both priors: the sd is Data
        prior_sd = pm.Data("prior_sd", 1.0)
        mu = pm.Normal("mu", 0, prior_sd)
        pm.Normal("y", mu, 1.0, observed=y)

    def exact(sd):
        cov = np.eye(len(y)) + sd**2
        return stats.multivariate_normal(np.zeros(len(y)), cov).logpdf(y)

    runs = {}
    for sd in (1.0, 10.0):
        pm.set_data({"prior_sd": sd}, model=model)
        idata = pm.sample_smc(
            1000, kernel=pm.smc.MH, chains=8, model=model, random_seed=3, progressbar=False
        )
        runs[sd] = idata["sample_stats"]["log_marginal_likelihood"].values
        _within_mcse(runs[sd], exact(sd))
    runs_compiled = [v for k, v in model.compiled()._cache.items() if k[0] == "smc"]
    assert len(runs_compiled) == 1 and runs_compiled[0]._cache_size() == 1  # no retrace
    # The log Bayes factor of the narrow prior over the wide one, from independent chains.
    _within_mcse(runs[1.0] - runs[10.0], exact(1.0) - exact(10.0))


@pytest.mark.slow
def test_bimodal_target_both_modes_found():
    with pm.Model():
        x = pm.Normal("x", 0, 5)
        # Half the mass near -3, half near 3, nothing in between.
        modes = pm.math.stack([_normal_logpdf(x, -3.0, 0.5), _normal_logpdf(x, 3.0, 0.5)])
        pm.Potential("modes", pm.math.logsumexp(modes) + np.log(0.5))
        idata = pm.sample_smc(2000, chains=4, random_seed=4, progressbar=False)
    x = idata["posterior"]["x"].values
    right = (x > 0).mean(axis=1)  # per chain
    _within_mcse(right, 0.5)
    assert np.all((right > 0.2) & (right < 0.8))
    np.testing.assert_allclose(np.abs(x).mean(), 3.0, atol=0.1)
    exact = stats.norm(0, np.sqrt(25 + 0.25)).logpdf(3.0)
    _within_mcse(idata["sample_stats"]["log_marginal_likelihood"].values, exact)


def _normal_logpdf(x, mu, sd):
    return -0.5 * ((x - mu) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)


def test_bad_input():
    with pm.Model():
        pm.Normal("x", 0, 1)
        with pytest.raises(ValueError, match="unknown kernel 'HMC'"):
            pm.sample_smc(100, kernel="HMC")
        with pytest.raises(ValueError, match="threshold must be in"):
            pm.sample_smc(100, threshold=1.5)
    with pm.Model():
        pm.Poisson("k", 2.0)
        with pytest.raises(pm.ModelError, match=r"\['k'\] are discrete"):
            pm.sample_smc(100)
