"""The pipe (a mediator): x1 -> x2 -> y1, and x1 has no direct effect on y1."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import contains, hdi, interval, near, pm_sd, post

TITLE = "Regression with a pipe confound (mediator)"
NAME = "pipe_confound"
CLAIM = (
    "This is a causal process where our independent variable x1 causes some confound x2 that "
    "in turn causes y (x1 itself doesn't cause y). You have to include this type of confound "
    "in the model."
)
# y1 = 5 * x2 + noise: x1 acts on y1 only through x2.
TRUTH = {"intercept_1": 0.0, "coeff_1": 0.0, "coeff_2": 5.0, "error_2": 0.1}


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
    with pm.Model() as pipe_confound:
        # data
        x1 = pm.Data('x1',data['x1'].values)
        x2 = pm.Data('x2',data['x2'].values)
        y1 = pm.Data('y1',data['y1'].values)

        # prior
        alpha_1 = pm.Normal('intercept_1',0,10)
        beta_1 = pm.Normal('coeff_1',0,2)

        beta_2 = pm.Normal('coeff_2',0,2)
        sigma = pm.Exponential('error_2',lam=1)


        mu = alpha_1 + beta_1*x1 + beta_2*x2
        y_hat = pm.Normal('y_hat',mu,sigma,observed=y1)

        trace_pipe_confound = pm.sample(draws=1000,tune=1000)
    return pipe_confound, trace_pipe_confound, data


def check(trace):
    """With the mediator x2 in the model, coeff_1's 94% HDI contains 0 and coeff_2 is within
    3 posterior sd of 5."""
    c1, c2 = post(trace, "coeff_1"), post(trace, "coeff_2")
    iv = hdi(c1)
    holds = bool(contains(iv, 0.0)) and near(c2, 5.0)
    return holds, (
        f"with the mediator x2 in the model, the 94% HDI of coeff_1 {interval(iv)} contains 0 "
        f"(x1 has no direct effect on y1) and coeff_2 = {pm_sd(c2)} is x2's effect, 5"
    )
