"""The fork controlled for: y regressed on x and on the common cause z."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import contains, hdi, interval, near, pm_sd, post

TITLE = "Common cause (fork) controlled for"
NAME = "fork_model"
CLAIM = (
    "We see that the coefficient of x (slope_x) encompasses 0, indicating that x has no direct "
    "causal effect on y."
)
TRUTH = {"intercept": 0.0, "slope_x": 0.0, "slope_z": 2.0, "error": 0.1}


def make_data():
    # fmt: off
    np.random.seed(2025)
    beta1 = 3
    beta2 = 2
    z = np.random.normal(loc=10, scale=3, size=1000)
    x = z*beta1 + np.random.normal(loc=0, scale=0.1, size=1000)
    y = beta2*z + np.random.normal(loc=0, scale=0.1, size=1000)
    data = pd.DataFrame({'x':x,'z': z,'y': y})
    return data


def run(pm=None):
    """The tutorial's code; returns (model, trace, data)."""
    if pm is None:  # credo; the benchmark passes PyMC here
        import credo as pm

    # fmt: off
    data = make_data()
    with pm.Model() as fork_model:
        x = pm.Data('x',data['x'].values)
        z = pm.Data('z',data['z'].values)
        y = pm.Data('y',data['y'].values)

        #alpha = pm.Normal('intercept',0,2)
        alpha = pm.Normal('intercept',0,1)
        beta_x = pm.Normal('slope_x',0,1)
        beta_z = pm.Normal('slope_z',0,1)
        sigma = pm.Exponential('error',lam=1)

        mu = alpha + beta_x*x + beta_z*z
        #mu = pm.Deterministic('mu',alpha + beta_x*z + beta_z*z)
        y_hat = pm.Normal('y_hat',mu,sigma,observed=y)#-mu + sigma)
        trace_fork = pm.sample(500,tune=1500,chains=2, cores=2, target_accept=0.95)
    return fork_model, trace_fork, data


def check(trace):
    """slope_x's 94% HDI contains 0 and slope_z is within 3 posterior sd of 2."""
    sx, sz = post(trace, "slope_x"), post(trace, "slope_z")
    iv = hdi(sx)
    holds = bool(contains(iv, 0.0)) and near(sz, 2.0)
    return holds, (
        f"the 94% HDI of slope_x {interval(iv)} contains 0, so x has no direct effect on y; "
        f"slope_z = {pm_sd(sz)} is z's effect, 2"
    )
