"""The tutorial's 16 models in NumPyro, with the tutorial's variable names.

Same priors and likelihoods as the PyMC port (``anchor_pymc.py``). The LKJ model samples the
standard deviations (``Exponential(1)``) and the LKJ(eta=2) Cholesky correlation factor
separately, which is the density PyMC's ``LKJCholeskyCov`` defines. ``observed=y - mu`` is
written as it is in the tutorial (NumPyro accepts observed values that depend on parameters).

Importing this module sets the host device count before JAX starts, so that the chains run in
parallel on the CPU (``chain_method="parallel"``), and enables 64-bit floats, as PyMC and
credo compute in float64. Runs in ``.venv-anchors`` only.
"""

from __future__ import annotations

import os
import time

import numpyro

numpyro.set_host_device_count(int(os.environ.get("BENCH_HOST_DEVICES", "2")))
numpyro.enable_x64()

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import numpyro.distributions as dist  # noqa: E402
from numpyro.infer import MCMC, NUTS  # noqa: E402


def sum_two_rvs(data):
    a = numpyro.sample("a", dist.Normal(2, 0.5))
    b = numpyro.sample("b", dist.Normal(3, 0.2))
    numpyro.deterministic("c", a + b)


def coin(data):
    p = numpyro.sample("a", dist.Beta(1, 1))
    numpyro.sample("likelihood", dist.Binomial(10, probs=p), obs=8)


def simple_regression(data):
    alpha = numpyro.sample("intercept", dist.Normal(0, 10))
    beta = numpyro.sample("coeff", dist.Normal(0, 10))
    sigma = numpyro.sample("error", dist.Exponential(1))
    mu = alpha + beta * data["x1"]
    numpyro.sample("y_hat", dist.Normal(mu, sigma), obs=data["y1"])


def multivariate_regression(data):
    alpha = numpyro.sample("intercept_1", dist.Normal(0, 10))
    beta_1 = numpyro.sample("coeff_1", dist.Normal(0, 10))
    beta_2 = numpyro.sample("coeff_2", dist.Normal(0, 10))
    sigma = numpyro.sample("error", dist.Exponential(1))
    mu = alpha + beta_1 * data["x1"] + beta_2 * data["x2"]
    numpyro.sample("y_hat", dist.Normal(mu, sigma), obs=data["y1"])


def pipe_confound(data):
    alpha_1 = numpyro.sample("intercept_1", dist.Normal(0, 10))
    beta_1 = numpyro.sample("coeff_1", dist.Normal(0, 2))
    beta_2 = numpyro.sample("coeff_2", dist.Normal(0, 2))
    sigma = numpyro.sample("error_2", dist.Exponential(1))
    mu = alpha_1 + beta_1 * data["x1"] + beta_2 * data["x2"]
    numpyro.sample("y_hat", dist.Normal(mu, sigma), obs=data["y1"])


def path_analysis(data):
    alpha_1 = numpyro.sample("intercept_1", dist.Normal(0, 10))
    beta_1 = numpyro.sample("coeff_1", dist.Normal(0, 2))
    sigma_1 = numpyro.sample("error_1", dist.Exponential(1))
    alpha_2 = numpyro.sample("intercept_2", dist.Normal(0, 10))
    beta_2 = numpyro.sample("coeff_2", dist.Normal(0, 2))
    sigma_2 = numpyro.sample("error_2", dist.Exponential(1))
    mu_1 = alpha_1 + beta_1 * data["x1"]
    x2_hat = numpyro.sample("x2_hat", dist.Normal(mu_1, sigma_1), obs=data["x2"])
    mu_2 = alpha_2 + beta_2 * x2_hat
    numpyro.sample("y_hat", dist.Normal(mu_2, sigma_2), obs=data["y1"])


def no_fork(data):
    alpha = numpyro.sample("intercept", dist.Normal(0, 1))
    beta = numpyro.sample("slope", dist.Normal(0, 1))
    sigma = numpyro.sample("error", dist.Exponential(1))
    mu = alpha + beta * data["x"]
    numpyro.sample("y_hat", dist.Normal(mu, sigma), obs=data["y"])


def fork(data):
    alpha = numpyro.sample("intercept", dist.Normal(0, 1))
    beta_x = numpyro.sample("slope_x", dist.Normal(0, 1))
    beta_z = numpyro.sample("slope_z", dist.Normal(0, 1))
    sigma = numpyro.sample("error", dist.Exponential(1))
    mu = alpha + beta_x * data["x"] + beta_z * data["z"]
    numpyro.sample("y_hat", dist.Normal(mu, sigma), obs=data["y"])


def include_collider(data):
    alpha = numpyro.sample("intercept", dist.Normal(0, 1))
    beta_x = numpyro.sample("slope_x", dist.Normal(0, 1))
    beta_z = numpyro.sample("slope_z", dist.Normal(0, 1))
    sigma = numpyro.sample("error", dist.Exponential(1))
    mu = alpha + beta_x * data["x"] + beta_z * data["z"]
    numpyro.sample("y_hat", dist.Normal(0, sigma), obs=data["y"] - mu)


def exclude_collider(data):
    alpha = numpyro.sample("intercept", dist.Normal(0, 1))
    beta_x = numpyro.sample("slope_x", dist.Normal(0, 1))
    sigma = numpyro.sample("error", dist.Exponential(1))
    mu = alpha + beta_x * data["x"]
    numpyro.sample("y_hat", dist.Normal(0, sigma), obs=data["y"] - mu)


