"""Simple linear regression: y1 = 5 * x1 + noise, with x1 centred."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import near, pm_sd, post

TITLE = "Simple linear regression"
NAME = "simple_regression_model"
CLAIM = (
    "We see here that the distribution averaged around 5, the value of the regression coefficient."
)


def center(x):
    return x - x.mean()


def make_data():
    # fmt: off
    np.random.seed(2019)
    x1 = np.random.normal(loc=10, scale=3, size=100)
    noise = np.random.normal(loc=0, scale=0.1, size=100)
    beta1 =  5
    y1 = beta1*x1 + noise
    data = pd.DataFrame({'x1': center(x1),'y1': y1})
    return data


# x1 is centred, so the intercept is 5 * mean(x1) (the same seed and draws as make_data).
_X1 = np.random.RandomState(2019).normal(loc=10, scale=3, size=100)
TRUTH = {"intercept": 5 * float(_X1.mean()), "coeff": 5.0, "error": 0.1}


def run(pm=None):
    """The tutorial's code; returns (model, trace, data)."""
    if pm is None:  # credo; the benchmark passes PyMC here
        import credo as pm

    # fmt: off
    data = make_data()
    with pm.Model() as simple_regression_model:
        # data
        x1 = pm.Data('x1',data['x1'].values)
        y1 = pm.Data('y1',data['y1'].values)

        # prior
        alpha = pm.Normal('intercept',0,10)
        beta = pm.Normal('coeff',0,10)
        sigma = pm.Exponential('error',lam=1)

        mu = alpha + beta*x1

        y_hat = pm.Normal('y_hat',mu,sigma,observed=y1)

        trace_simple_regression = pm.sample(draws=1000,tune=1000)
    return simple_regression_model, trace_simple_regression, data


def check(trace):
    """coeff is within 3 posterior sd of 5."""
    coeff = post(trace, "coeff")
    return near(coeff, 5.0), (
        f"coeff = {pm_sd(coeff, 4)} is 5, the data-generating coefficient (within 3 sd)"
    )
