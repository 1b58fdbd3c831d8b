"""The collider excluded: y regressed on x alone."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import contains, hdi, interval, post

TITLE = "Collider excluded (the right model)"
NAME = "exclude_collider_model"
CLAIM = (
    "To get a correct estimate of x and y, you have to exclude the collider [...] and here is "
    "the correct model that exclude collider."
)
# y ~ N(2, 3) independently of x.
TRUTH = {"intercept": 2.0, "slope_x": 0.0, "error": 3.0}


def make_data():
    # fmt: off
    np.random.seed(2025)
    beta1 = 3
    beta2 = 2
    x = np.random.normal(loc=10, scale=3, size=100)
    y = np.random.normal(loc=2, scale=3, size=100)
    z = x*beta1 + y*beta2 + np.random.normal(loc=0, scale=0.1, size=100)
    data = pd.DataFrame({'x':x,'z': z,'y': y})
    return data


def run(pm=None):
    """The tutorial's code; returns (model, trace, data)."""
    if pm is None:  # credo; the benchmark passes PyMC here
        import credo as pm

    # fmt: off
    data = make_data()
    with pm.Model() as exclude_collider_model:
        x = pm.Data('x',data['x'].values)
        y = pm.Data('y',data['y'].values)

        alpha = pm.Normal('intercept',0,1)
        beta_x = pm.Normal('slope_x',0,1)
        sigma = pm.Exponential('error',lam=1)

        mu = alpha + beta_x*x
        y_hat = pm.Normal('y_hat',0,sigma,observed=y-mu)
        trace_exclude_collider = pm.sample(500,tune=1500,chains=2, cores=2, target_accept=0.95)
    return exclude_collider_model, trace_exclude_collider, data


def check(trace):
    """slope_x's 94% HDI contains 0."""
    iv = hdi(post(trace, "slope_x"))
    return bool(contains(iv, 0.0)), (
        f"without the collider, the 94% HDI of slope_x {interval(iv)} contains 0: x has no "
        "effect on y"
    )
