"""Automatic imputation of missing observations: the variables it registers, the warning,
its log-density against a hand-built model, and its posterior against the exact one."""

import numpy as np
import pytest
from scipy import stats

import credo as pm
from credo.sampling.diagnostics import ess_bulk

WARNING = "Data in y contains missing values and will be automatically imputed"


def _check_draws(draws, mean, sd, rel_sd=0.1):
    """(chain, draw, k) draws: each mean within 4 MCSE of the exact one, sd within rel_sd."""
    draws = np.asarray(draws).reshape(draws.shape[0], draws.shape[1], -1)
    mean = np.broadcast_to(mean, draws.shape[-1:])
    sd = np.broadcast_to(sd, draws.shape[-1:])
    for i in range(draws.shape[-1]):
        x = draws[..., i]
        mcse = x.std() / np.sqrt(ess_bulk(x))
        assert abs(x.mean() - mean[i]) < 4 * mcse, (i, x.mean(), mean[i], mcse)
        assert abs(x.std() / sd[i] - 1) < rel_sd, (i, x.std(), sd[i])


def test_nan_entries_become_free_variables():
    y = np.array([1.0, np.nan, 2.0, np.nan, 0.5])
    with pm.Model(coords={"obs": range(5)}) as model:
        mu = pm.Normal("mu", 0, 10)
        with pytest.warns(pm.ImputationWarning, match=WARNING):
            out = pm.Normal("y", mu, 1, observed=y, dims="obs")
    assert out is model["y"] and out.shape == (5,)
    assert [v.name for v in model.free_RVs] == ["mu", "y_unobserved"]
    assert [v.name for v in model.observed_RVs] == ["y_observed"]
    assert model["y_unobserved"].shape == (2,)
    assert model.named_vars_to_dims["y"] == ("obs",)
    np.testing.assert_array_equal(model["y_observed"].observed, [1.0, 2.0, 0.5])
    # The joint density is the hand-built model's: observed and missing entries alike.
    point = {"mu": np.array(0.3), "y_unobserved": np.array([-1.0, 2.5])}
    full = np.array([1.0, -1.0, 2.0, 2.5, 0.5])
    expected = stats.norm(0, 10).logpdf(0.3) + stats.norm(0.3, 1).logpdf(full).sum()
    np.testing.assert_allclose(model.logp(point), expected, rtol=1e-12)


def test_masked_array_and_broadcast_parameters():
    data = np.ma.masked_array([[1.0, 2.0], [3.0, 4.0]], mask=[[False, True], [True, False]])
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 1, shape=2)
        with pytest.warns(pm.ImputationWarning, match=WARNING):
            pm.Normal("y", mu, [1.0, 2.0], observed=data)
    assert model["y"].shape == (2, 2) and model["y_unobserved"].shape == (2,)
    point = {"mu": np.array([0.1, -0.2]), "y_unobserved": np.array([5.0, 6.0])}
    full = np.array([[1.0, 5.0], [6.0, 4.0]])
    expected = stats.norm(0, 1).logpdf([0.1, -0.2]).sum()
    expected += stats.norm([0.1, -0.2], [1.0, 2.0]).logpdf(full).sum()
    np.testing.assert_allclose(model.logp(point), expected, rtol=1e-12)


def test_data_container_with_nan_is_imputed_and_set_data_changes_observed_entries():
    with pm.Model() as model:
        yd = pm.Data("y_data", np.array([0.5, np.nan, 1.5]))
        mu = pm.Normal("mu", 0, 1)
        with pytest.warns(pm.ImputationWarning, match=WARNING):
            pm.Normal("y", mu, 1, observed=yd)
    point = {"mu": np.array(0.0), "y_unobserved": np.array([0.2])}
    before = model.logp(point)
    np.testing.assert_allclose(
        before, stats.norm(0, 1).logpdf([0.0, 0.5, 0.2, 1.5]).sum(), rtol=1e-12
    )
    pm.set_data({"y_data": np.array([1.0, np.nan, 1.5])}, model=model)
    after = model.logp(point)
    np.testing.assert_allclose(after, stats.norm(0, 1).logpdf([0.0, 1.0, 0.2, 1.5]).sum())


