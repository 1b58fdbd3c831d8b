"""Multivariate regression with independent predictors: y1 = 2 * x1 + 5 * x2 + noise."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import near, pm_sd, post

TITLE = "Multivariate regression (independent predictors)"
NAME = "independent_regression_model"
CLAIM = "Again the plot shows we can infer back the coefficient values of the regression."
TRUTH = {"intercept_1": 0.0, "coeff_1": 2.0, "coeff_2": 5.0, "error": 0.1}


def make_data():
    # fmt: off
    np.random.seed(2019)
    beta1 = 2
    beta2 = 5
    x1 = np.random.normal(loc=10, scale=3, size=100)
    x2 = np.random.normal(loc=10, scale=3, size=100)
    y1 = beta1*x1 + beta2*x2 + np.random.normal(loc=0, scale=0.1, size=100)
    data = pd.DataFrame({'x1': x1,'x2': x2,'y1': y1})
    return data


def run(pm=None):
    """The tutorial's code; returns (model, trace, data)."""
    if pm is None:  # credo; the benchmark passes PyMC here
        import credo as pm

    # fmt: off
    data = make_data()
    with pm.Model() as independent_regression_model:
        # data
        x1 = pm.Data('x1',data['x1'].values)
        x2 = pm.Data('x2',data['x2'].values)
        y1 = pm.Data('y1',data['y1'].values)

        # prior
        alpha = pm.Normal('intercept_1',0,10)
        beta_1 = pm.Normal('coeff_1',0,10)
        beta_2 = pm.Normal('coeff_2',0,10)
        sigma = pm.Exponential('error',lam=1)

        mu = alpha + beta_1*x1 + beta_2*x2
        y_hat = pm.Normal('y_hat',mu,sigma,observed=y1)

        trace_independent_regression = pm.sample(draws=2000,tune=1000)
    return independent_regression_model, trace_independent_regression, data


def check(trace):
    """coeff_1 and coeff_2 are within 3 posterior sd of 2 and 5."""
    c1, c2 = post(trace, "coeff_1"), post(trace, "coeff_2")
    return near(c1, 2.0) and near(c2, 5.0), (
        f"coeff_1 = {pm_sd(c1, 4)} and coeff_2 = {pm_sd(c2, 4)} recover the coefficients 2 "
        "and 5 (each within 3 sd)"
    )
