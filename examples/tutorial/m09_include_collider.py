"""The collider included: x and y both cause z, and y is regressed on x and z."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import hdi, interval, post

TITLE = "Collider included (the wrong model)"
NAME = "include_collider_model"
CLAIM = (
    "The result shows x and z seemingly excert opposite causal effect on y, when in fact x has "
    "no effect on y."
)
# z = 3 x + 2 y + noise, so given z, y = (z - 3 x) / 2 - noise / 2: slope_x about -1.5 and
# slope_z about 0.5, although neither x nor z has any effect on y.
TRUTH = {"slope_x": 0.0, "slope_z": 0.0}
NOTE = (
    "The values beside the posterior means are the causal effects (x and z have none on y); "
    "given the collider z, y = (z - 3x)/2 - noise/2, hence slope_x about -1.5 and slope_z "
    "about 0.5."
)


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
    with pm.Model() as include_collider_model:
        x = pm.Data('x',data['x'].values)
        z = pm.Data('z',data['z'].values)
        y = pm.Data('y',data['y'].values)

        alpha = pm.Normal('intercept',0,1)
        beta_x = pm.Normal('slope_x',0,1)
        beta_z = pm.Normal('slope_z',0,1)
        sigma = pm.Exponential('error',lam=1)

        mu = alpha + beta_x*x + beta_z*z
        y_hat = pm.Normal('y_hat',0,sigma,observed=y-mu)
        trace_include_collider = pm.sample(500,tune=1500,chains=2, cores=2, target_accept=0.95)
    return include_collider_model, trace_include_collider, data


def check(trace):
    """slope_x's 94% HDI lies below 0 and slope_z's above 0."""
    ix, iz = hdi(post(trace, "slope_x")), hdi(post(trace, "slope_z"))
    holds = ix[1] < 0 < iz[0]
    return bool(holds), (
        f"slope_x (94% HDI {interval(ix)}) and slope_z ({interval(iz)}) have opposite signs: "
        "with the collider z in the model, x seems to act on y though it has no effect"
    )
