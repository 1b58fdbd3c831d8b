"""The tutorial's 16 models written for credo exactly as the PyMC3 tutorial writes them.

PyMC3 spellings are kept (``sd=``, ``lam=``, the packed ``pm.LKJCholeskyCov`` with
``pm.expand_packed_triangular``, ``observed=y - mu``, ``pm.Beta('treatment effect', ...)``).
The only edits are the ones that do not concern the modelling API: ``theano.shared(...)`` and
``data[...].values`` become plain numpy arrays, ``theano.tensor`` functions are spelled
``pm.math``, and every model samples with the benchmark's common settings
(``draws=1000, tune=1000, chains=2``, fixed seed, no progress bar) instead of the tutorial's
per-model ``pm.sample(...)`` arguments.

Each function builds its model and samples it, returning the ArviZ ``DataTree``.
Runs in credo's own ``.venv``.
"""

# Tutorial code keeps its variable names even where they are unused.
# ruff: noqa: F841
from __future__ import annotations

import numpy as np

import credo as pm


def _sample(draws, tune, chains, random_seed):
    return pm.sample(
        draws=draws, tune=tune, chains=chains, random_seed=random_seed, progressbar=False
    )


def sum_two_rvs(data, draws=1000, tune=1000, chains=2, random_seed=None):
    # adding 2 random variables in Pymc3
    with pm.Model() as example:
        a = pm.Normal("a", 2, 0.5)
        b = pm.Normal("b", 3, 0.2)
        c = pm.Deterministic("c", a + b)
        trace_1 = _sample(draws, tune, chains, random_seed)
    return trace_1


def coin(data, draws=1000, tune=1000, chains=2, random_seed=None):
    # calculating posterior distribution
    with pm.Model() as example2:
        p = pm.Beta("a", 1, 1)
        likelihhod = pm.Binomial("likelihood", n=10, p=p, observed=8)
        trace_2 = _sample(draws, tune, chains, random_seed)
    return trace_2


def simple_regression(data, draws=1000, tune=1000, chains=2, random_seed=None):
    with pm.Model() as simple_regression_model:
        # data
        x1 = pm.Data("x1", data["x1"])
        y1 = pm.Data("y1", data["y1"])

        # prior
        alpha = pm.Normal("intercept", 0, 10)
        beta = pm.Normal("coeff", 0, 10)
        sigma = pm.Exponential("error", lam=1)

        mu = alpha + beta * x1

        y_hat = pm.Normal("y_hat", mu, sigma, observed=y1)

        trace_simple_regression = _sample(draws, tune, chains, random_seed)
    return trace_simple_regression


def multivariate_regression(data, draws=1000, tune=1000, chains=2, random_seed=None):
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
        y_hat = pm.Normal("y_hat", mu, sigma, observed=y1)

        trace_independent_regression = _sample(draws, tune, chains, random_seed)
    return trace_independent_regression


def pipe_confound(data, draws=1000, tune=1000, chains=2, random_seed=None):
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
        y_hat = pm.Normal("y_hat", mu, sigma, observed=y1)

        trace_pipe_confound = _sample(draws, tune, chains, random_seed)
    return trace_pipe_confound


def path_analysis(data, draws=1000, tune=1000, chains=2, random_seed=None):
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
        y_hat = pm.Normal("y_hat", mu_2, sigma_2, observed=y1)

        trace_path_analysis = _sample(draws, tune, chains, random_seed)
    return trace_path_analysis


def no_fork(data, draws=1000, tune=1000, chains=2, random_seed=None):
    with pm.Model() as no_fork_model:
        x = pm.Data("x", data["x"])
        y = pm.Data("y", data["y"])

        # alpha = pm.Normal('intercept',0,2)
        alpha = pm.Normal("intercept", 0, 1)
        beta = pm.Normal("slope", 0, 1)
        sigma = pm.Exponential("error", lam=1)

        mu = alpha + beta * x
        y_hat = pm.Normal("y_hat", mu, sigma, observed=y)
        trace_no_fork = _sample(draws, tune, chains, random_seed)
    return trace_no_fork


