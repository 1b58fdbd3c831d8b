"""The tutorial's 16 models in current PyMC, ported minimally from the PyMC3 code.

The port changes only what current PyMC requires: ``sigma=`` for ``sd=``, ``pm.math`` for
``theano.tensor``, plain arrays for ``theano.shared``, ``compute_corr=False`` so that
``pm.LKJCholeskyCov`` still returns the packed Cholesky factor, and
``pm.math.expand_packed_triangular`` (moved out of the root namespace).

``observed=y - mu``: current PyMC refuses observed data that depends on random variables, so
the residual likelihood the tutorial writes is kept as a ``pm.Potential`` carrying
``Normal(0, sigma).logp(y - mu)``, which is exactly the density PyMC3 evaluated.

Runs in ``.venv-anchors`` only. ``sample(model, sampler=...)`` picks PyMC's own NUTS
(``"pymc"``) or nutpie (``"nutpie"``) through ``pm.sample(nuts_sampler=...)``.
"""

from __future__ import annotations

import numpy as np
import pymc as pm


def sum_two_rvs(data):
    with pm.Model() as example:
        a = pm.Normal("a", 2, 0.5)
        b = pm.Normal("b", 3, 0.2)
        pm.Deterministic("c", a + b)
    return example


def coin(data):
    with pm.Model() as example2:
        p = pm.Beta("a", 1, 1)
        pm.Binomial("likelihood", n=10, p=p, observed=8)
    return example2


def simple_regression(data):
    with pm.Model() as simple_regression_model:
        # data
        x1 = pm.Data("x1", data["x1"])
        y1 = pm.Data("y1", data["y1"])

        # prior
        alpha = pm.Normal("intercept", 0, 10)
        beta = pm.Normal("coeff", 0, 10)
        sigma = pm.Exponential("error", lam=1)

        mu = alpha + beta * x1

        pm.Normal("y_hat", mu, sigma, observed=y1)
    return simple_regression_model


def multivariate_regression(data):
    with pm.Model() as independent_regression_model:
        # data
        x1 = pm.Data("x1", data["x1"])
        x2 = pm.Data("x2", data["x2"])
        y1 = pm.Data("y1", data["y1"])

        # prior
        alpha = pm.Normal("intercept_1", 0, 10)
        beta_1 = pm.Normal("coeff_1", 0, 10)
        beta_2 = pm.Normal("coeff_2", 0, 10)
        sigma = pm.Exponential("error", lam=1)

        mu = alpha + beta_1 * x1 + beta_2 * x2
        pm.Normal("y_hat", mu, sigma, observed=y1)
    return independent_regression_model


def pipe_confound(data):
    with pm.Model() as pipe_confound:
        # data
        x1 = pm.Data("x1", data["x1"])
        x2 = pm.Data("x2", data["x2"])
        y1 = pm.Data("y1", data["y1"])

        # prior
        alpha_1 = pm.Normal("intercept_1", 0, 10)
        beta_1 = pm.Normal("coeff_1", 0, 2)

        beta_2 = pm.Normal("coeff_2", 0, 2)
        sigma = pm.Exponential("error_2", lam=1)

        mu = alpha_1 + beta_1 * x1 + beta_2 * x2
        pm.Normal("y_hat", mu, sigma, observed=y1)
    return pipe_confound


def path_analysis(data):
    with pm.Model() as path_analysis_model:
        # data
        x1 = pm.Data("x1", data["x1"])
        x2 = pm.Data("x2", data["x2"])
        y1 = pm.Data("y1", data["y1"])

        # prior
        alpha_1 = pm.Normal("intercept_1", 0, 10)
        beta_1 = pm.Normal("coeff_1", 0, 2)
        sigma_1 = pm.Exponential("error_1", lam=1)

        alpha_2 = pm.Normal("intercept_2", 0, 10)
        beta_2 = pm.Normal("coeff_2", 0, 2)
        sigma_2 = pm.Exponential("error_2", lam=1)

        mu_1 = alpha_1 + beta_1 * x1
        x2_hat = pm.Normal("x2_hat", mu_1, sigma_1, observed=x2)

        mu_2 = alpha_2 + beta_2 * x2_hat
        pm.Normal("y_hat", mu_2, sigma_2, observed=y1)
    return path_analysis_model


