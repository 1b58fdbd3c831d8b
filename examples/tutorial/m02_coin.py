"""A coin that landed heads 8 times in 10 tosses: the posterior of its probability of heads."""

# The tutorial's code stays verbatim (make_data and run are not reformatted): its unused
# names (y_hat = ...) and NumPy's legacy global-seed RNG (np.random.seed) are part of it.
# ruff: noqa: F841, NPY002

from scipy import stats

from examples.tutorial.common import contains, hdi, interval, mcse, mean_sd, num, post

TITLE = "Inferring a coin's probability of heads"
NAME = "example2"
CLAIM = (
    "if you see it lands head 8 out of 10, do you still think it fair? So we want to infer "
    "the probability of landing head given the observation."
)
# A Beta(1, 1) prior and 8 heads in 10 tosses give the posterior Beta(1 + 8, 1 + 2).
EXACT = stats.beta(9, 3)
TRUTH = {"a": float(EXACT.mean())}
NOTE = "The value beside the posterior mean is the exact posterior mean, of Beta(9, 3)."


def make_data():
    # fmt: off
    return {"n": 10, "heads": 8}


def run(pm=None):
    """The tutorial's code; returns (model, trace, data)."""
    if pm is None:  # credo; the benchmark passes PyMC here
        import credo as pm

    # fmt: off
    # calculating posterior distribution
    with pm.Model() as example2:
        p = pm.Beta('a',1,1)
        likelihhod = pm.Binomial('likelihood',n = 10,p=p,observed=8)
        trace_2 = pm.sample(2000,cores=4)
    return example2, trace_2, make_data()


def check(trace):
    """The posterior is Beta(9, 3) (mean and sd within 4 MCSE), and its 94% HDI excludes
    0.5."""
    p = post(trace, "a")
    m, s = mean_sd(p)
    iv = hdi(p)
    exact_m, exact_s = EXACT.mean(), EXACT.std()
    holds = (
        abs(m - exact_m) <= 4 * mcse(p)
        and abs(s - exact_s) <= 4 * mcse(p, "sd")
        and not contains(iv, 0.5)
    )
    return bool(holds), (
        f"the probability of heads has posterior mean {num(m)} and sd {num(s, 2)}, as the "
        f"exact Beta(9, 3) ({num(exact_m)}, {num(exact_s, 2)}); its 94% HDI {interval(iv)} "
        f"excludes 0.5, so the coin is probably not fair (P(p > 0.5) = "
        f"{num(float(EXACT.sf(0.5)), 2)})"
    )