def combined_confounds(data):
    alpha_1 = numpyro.sample("intercept_1", dist.Normal(0, 1))
    beta_1 = numpyro.sample("slope_1", dist.Normal(0, 1))
    beta_2 = numpyro.sample("slope_2", dist.Normal(0, 1))
    beta_3 = numpyro.sample("slope_3", dist.Normal(0, 1))
    sigma_1 = numpyro.sample("error_1", dist.Exponential(1))
    sigma_2 = numpyro.sample("error_2", dist.Exponential(1))
    x1 = data["x1"]
    x2_hat = numpyro.sample("x2_hat", dist.Normal(beta_1 * x1 + alpha_1, sigma_1), obs=data["x2"])
    numpyro.sample("y_hat", dist.Normal(beta_2 * x2_hat + beta_3 * x1, sigma_2), obs=data["y"])


def _categorical(data, cat_x2_prior):
    n1, n2 = data["n_x1"], data["n_x2"]
    cat_x1 = numpyro.sample("cat_x1", dist.Normal(0, 1).expand([n1]))
    cat_x2 = numpyro.sample("cat_x2", cat_x2_prior.expand([n2]))
    sigma = numpyro.sample("error", dist.Exponential(1))
    mu = cat_x1[data["x1"]] + cat_x2[data["x2"]]
    numpyro.sample("y_hat", dist.Normal(mu, sigma), obs=data["y1"])


def categorical(data):
    _categorical(data, dist.Normal(0, 1))


def pooled_categorical(data):
    pooled_x2_mu = numpyro.sample("pooled_x2_mu", dist.Normal(0, 1))
    pooled_x2_sigma = numpyro.sample("pooled_x2_sigma", dist.Exponential(1))
    _categorical(data, dist.Normal(pooled_x2_mu, pooled_x2_sigma))


def no_heterogeneity(data):
    _categorical(data, dist.Normal(0, 1))


def heterogeneity(data):
    error = numpyro.sample("error", dist.Exponential(1))
    a_bar = numpyro.sample("a_bar", dist.Normal(0, 2))
    b_bar = numpyro.sample("b_bar", dist.Normal(0, 2))
    # LKJCholeskyCov(eta=2, n=2, sd_dist=Exponential(1)): stds and correlation factor.
    stds = numpyro.sample("chol_cov_stds", dist.Exponential(1).expand([2]))
    corr_chol = numpyro.sample("chol_cov_corr_chol", dist.LKJCholesky(2, concentration=2.0))
    chol = stds[:, None] * corr_chol
    cov = jnp.dot(chol, chol.T)
    sigma_ab = numpyro.deterministic("sigma_ab", jnp.sqrt(jnp.diag(cov)))
    corr = jnp.diag(sigma_ab**-1).dot(cov.dot(jnp.diag(sigma_ab**-1)))
    numpyro.deterministic("Rho", corr[np.triu_indices(2, k=1)])
    mvn = dist.MultivariateNormal(jnp.stack([a_bar, b_bar]), scale_tril=chol)
    ab_cat = numpyro.sample("ab_did", mvn.expand([data["n_x1"]]))  # shape (n_x1, 2)
    mu = ab_cat[data["x1"], data["x2"]]
    numpyro.sample("y_hat", dist.Normal(mu, error), obs=data["y1"])


def bernoulli_treatment(data):
    prob1 = numpyro.sample("treatment effect", dist.Beta(1, 1).expand([3, 2]))
    numpyro.sample("y_hat", dist.Bernoulli(probs=prob1[data["x1"], data["x2"]]), obs=data["y1"])
    numpyro.deterministic("diff", prob1[:, 1] - prob1[:, 0])


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


def prepare(data):
    """Device arrays for the model, and the category counts the tutorial takes from the data.

    The counts are static (they set parameter shapes), so they stay out of the traced arrays.
    """
    arrays = {k: jnp.asarray(v) for k, v in data.items()}
    counts = {}
    for k in ("x1", "x2"):
        if k in data and np.issubdtype(np.asarray(data[k]).dtype, np.integer):
            counts[f"n_{k}"] = len(np.unique(data[k]))
    return arrays, counts


class TimedPmap:
    """``chain_method`` for NumPyro: ``jax.pmap`` over the chains, compiled ahead of time.

    Behaves as ``chain_method="parallel"`` but records the compile time and the execution time
    (initialisation, warmup and sampling) separately, so sampling time is measured, not guessed.
    """

    def __init__(self):
        self.compile_s = 0.0
        self.execute_s = 0.0

    def __call__(self, fn):
        def mapped(map_args):
            t0 = time.perf_counter()
            compiled = jax.pmap(fn).lower(map_args).compile()
            t1 = time.perf_counter()
            out = jax.block_until_ready(compiled(map_args))
            self.compile_s += t1 - t0
            self.execute_s += time.perf_counter() - t1
            return out

        return mapped


def sample(name, data, *, draws=1000, tune=1000, chains=2, random_seed=0):
    """Run NUTS on model `name`, chains in parallel over the host devices.

    Returns ``(mcmc, run_seconds, timer)``; ``timer.execute_s`` is the time spent running the
    compiled sampler (init + warmup + draws), ``timer.compile_s`` the time spent compiling it.
    """
    arrays, counts = prepare(data)
    fn = MODELS[name]

    def model(arrays):
        return fn({**arrays, **counts})

    timer = TimedPmap()
    mcmc = MCMC(
        NUTS(model),
        num_warmup=tune,
        num_samples=draws,
        num_chains=chains,
        chain_method=timer if jax.local_device_count() >= chains else "vectorized",
        progress_bar=False,
    )
    t0 = time.perf_counter()
    mcmc.run(jax.random.PRNGKey(random_seed), arrays, extra_fields=("diverging",))
    jax.block_until_ready(mcmc.get_samples())
    return mcmc, time.perf_counter() - t0, timer


def to_idata(mcmc):
    import arviz as az

    return az.from_numpyro(mcmc)
