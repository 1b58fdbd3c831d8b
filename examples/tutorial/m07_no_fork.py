"""The fork left out: z drives both x and y, and y is regressed on x alone."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import contains, hdi, interval, num, post

TITLE = "Common cause (fork) left out"
NAME = "no_fork_model"
CLAIM = (
    "What we see is that if we do not include the common cause, we observe spurious "
    "correlation that might have led us to think the correlation implies causation."
)
# x = 3 z + noise and y = 2 z + noise: x has no effect on y, yet y is about (2/3) x.
TRUTH = {"slope": 0.0}
NOTE = "The value beside slope is x's causal effect on y (none); y is about (2/3) x through z."


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
    with pm.Model() as no_fork_model:
        x = pm.Data('x',data['x'].values)
        y = pm.Data('y',data['y'].values)

        #alpha = pm.Normal('intercept',0,2)
        alpha = pm.Normal('intercept',0,1)
        beta = pm.Normal('slope',0,1)
        sigma = pm.Exponential('error',lam=1)

        mu = alpha + beta*x
        y_hat = pm.Normal('y_hat',mu,sigma,observed=y)
        trace_no_fork = pm.sample(500,tune=1500,chains=2, cores=2, target_accept=0.95)
    return no_fork_model, trace_no_fork, data


def check(trace):
    """slope's 94% HDI excludes 0 and its mean is within 0.01 of 2/3."""
    slope = post(trace, "slope")
    iv = hdi(slope)
    m = float(slope.mean())
    holds = not contains(iv, 0.0) and abs(m - 2 / 3) < 0.01
    return bool(holds), (
        f"slope = {num(m, 4)} (94% HDI {interval(iv, 4)}) excludes 0: without the common cause "
        "z, x looks like a cause of y (y is about 2/3 x), a spurious correlation"
    )
