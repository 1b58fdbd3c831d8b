"""Several confounds at once: a pipe x1 -> x2 -> y, a direct path x1 -> y, and a collider z
of x1 and y; the model keeps x2 and leaves z out."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import contains, hdi, interval, pm_sd, post

TITLE = "Combined confounds (collider excluded)"
NAME = "combined_model_exclude_collider"
CLAIM = "The correct way to do the regression is to exclude z but include x2."
TRUTH = {
    "intercept_1": 0.0,
    "slope_1": 3.0,
    "slope_2": 2.0,
    "slope_3": -2.0,
    "error_1": 0.1,
    "error_2": 0.5,
}
NOTE = (
    "x2 is almost 3 x1, so the data fix 3 slope_2 + slope_3 (x1's total effect, 4) tightly and "
    "slope_2, slope_3 separately only loosely (posterior correlation near -1); along that "
    "ridge the N(0, 1) priors pull both towards 0 (least squares: 2.02, -2.06)."
)


def make_data():
    # fmt: off
    np.random.seed(2025)
    beta1 = 3
    beta2 = 2
    beta3 = -2
    beta4 = -1
    beta5 = 5
    x1 = np.random.normal(loc=10, scale=3, size=1000)
    x2 = x1*beta1 + np.random.normal(loc=0, scale=0.1, size=1000)
    y = x1*beta3 + x2*beta2+ np.random.normal(loc=0, scale=0.5, size=1000)
    z = x1*beta4 + y*beta5 + np.random.normal(loc=0, scale=0.1, size=1000)
    data = pd.DataFrame({'x1':x1,'x2':x2,'z': z,'y': y})
    return data


def run(pm=None):
    """The tutorial's code; returns (model, trace, data)."""
    if pm is None:  # credo; the benchmark passes PyMC here
        import credo as pm

    # fmt: off
    data = make_data()
    with pm.Model() as combined_model_exclude_collider:
        x1 = pm.Data('x1',data['x1'].values)
        x2 = pm.Data('x2',data['x2'].values)
        y = pm.Data('y',data['y'].values)

        #alpha = pm.Normal('intercept',0,2)
        alpha_1 = pm.Normal('intercept_1',0,1)
        beta_1 = pm.Normal('slope_1',0,1)
        beta_2 = pm.Normal('slope_2',0,1)
        beta_3 = pm.Normal('slope_3',0,1)

        sigma_1 = pm.Exponential('error_1',lam=1)
        sigma_2 = pm.Exponential('error_2',lam=1)

        x2_hat = pm.Normal('x2_hat',beta_1*x1 + alpha_1,sigma_1,observed=x2)
        y_hat = pm.Normal('y_hat',beta_2*x2_hat + beta_3*x1,sigma_2,observed=y)
        trace_exclude_collider = pm.sample(500,tune=1500,chains=2, cores=2, target_accept=0.95)
    return combined_model_exclude_collider, trace_exclude_collider, data


def check(trace):
    """The 94% HDIs of slope_1, slope_2, slope_3 contain 3, 2, -2; slope_3's lies below 0;
    3 slope_2 + slope_3 is within 0.05 of 4."""
    s1, s2, s3 = (post(trace, f"slope_{i}") for i in (1, 2, 3))
    i1, i2, i3 = hdi(s1), hdi(s2), hdi(s3)
    total = 3 * s2 + s3
    holds = (
        contains(i1, 3.0)
        and contains(i2, 2.0)
        and contains(i3, -2.0)
        and i3[1] < 0
        and abs(float(total.mean()) - 4.0) < 0.05
    )
    return bool(holds), (
        f"with x2 in and z out, the 94% HDIs contain the true effects: x1 -> x2 slope_1 "
        f"{interval(i1)} (3), x2 -> y slope_2 {interval(i2)} (2), and x1's direct effect "
        f"slope_3 {interval(i3)} (-2) is negative; x1's total effect 3 slope_2 + slope_3 = "
        f"{pm_sd(total)} (4)"
    )