def no_fork(data):
    with pm.Model() as no_fork_model:
        x = pm.Data("x", data["x"])
        y = pm.Data("y", data["y"])

        alpha = pm.Normal("intercept", 0, 1)
        beta = pm.Normal("slope", 0, 1)
        sigma = pm.Exponential("error", lam=1)

        mu = alpha + beta * x
        pm.Normal("y_hat", mu, sigma, observed=y)
    return no_fork_model


def fork(data):
    with pm.Model() as fork_model:
        x = pm.Data("x", data["x"])
        z = pm.Data("z", data["z"])
        y = pm.Data("y", data["y"])

        alpha = pm.Normal("intercept", 0, 1)
        beta_x = pm.Normal("slope_x", 0, 1)
        beta_z = pm.Normal("slope_z", 0, 1)
        sigma = pm.Exponential("error", lam=1)

        mu = alpha + beta_x * x + beta_z * z
        pm.Normal("y_hat", mu, sigma, observed=y)
    return fork_model


def _residual_normal(name, sigma, residual):
    """The tutorial's ``pm.Normal(name, 0, sigma, observed=residual)``, as current PyMC allows."""
    return pm.Potential(name, pm.logp(pm.Normal.dist(0, sigma), residual))


def include_collider(data):
    with pm.Model() as include_collider_model:
        x = pm.Data("x", data["x"])
        z = pm.Data("z", data["z"])
        y = pm.Data("y", data["y"])

        alpha = pm.Normal("intercept", 0, 1)
        beta_x = pm.Normal("slope_x", 0, 1)
        beta_z = pm.Normal("slope_z", 0, 1)
        sigma = pm.Exponential("error", lam=1)

        mu = alpha + beta_x * x + beta_z * z
        _residual_normal("y_hat", sigma, y - mu)
    return include_collider_model


def exclude_collider(data):
    with pm.Model() as exclude_collider_model:
        x = pm.Data("x", data["x"])
        y = pm.Data("y", data["y"])

        alpha = pm.Normal("intercept", 0, 1)
        beta_x = pm.Normal("slope_x", 0, 1)
        sigma = pm.Exponential("error", lam=1)

        mu = alpha + beta_x * x
        _residual_normal("y_hat", sigma, y - mu)
    return exclude_collider_model


def combined_confounds(data):
    with pm.Model() as combined_model_exclude_collider:
        x1 = pm.Data("x1", data["x1"])
        x2 = pm.Data("x2", data["x2"])
        y = pm.Data("y", data["y"])

        alpha_1 = pm.Normal("intercept_1", 0, 1)
        beta_1 = pm.Normal("slope_1", 0, 1)
        beta_2 = pm.Normal("slope_2", 0, 1)
        beta_3 = pm.Normal("slope_3", 0, 1)

        sigma_1 = pm.Exponential("error_1", lam=1)
        sigma_2 = pm.Exponential("error_2", lam=1)

        x2_hat = pm.Normal("x2_hat", beta_1 * x1 + alpha_1, sigma_1, observed=x2)
        pm.Normal("y_hat", beta_2 * x2_hat + beta_3 * x1, sigma_2, observed=y)
    return combined_model_exclude_collider


def categorical(data):
    with pm.Model() as categorical_model:
        x1 = data["x1"]
        x2 = data["x2"]
        y1 = pm.Data("y1", data["y1"])

        cat_x1 = pm.Normal("cat_x1", 0, 1, shape=len(np.unique(data["x1"])))
        cat_x2 = pm.Normal("cat_x2", 0, 1, shape=len(np.unique(data["x2"])))
        sigma = pm.Exponential("error", lam=1)

        mu = cat_x1[x1] + cat_x2[x2]
        pm.Normal("y_hat", mu, sigma, observed=y1)
    return categorical_model


def pooled_categorical(data):
    with pm.Model() as pooled_categorical_model:
        x1 = data["x1"]
        x2 = data["x2"]
        y1 = pm.Data("y1", data["y1"])

        pooled_x2_mu = pm.Normal("pooled_x2_mu", 0, 1)
        pooled_x2_sigma = pm.Exponential("pooled_x2_sigma", lam=1)

        cat_x1 = pm.Normal("cat_x1", 0, 1, shape=len(np.unique(data["x1"])))
        cat_x2 = pm.Normal(
            "cat_x2", pooled_x2_mu, pooled_x2_sigma, shape=len(np.unique(data["x2"]))
        )
        sigma = pm.Exponential("error", lam=1)

        mu = cat_x1[x1] + cat_x2[x2]
        pm.Normal("y_hat", mu, sigma, observed=y1)
    return pooled_categorical_model


