"""Path analysis of the pipe: a chain of two regressions, x1 -> x2 and x2 -> y1."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import near, pm_sd, post

TITLE = "Path analysis (a chain of regressions)"
NAME = "path_analysis_model"
CLAIM = (
    "Or if you want to model the causal process how x1 generate x2 and x2 generate y, you can "
    "do a chain of bayesian regressions."
)
# The pipe's data: x2 = 2 * x1 + noise(0.1); y1 = 5 * x2 + noise(0.1).
TRUTH = {
    "intercept_1": 0.0,
    "coeff_1": 2.0,
    "error_1": 0.1,
    "intercept_2": 0.0,
    "coeff_2": 5.0,
    "error_2": 0.1,
}


def make_data():
    # fmt: off
    np.random.seed(2019)
    beta1 = 2
    beta2 = 5
    x1 = np.random.normal(loc=10, scale=3, size=100)
    x2 = x1 * beta1  + np.random.normal(loc=0, scale=0.1, size=100)
    y1 = beta2*x2 + np.random.normal(loc=0, scale=0.1, size=100)
    data = pd.DataFrame({'x1': x1,'x2': x2,'y1': y1})
    return data


def run(pm=None):
    """The tutorial's code; returns (model, trace, data)."""
    if pm is None:  # credo; the benchmark passes PyMC here
        import credo as pm

    # fmt: off
    data = make_data()
    with pm.Model() as path_analysis_model:
        # data
        x1 = pm.Data('x1',data['x1'].values)
        x2 = pm.Data('x2',data['x2'].values)
        y1 = pm.Data('y1',data['y1'].values)

        # prior
        alpha_1 = pm.Normal('intercept_1',0,10)
        beta_1 = pm.Normal('coeff_1',0,2)
        sigma_1 = pm.Exponential('error_1',lam=1)

        alpha_2 = pm.Normal('intercept_2',0,10)
        beta_2 = pm.Normal('coeff_2',0,2)
        sigma_2 = pm.Exponential('error_2',lam=1)

        mu_1 = alpha_1 + beta_1*x1
        x2_hat = pm.Normal('x2_hat',mu_1,sigma_1,observed=x2)

        mu_2 = alpha_2 + beta_2*x2_hat
        y_hat = pm.Normal('y_hat',mu_2,sigma_2,observed=y1)

        trace_path_analysis = pm.sample(draws=1000,tune=1000)
    return path_analysis_model, trace_path_analysis, data


def check(trace):
    """coeff_1 (x1 -> x2) and coeff_2 (x2 -> y1) are within 3 posterior sd of 2 and 5."""
    c1, c2 = post(trace, "coeff_1"), post(trace, "coeff_2")
    return near(c1, 2.0) and near(c2, 5.0), (
        f"the chain of regressions recovers both links: x1 -> x2 with coeff_1 = {pm_sd(c1, 4)} "
        f"(2) and x2 -> y1 with coeff_2 = {pm_sd(c2, 4)} (5)"
    )