def fork(data, draws=1000, tune=1000, chains=2, random_seed=None):
    with pm.Model() as fork_model:
        x = pm.Data("x", data["x"])
        z = pm.Data("z", data["z"])
        y = pm.Data("y", data["y"])

        # alpha = pm.Normal('intercept',0,2)
        alpha = pm.Normal("intercept", 0, 1)
        beta_x = pm.Normal("slope_x", 0, 1)
        beta_z = pm.Normal("slope_z", 0, 1)
        sigma = pm.Exponential("error", lam=1)

        mu = alpha + beta_x * x + beta_z * z
        # mu = pm.Deterministic('mu',alpha + beta_x*z + beta_z*z)
        y_hat = pm.Normal("y_hat", mu, sigma, observed=y)  # -mu + sigma)
        trace_fork = _sample(draws, tune, chains, random_seed)
    return trace_fork


def include_collider(data, draws=1000, tune=1000, chains=2, random_seed=None):
    with pm.Model() as include_collider_model:
        x = pm.Data("x", data["x"])
        z = pm.Data("z", data["z"])
        y = pm.Data("y", data["y"])

        alpha = pm.Normal("intercept", 0, 1)
        beta_x = pm.Normal("slope_x", 0, 1)
        beta_z = pm.Normal("slope_z", 0, 1)
        sigma = pm.Exponential("error", lam=1)

        mu = alpha + beta_x * x + beta_z * z
        y_hat = pm.Normal("y_hat", 0, sigma, observed=y - mu)
        trace_include_collider = _sample(draws, tune, chains, random_seed)
    return trace_include_collider


def exclude_collider(data, draws=1000, tune=1000, chains=2, random_seed=None):
    with pm.Model() as exclude_collider_model:
        x = pm.Data("x", data["x"])
        y = pm.Data("y", data["y"])

        alpha = pm.Normal("intercept", 0, 1)
        beta_x = pm.Normal("slope_x", 0, 1)
        sigma = pm.Exponential("error", lam=1)

        mu = alpha + beta_x * x
        y_hat = pm.Normal("y_hat", 0, sigma, observed=y - mu)
        trace_exclude_collider = _sample(draws, tune, chains, random_seed)
    return trace_exclude_collider


def combined_confounds(data, draws=1000, tune=1000, chains=2, random_seed=None):
    with pm.Model() as combined_model_exclude_collider:
        x1 = pm.Data("x1", data["x1"])
        x2 = pm.Data("x2", data["x2"])
        y = pm.Data("y", data["y"])

        # alpha = pm.Normal('intercept',0,2)
        alpha_1 = pm.Normal("intercept_1", 0, 1)
        beta_1 = pm.Normal("slope_1", 0, 1)
        beta_2 = pm.Normal("slope_2", 0, 1)
        beta_3 = pm.Normal("slope_3", 0, 1)

        sigma_1 = pm.Exponential("error_1", lam=1)
        sigma_2 = pm.Exponential("error_2", lam=1)

        x2_hat = pm.Normal("x2_hat", beta_1 * x1 + alpha_1, sigma_1, observed=x2)
        y_hat = pm.Normal("y_hat", beta_2 * x2_hat + beta_3 * x1, sigma_2, observed=y)
        trace_exclude_collider = _sample(draws, tune, chains, random_seed)
    return trace_exclude_collider


def categorical(data, draws=1000, tune=1000, chains=2, random_seed=None):
    with pm.Model() as categorical_model:
        x1 = data["x1"]
        x2 = data["x2"]
        y1 = pm.Data("y1", data["y1"])

        cat_x1 = pm.Normal("cat_x1", 0, 1, shape=len(np.unique(data["x1"])))
        cat_x2 = pm.Normal("cat_x2", 0, 1, shape=len(np.unique(data["x2"])))
        sigma = pm.Exponential("error", lam=1)

        mu = cat_x1[x1] + cat_x2[x2]  # + alpha
        y_hat = pm.Normal("y_hat", mu, sigma, observed=y1)
        trace_categorical = _sample(draws, tune, chains, random_seed)
    return trace_categorical