def no_heterogeneity(data):
    with pm.Model() as no_heterogenous_model:
        x1 = data["x1"]
        x2 = data["x2"]
        y1 = pm.Data("y1", data["y1"])

        cat_x1 = pm.Normal("cat_x1", 0, 1, shape=len(np.unique(data["x1"])))
        cat_x2 = pm.Normal("cat_x2", 0, 1, shape=len(np.unique(data["x2"])))
        sigma = pm.Exponential("error", lam=1)

        mu = cat_x1[x1] + cat_x2[x2]
        pm.Normal("y_hat", mu, sigma, observed=y1)
    return no_heterogenous_model


def heterogeneity(data):
    with pm.Model() as heterogenous_model:
        x1 = data["x1"]
        x2 = data["x2"]
        y1 = pm.Data("y1", data["y1"])

        error = pm.Exponential("error", lam=1)

        # these blocks of codes create covariance matrix for every x1,x2 pairs
        # Compute the covariance matrix
        a_bar = pm.Normal("a_bar", mu=0, sigma=2)
        b_bar = pm.Normal("b_bar", mu=0, sigma=2)
        sigma = pm.Exponential.dist(lam=1)
        packed_chol = pm.LKJCholeskyCov("chol_cov", eta=2, n=2, sd_dist=sigma, compute_corr=False)
        chol = pm.math.expand_packed_triangular(2, packed_chol, lower=True)
        cov = pm.math.dot(chol, chol.T)
        # Extract the standard deviations and rho
        sigma_ab = pm.Deterministic("sigma_ab", pm.math.sqrt(pm.math.diag(cov)))
        corr = pm.math.diag(sigma_ab**-1).dot(cov.dot(pm.math.diag(sigma_ab**-1)))
        pm.Deterministic("Rho", corr[np.triu_indices(2, k=1)])

        ab_cat = pm.MvNormal(
            "ab_did",
            mu=[a_bar, b_bar],
            chol=chol,
            shape=(len(np.unique(data["x1"])), len(np.unique(data["x2"]))),
        )

        # calculate mean of y_hat from the multivariate Normal distribution
        mu = ab_cat[x1, x2]
        pm.Normal("y_hat", mu, error, observed=y1)
    return heterogenous_model


def bernoulli_treatment(data):
    with pm.Model() as count_heterogenous_model:
        x1 = data["x1"]
        x2 = data["x2"]
        y1 = data["y1"]

        # prior
        prob1 = pm.Beta("treatment effect", alpha=1, beta=1, shape=(3, 2))
        # likelihood
        pm.Bernoulli("y_hat", p=prob1[x1, x2], observed=y1)
        pm.Deterministic("diff", prob1[:, 1] - prob1[:, 0])
    return count_heterogenous_model


BUILDERS = {
    f.__name__: f
    for f in (
        sum_two_rvs,
        coin,
        simple_regression,
        multivariate_regression,
        pipe_confound,
        path_analysis,
        no_fork,
        fork,
        include_collider,
        exclude_collider,
        combined_confounds,
        categorical,
        pooled_categorical,
        no_heterogeneity,
        heterogeneity,
        bernoulli_treatment,
    )
}


def build(name, data):
    return BUILDERS[name](data)


def sample(model, *, sampler="pymc", draws=1000, tune=1000, chains=2, random_seed=0):
    """Sample with PyMC's NUTS (``sampler="pymc"``), nutpie's default diagonal adaptation
    (``"nutpie"``) or nutpie's low-rank modified mass matrix (``"nutpie_lowrank"``). Warm-up
    statistics are kept (``warmup_sample_stats``) so that gradient evaluations can be counted."""
    kwargs = {}
    if sampler == "nutpie_lowrank":
        sampler = "nutpie"
        kwargs["nuts_sampler_kwargs"] = {"adaptation": "low_rank"}
    with model:
        return pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=random_seed,
            progressbar=False,
            nuts_sampler=sampler,
            discard_tuned_samples=False,
            **kwargs,
        )