@pytest.mark.slow
def test_posterior_of_missing_values_matches_conjugate_posterior():
    rng = np.random.default_rng(3)
    y = rng.normal(1.0, 1.0, size=12)
    y[[2, 7]] = np.nan
    obs = y[~np.isnan(y)]
    prior_sd, sigma = 3.0, 1.0
    prec = 1 / prior_sd**2 + len(obs) / sigma**2
    post_mean, post_var = obs.sum() / sigma**2 / prec, 1 / prec
    with pm.Model():
        mu = pm.Normal("mu", 0, prior_sd)
        with pytest.warns(pm.ImputationWarning):
            pm.Normal("y", mu, sigma, observed=y)
        idata = pm.sample(1000, tune=500, chains=2, random_seed=5, progressbar=False)
        pp = pm.sample_posterior_predictive(idata, random_seed=1)
    post = idata["posterior"]
    _check_draws(post["mu"].values, post_mean, post_var**0.5)
    # Each missing value: N(post_mean, sigma^2 + post_var), the posterior predictive.
    _check_draws(post["y_unobserved"].values, post_mean, (sigma**2 + post_var) ** 0.5)
    joined = post["y"].values
    np.testing.assert_array_equal(joined[..., [2, 7]], post["y_unobserved"].values)
    np.testing.assert_array_equal(joined[..., ~np.isnan(y)], np.broadcast_to(obs, (2, 1000, 10)))
    assert pp["posterior_predictive"]["y_observed"].shape == (2, 1000, 10)


@pytest.mark.slow
def test_multivariate_partially_missing_rows_match_the_conditional_normal():
    mean = np.array([0.0, 1.0])
    cov = np.array([[1.0, 0.8], [0.8, 2.0]])
    data = np.array([[0.5, np.nan], [np.nan, -1.0], [0.2, 0.3]])
    with pm.Model() as model:
        with pytest.warns(pm.ImputationWarning):
            pm.MvNormal("y", mean, cov=cov, observed=data)
        idata = pm.sample(1000, tune=500, chains=2, random_seed=2, progressbar=False)
        prior = pm.sample_prior_predictive(2000, random_seed=3)
    assert [v.name for v in model.free_RVs] == ["y_unobserved"]
    assert type(model["y_unobserved"].distribution).__name__ == "MvNormal"
    # x2 | x1 = a ~ N(m2 + c12/c11 (a - m1), c22 - c12^2/c11), and symmetrically.
    m_a = mean[1] + cov[0, 1] / cov[0, 0] * (0.5 - mean[0])
    s_a = (cov[1, 1] - cov[0, 1] ** 2 / cov[0, 0]) ** 0.5
    m_b = mean[0] + cov[0, 1] / cov[1, 1] * (-1.0 - mean[1])
    s_b = (cov[0, 0] - cov[0, 1] ** 2 / cov[1, 1]) ** 0.5
    _check_draws(idata["posterior"]["y_unobserved"].values, [m_a, m_b], [s_a, s_b])
    # Prior draws of the missing entries are the marginals of the whole variable.
    draws = prior["prior"]["y_unobserved"].values[0]
    se = np.sqrt(np.array([cov[1, 1], cov[0, 0]]) / 2000)
    assert np.all(np.abs(draws.mean(0) - [mean[1], mean[0]]) < 4 * se)


def test_nan_in_a_predictor_is_refused_naming_it():
    with pm.Model():
        x = pm.Data("x", np.array([1.0, np.nan, 3.0]))
        b = pm.Normal("b", 0, 1)
        with pytest.raises(ValueError, match="'y'.*Data 'x'.*1 NaN"):
            pm.Normal("y", b * x, 1, observed=np.ones(3))


def test_imputed_names_must_be_free():
    with pm.Model():
        pm.Normal("y_unobserved", 0, 1)
        with pytest.warns(pm.ImputationWarning), pytest.raises(pm.ModelError, match="y_unob"):
            pm.Normal("y", 0, 1, observed=[1.0, np.nan])