def pooled_categorical(data, draws=1000, tune=1000, chains=2, random_seed=None):
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
        y_hat = pm.Normal("y_hat", mu, sigma, observed=y1)
        trace_pooled_categorical = _sample(draws, tune, chains, random_seed)
    return trace_pooled_categorical


def no_heterogeneity(data, draws=1000, tune=1000, chains=2, random_seed=None):
    with pm.Model() as no_heterogenous_model:
        x1 = data["x1"]
        x2 = data["x2"]
        y1 = pm.Data("y1", data["y1"])

        # alpha = pm.Normal('intercept',0,2)
        cat_x1 = pm.Normal("cat_x1", 0, 1, shape=len(np.unique(data["x1"])))
        cat_x2 = pm.Normal("cat_x2", 0, 1, shape=len(np.unique(data["x2"])))
        sigma = pm.Exponential("error", lam=1)

        mu = cat_x1[x1] + cat_x2[x2]  # + alpha
        y_hat = pm.Normal("y_hat", mu, sigma, observed=y1)
        trace_no_heterogenous = _sample(draws, tune, chains, random_seed)
    return trace_no_heterogenous


def heterogeneity(data, draws=1000, tune=1000, chains=2, random_seed=None):
    with pm.Model() as heterogenous_model:
        x1 = data["x1"]
        x2 = data["x2"]
        y1 = pm.Data("y1", data["y1"])

        error = pm.Exponential("error", lam=1)

        # these blocks of codes create covariance matrix for every x1,x2 pairs
        # Compute the covariance matrix
        a_bar = pm.Normal("a_bar", mu=0, sd=2)
        b_bar = pm.Normal("b_bar", mu=0, sd=2)
        sigma = pm.Exponential.dist(lam=1)
        packed_chol = pm.LKJCholeskyCov("chol_cov", eta=2, n=2, sd_dist=sigma)
        chol = pm.expand_packed_triangular(2, packed_chol, lower=True)
        cov = pm.math.dot(chol, chol.T)
        # Extract the standard deviations and rho
        sigma_ab = pm.Deterministic("sigma_ab", pm.math.sqrt(pm.math.diag(cov)))
        corr = pm.math.diag(sigma_ab**-1).dot(cov.dot(pm.math.diag(sigma_ab**-1)))
        r = pm.Deterministic("Rho", corr[np.triu_indices(2, k=1)])

        ab_cat = pm.MvNormal(
            "ab_did",
            mu=[a_bar, b_bar],
            chol=chol,
            shape=(len(np.unique(data["x1"])), len(np.unique(data["x2"]))),
        )

        # calculate mean of y_hat from the multivariate Normal distribution
        mu = ab_cat[x1, x2]
        y_hat = pm.Normal("y_hat", mu, error, observed=y1)
        trace_heterogenous = _sample(draws, tune, chains, random_seed)
    return trace_heterogenous


def bernoulli_treatment(data, draws=1000, tune=1000, chains=2, random_seed=None):
    with pm.Model() as count_heterogenous_model:
        x1 = data["x1"]
        x2 = data["x2"]
        y1 = data["y1"]

        # prior
        prob1 = pm.Beta("treatment effect", alpha=1, beta=1, shape=(3, 2))
        # likelihood
        y_hat = pm.Bernoulli("y_hat", p=prob1[x1, x2], observed=y1)
        diff = pm.Deterministic("diff", prob1[:, 1] - prob1[:, 0])
        trace_count_heterogenous = _sample(draws, tune, chains, random_seed)
    return trace_count_heterogenous


MODELS = {
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


def run(name, data, *, draws=1000, tune=1000, chains=2, random_seed=None):
    """Build model `name` and sample it; returns the ArviZ DataTree."""
    return MODELS[name](data, draws=draws, tune=tune, chains=chains, random_seed=random_seed)
