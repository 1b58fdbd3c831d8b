"""Binary outcomes: the probability of an event in each (class x1, treatment x2) cell."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import contains, hdi, interval, mcse, near, num, post

TITLE = "Discrete binary events (Bernoulli)"
NAME = "count_heterogenous_model"
CLAIM = "This could be an effect of new treatment (x2) given to a heterogenous (x1) population."
BETA3 = np.array([[0.1, 0.2], [0.2, 0.1], [0.3, 0.3]])
TRUTH = {"treatment effect": BETA3.tolist(), "diff": (BETA3[:, 1] - BETA3[:, 0]).tolist()}


def make_data():
    # fmt: off
    np.random.seed(2020)
    beta3 =  np.array([[0.1,0.2],
                      [0.2,0.1],
                      [0.3,0.3]])

    x1 = np.random.choice(3,size=10000)
    x2 = np.random.choice(2,size=10000)
    p1 = beta3[x1,x2]
    y1 = np.random.binomial(1,p1,size=10000)
    data = pd.DataFrame({'x1': x1,'x2': x2,'y1': y1})
    data.tail()
    return data


def run(pm=None):
    """The tutorial's code; returns (model, trace, data)."""
    if pm is None:  # credo; the benchmark passes PyMC here
        import credo as pm

    # fmt: off
    data = make_data()
    with pm.Model() as count_heterogenous_model:
        x1 = data['x1'].values
        x2 = data['x2'].values
        y1 = data['y1'].values

        # prior
        prob1 = pm.Beta('treatment effect',alpha=1,beta=1,shape=(3,2))
        # likelihood
        y_hat = pm.Bernoulli('y_hat',p = prob1[x1,x2],observed=y1)
        diff = pm.Deterministic('diff', prob1[:,1] - prob1[:,0])
        trace_count_heterogenous = pm.sample()
    return count_heterogenous_model, trace_count_heterogenous, data


def conjugate_means(data):
    """Each cell's exact posterior mean: Beta(1 + events, 1 + non-events)."""
    grouped = data.groupby(["x1", "x2"])["y1"]
    k = grouped.sum().unstack().to_numpy()
    n = grouped.size().unstack().to_numpy()
    return (1 + k) / (2 + n)


def check(trace):
    """The six probabilities match the exact Beta posteriors (means within 4 MCSE) and are
    within 3 posterior sd of beta3; diff's 94% HDI is above 0 in class 0, below 0 in class 1
    and contains 0 in class 2."""
    prob = post(trace, "treatment effect")
    exact = conjugate_means(make_data())
    m = prob.mean(("chain", "draw")).values
    iv = hdi(post(trace, "diff"))
    holds = (
        bool(np.all(np.abs(m - exact) <= 4 * mcse(prob)))
        and near(prob, BETA3)
        and iv[0, 0] > 0
        and iv[1, 1] < 0
        and bool(contains(iv[2], 0.0))
    )
    return bool(holds), (
        f"the six probabilities {num(m.ravel(), 2)} match the exact Beta posteriors and "
        "beta3 = [[0.1, 0.2], [0.2, 0.1], [0.3, 0.3]]; the treatment raises the probability "
        f"in class 0 (diff {interval(iv[0], 2)}), lowers it in class 1 ({interval(iv[1], 2)}) "
        f"and leaves class 2 unchanged ({interval(iv[2], 2)} contains 0)"
    )
