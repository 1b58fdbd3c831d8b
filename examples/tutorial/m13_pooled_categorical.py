"""The categorical model with x2's class effects drawn from a common (pooled) distribution."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import contains, hdi, interval, near, num, post

TITLE = "Pooled (hierarchical) categorical model"
NAME = "pooled_categorical_model"
CLAIM = (
    "the hierarchical modeling allows us to pool the effect across class into a higher "
    "hierarchical variable. Then each class variable is a variation on the higher variable."
)


def make_data():
    # fmt: off
    np.random.seed(2025)
    beta1 = np.random.normal(loc=0, scale=2, size=5)
    beta2 = np.random.normal(loc=1, scale=1, size=4)

    x1 = np.random.choice(5,size=100)
    x2 = np.random.choice(4,p=[0.1,0.2,0.3,0.4],size=100)
    y1 = beta1[x1] + beta2[x2] + np.random.normal(loc=0, scale=0.1, size=100)
    data = pd.DataFrame({'x1': x1,'x2': x2,'y1': y1})
    return data


_rs = np.random.RandomState(2025)
BETA1 = _rs.normal(loc=0, scale=2, size=5)
BETA2 = _rs.normal(loc=1, scale=1, size=4)
TRUTH = {
    "pooled_x2_mu": 1.0,
    "pooled_x2_sigma": 1.0,
    "cat_x1": BETA1.tolist(),
    "cat_x2": BETA2.tolist(),
    "error": 0.1,
}
NOTE = (
    "As in the categorical model, only differences between classes are identified: "
    "cat_x1 + c, cat_x2 - c and pooled_x2_mu - c fit equally well."
)


def run(pm=None):
    """The tutorial's code; returns (model, trace, data)."""
    if pm is None:  # credo; the benchmark passes PyMC here
        import credo as pm

    # fmt: off
    data = make_data()
    with pm.Model() as pooled_categorical_model:
        x1 = data['x1'].values
        x2 = data['x2'].values
        y1 = pm.Data('y1',data['y1'].values)

        pooled_x2_mu = pm.Normal('pooled_x2_mu',0,1)
        pooled_x2_sigma = pm.Exponential('pooled_x2_sigma',lam=1)

        cat_x1 = pm.Normal('cat_x1',0,1,shape=len(data['x1'].unique()))
        cat_x2 = pm.Normal('cat_x2',pooled_x2_mu,pooled_x2_sigma,shape=len(data['x2'].unique()))
        sigma = pm.Exponential('error',lam=1)

        mu = cat_x1[x1] + cat_x2[x2]
        y_hat = pm.Normal('y_hat',mu,sigma,observed=y1)
        trace_pooled_categorical = pm.sample(500,tune=1500,chains=2, cores=2, target_accept=0.95)
    return pooled_categorical_model, trace_pooled_categorical, data


def contrasts(trace, name):
    """A class effect minus the mean over the classes: what the data identify."""
    da = post(trace, name)
    return da - da.mean(da.dims[-1])


def check(trace):
    """The class contrasts are within 3 posterior sd of the data-generating ones, and
    pooled_x2_sigma's 94% HDI contains the spread (sd) of the four true x2 effects."""
    c1, c2 = contrasts(trace, "cat_x1"), contrasts(trace, "cat_x2")
    spread = float(BETA2.std(ddof=1))
    iv = hdi(post(trace, "pooled_x2_sigma"))
    holds = near(c1, BETA1 - BETA1.mean()) and near(c2, BETA2 - BETA2.mean())
    holds = holds and bool(contains(iv, spread))
    return holds, (
        f"x2's class effects vary around pooled_x2_mu with pooled_x2_sigma in {interval(iv)} "
        f"(94% HDI), which contains the spread {num(spread, 2)} of the four true effects; the "
        "class effects relative to their group's mean are recovered (within 3 sd)"
    )
