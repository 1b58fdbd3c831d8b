"""Two categorical predictors: x1 with 5 classes, x2 with 4, each class its own effect."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import near, post

TITLE = "Categorical predictors"
NAME = "categorical_model"
CLAIM = "Then use the categorical variables as index to the tensor. The rest is just a regression."


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


# The class effects that make_data draws (the same seed and draws).
_rs = np.random.RandomState(2025)
BETA1 = _rs.normal(loc=0, scale=2, size=5)
BETA2 = _rs.normal(loc=1, scale=1, size=4)
TRUTH = {"cat_x1": BETA1.tolist(), "cat_x2": BETA2.tolist(), "error": 0.1}
NOTE = (
    "Without an intercept, cat_x1 + c and cat_x2 - c fit the data equally well for any c, so "
    "the data fix only differences between classes; the N(0, 1) priors set c. Compare "
    "differences, not levels."
)


def run(pm=None):
    """The tutorial's code; returns (model, trace, data)."""
    if pm is None:  # credo; the benchmark passes PyMC here
        import credo as pm

    # fmt: off
    data = make_data()
    with pm.Model() as categorical_model:
        x1 = data['x1'].values
        x2 = data['x2'].values
        y1 = pm.Data('y1',data['y1'].values)

        cat_x1 = pm.Normal('cat_x1',0,1,shape=len(data['x1'].unique()))
        cat_x2 = pm.Normal('cat_x2',0,1,shape=len(data['x2'].unique()))
        sigma = pm.Exponential('error',lam=1)

        mu = cat_x1[x1] + cat_x2[x2] #+ alpha
        y_hat = pm.Normal('y_hat',mu,sigma,observed=y1)
        trace_categorical = pm.sample(500,tune=1500,chains=2, cores=2, target_accept=0.95)
    return categorical_model, trace_categorical, data


def contrasts(trace, name):
    """A class effect minus the mean over the classes: what the data identify."""
    da = post(trace, name)
    return da - da.mean(da.dims[-1])


def check(trace):
    """Each class's effect minus the classes' mean is within 3 posterior sd of the same
    contrast of the data-generating effects."""
    c1, c2 = contrasts(trace, "cat_x1"), contrasts(trace, "cat_x2")
    holds = near(c1, BETA1 - BETA1.mean()) and near(c2, BETA2 - BETA2.mean())
    return holds, (
        "indexing the effect vectors by class recovers all 9 class effects up to the common "
        "shift the model leaves free: each class's effect relative to its group's mean is "
        "within 3 sd of the data-generating one"
    )
