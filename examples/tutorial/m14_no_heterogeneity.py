"""A treatment x2 whose effect differs between classes x1, fitted without the interaction."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import hdi, interval, mean_sd, num, post

TITLE = "Treatment effect without heterogeneity"
NAME = "no_heterogenous_model"
CLAIM = "The interval includes zero, indicating x2 has no effect in the population."
# y1 = beta3[x1, x2] + noise: x2 changes y1 by -1, +4.5 and +6 in the three x1 classes.
BETA3 = np.array([[2, 1], [-2.5, 2], [-3, 3]])
TRUTH = {"error": 0.1}
NOTE = (
    "The data-generating cell effects are beta3 = [[2, 1], [-2.5, 2], [-3, 3]] (rows: x1, "
    "columns: x2); this additive model has no parameter for them. The tutorial's sentence "
    "does not hold for this data: x2's single effect here is clearly positive (see the check)."
)


def make_data():
    # fmt: off
    np.random.seed(2025)
    beta3 = np.array([[2,1],[-2.5,2],[-3,3]]) # x1->x2

    x1 = np.random.choice(3,size=100)
    x2 = np.random.choice(2,size=100)
    y1 = beta3[x1,x2] + np.random.normal(loc=0, scale=0.1, size=100)# + beta1[x1] + beta2[x2]
    data = pd.DataFrame({'x1': x1,'x2': x2,'y1': y1})
    return data


def run(pm=None):
    """The tutorial's code; returns (model, trace, data)."""
    if pm is None:  # credo; the benchmark passes PyMC here
        import credo as pm

    # fmt: off
    data = make_data()
    with pm.Model() as no_heterogenous_model:
        x1 = data['x1'].values
        x2 = data['x2'].values
        y1 = pm.Data('y1',data['y1'].values)

        #alpha = pm.Normal('intercept',0,2)
        cat_x1 = pm.Normal('cat_x1',0,1,shape=len(data['x1'].unique()))
        cat_x2 = pm.Normal('cat_x2',0,1,shape=len(data['x2'].unique()))
        sigma = pm.Exponential('error',lam=1)

        mu = cat_x1[x1] + cat_x2[x2] #+ alpha
        y_hat = pm.Normal('y_hat',mu,sigma,observed=y1)
        trace_no_heterogenous = pm.sample(500,tune=1500,chains=2, cores=2, target_accept=0.95)
    return no_heterogenous_model, trace_no_heterogenous, data


def check(trace):
    """The single x2 effect cat_x2[1] - cat_x2[0] lies between the smallest and largest
    class effect (-1 and 6), and the error is over 10 times the noise (0.1)."""
    cat_x2 = post(trace, "cat_x2")
    effect = cat_x2[..., 1] - cat_x2[..., 0]
    iv = hdi(effect)
    m = float(effect.mean())
    err, _ = mean_sd(post(trace, "error"))
    holds = -1.0 < m < 6.0 and err > 10 * 0.1
    return bool(holds), (
        f"without the interaction the model gives x2 one effect, cat_x2[1] - cat_x2[0] = "
        f"{num(m)} (94% HDI {interval(iv)}), an average of the class effects -1, +4.5, +6, "
        f"and an error of {num(err)}, {num(err / 0.1, 2)} times the noise: it cannot show "
        "that x2's effect depends on x1. (The tutorial reads an interval including 0 here; "
        f"on this data the HDI {'includes' if iv[0] <= 0 <= iv[1] else 'excludes'} 0)"
    )
