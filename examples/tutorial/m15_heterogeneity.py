"""The treatment effect with heterogeneity: a pair of effects (x2 = 0, x2 = 1) per x1 class,
drawn from a bivariate normal with an LKJ prior on its correlation."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np
import pandas as pd

from examples.tutorial.common import hdi, interval, near, num, post

TITLE = "Treatment effect with heterogeneity (LKJ prior)"
NAME = "heterogenous_model"
CLAIM = (
    "Now you see that the effect of x2 vary among x1 classes. The overall effect is zero "
    "because the overall effect among classes cancels out."
)
BETA3 = np.array([[2, 1], [-2.5, 2], [-3, 3]])
TRUTH = {"ab_did": BETA3.tolist(), "error": 0.1}


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
    with pm.Model() as heterogenous_model:
        x1 = data['x1'].values
        x2 = data['x2'].values
        y1 = pm.Data('y1',data['y1'].values)


        error = pm.Exponential('error',lam=1)

        #these blocks of codes create covariance matrix for every x1,x2 pairs
        # Compute the covariance matrix
        a_bar = pm.Normal('a_bar', mu=0, sd=2)
        b_bar = pm.Normal('b_bar', mu=0, sd=2)
        sigma = pm.Exponential.dist(lam=1)
        packed_chol = pm.LKJCholeskyCov('chol_cov', eta=2, n=2, sd_dist=sigma)
        chol = pm.expand_packed_triangular(2, packed_chol, lower=True)
        cov = pm.math.dot(chol, chol.T)
        # Extract the standard deviations and rho
        sigma_ab = pm.Deterministic('sigma_ab', pm.math.sqrt(pm.math.diag(cov)))
        corr = pm.math.diag(sigma_ab**-1).dot(cov.dot(pm.math.diag(sigma_ab**-1)))
        r = pm.Deterministic('Rho', corr[np.triu_indices(2, k=1)])


        ab_cat = pm.MvNormal('ab_did', mu=[a_bar,b_bar], chol=chol, shape=(len(data['x1'].unique()), 
        len(data['x2'].unique())))

        # calculate mean of y_hat from the multivariate Normal distribution
        mu = ab_cat[x1,x2]
        y_hat = pm.Normal('y_hat',mu,error,observed=y1)
        trace_heterogenous = pm.sample(500,tune=1500,chains=2, cores=2, target_accept=0.95)
    return heterogenous_model, trace_heterogenous, data


def check(trace):
    """Each of the six ab_did cells is within 3 posterior sd of beta3, and x2's effect per
    class, ab_did[:, 1] - ab_did[:, 0], has a 94% HDI below 0 in class 0 and above 0 in
    classes 1 and 2."""
    ab = post(trace, "ab_did")
    effect = ab[..., 1] - ab[..., 0]
    iv = hdi(effect)
    signs_ok = iv[0, 1] < 0 and iv[1, 0] > 0 and iv[2, 0] > 0
    holds = near(ab, BETA3) and signs_ok
    p = trace["posterior"]
    overall = p["b_bar"] - p["a_bar"]
    return bool(holds), (
        "ab_did recovers the six cell effects [[2, 1], [-2.5, 2], [-3, 3]] (each within 3 sd), "
        "and x2's effect varies among x1 classes: "
        + ", ".join(f"{num(float(effect[..., k].mean()))} {interval(iv[k])}" for k in range(3))
        + f" (truth -1, 4.5, 6). The population-level effect b_bar - a_bar = "
        f"{num(float(overall.mean()))} has a 94% HDI {interval(hdi(overall))}: with three "
        "classes it is poorly determined (not zero by cancellation: the class effects do not "
        "cancel)"
    )
