"""Adding two random variables: c = a + b with a ~ N(2, 0.5) and b ~ N(3, 0.2)."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

import numpy as np

from examples.tutorial.common import mcse, mean_sd, num, post

TITLE = "Adding two random variables"
NAME = "example"
CLAIM = "The result that we get is a probability distribution of c."
# No data: the posterior is the prior, and c = a + b is N(2 + 3, sqrt(0.5**2 + 0.2**2)).
TRUTH = {"a": 2.0, "b": 3.0, "c": 5.0}
NOTE = "No data: the values beside the posterior means are the prior means."
C_SD = float(np.hypot(0.5, 0.2))


def make_data():
    # fmt: off
    return None


def run(pm=None):
    """The tutorial's code; returns (model, trace, data)."""
    if pm is None:  # credo; the benchmark passes PyMC here
        import credo as pm

    # fmt: off
    # adding 2 random variables in Pymc3
    with pm.Model() as example:
        a = pm.Normal('a',2,0.5)
        b = pm.Normal('b',3,0.2)
        c = pm.Deterministic('c',a + b)
        trace_1 = pm.sample()
    return example, trace_1, None


def check(trace):
    """c = a + b is N(5, 0.54): its mean and sd within 4 MCSE of 5 and 0.54."""
    c = post(trace, "c")
    m, s = mean_sd(c)
    holds = abs(m - 5.0) <= 4 * mcse(c) and abs(s - C_SD) <= 4 * mcse(c, "sd")
    return bool(holds), (
        f"c = a + b has mean {num(m)} and sd {num(s, 2)}: the sum of N(2, 0.5) and N(3, 0.2) "
        f"is N(5, {num(C_SD, 2)})"
    )
