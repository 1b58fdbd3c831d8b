"""Compound sampling of models with discrete variables, against exact answers.

Tolerances are Monte Carlo standard errors of the run (ESS from arviz-stats): a mean within
4 MCSE of the truth, a variance within 4 MCSE of its own estimate.
"""

import itertools
import logging

import numpy as np
import pytest
from scipy import special

import credo
import credo as pm
from tests.inference.mcse import ess

YEARS = np.arange(1851, 1962)
COUNTS = np.array(
    [4, 5, 4, 1, 0, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6, 3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3, 4]
    + [2, 5, 2, 2, 3, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1, 3, 0, 0, 1, 0, 1, 1, 0, 0, 3, 1, 0, 3, 2]
    + [2, 0, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2, 3, 3, 1, 1, 2, 1, 1, 1]
    + [1, 2, 4, 2, 0, 0, 1, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1]
)


def _disaster_model():
    with pm.Model() as disaster:
        switchpoint = pm.DiscreteUniform("switchpoint", lower=YEARS.min(), upper=YEARS.max())
        early = pm.Exponential("early_rate", 1.0)
        late = pm.Exponential("late_rate", 1.0)
        rate = pm.math.switch(switchpoint >= YEARS, early, late)
        pm.Poisson("disasters", rate, observed=COUNTS)
    return disaster, switchpoint, early, late


def _switchpoint_posterior():
    """Exact p(switchpoint | data) and E[early_rate | data]: with Exponential(1) = Gamma(1, 1)
    priors each rate integrates out in closed form (Gamma-Poisson conjugacy):
    int prod Poisson(y | r) Gamma(r | 1, 1) dr = Gamma(S + 1) / (n + 1)^(S + 1) / prod y!."""
    taus = YEARS
    logw = []
    early_mean = []
    for tau in taus:
        e = YEARS <= tau
        s_e, n_e = COUNTS[e].sum(), e.sum()
        s_l, n_l = COUNTS[~e].sum(), (~e).sum()
        logw.append(
            special.gammaln(s_e + 1)
            - (s_e + 1) * np.log(n_e + 1)
            + special.gammaln(s_l + 1)
            - (s_l + 1) * np.log(n_l + 1)
        )
        early_mean.append((s_e + 1) / (n_e + 1))
    p = np.exp(np.array(logw) - special.logsumexp(logw))
    return taus, p, float(np.sum(p * np.array(early_mean)))


def _within(draws, truth, what):
    draws = np.asarray(draws, float)
    mcse = draws.std() / np.sqrt(ess(draws))
    assert abs(draws.mean() - truth) < 4 * mcse, (
        f"{what}: mean {draws.mean():.4g}, truth {truth:.4g}, mcse {mcse:.3g}"
    )


@pytest.fixture(scope="module")
def disaster():
    """The model, its variables and one run with the automatic assignment (the log
    captured): the tests below share its compiled program."""
    model, switchpoint, early, late = _disaster_model()
    log = logging.getLogger("credo")
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    log.addHandler(handler)
    level = log.level
    log.setLevel(logging.INFO)
    try:
        with model:
            idata = pm.sample(1000, tune=1000, chains=2, random_seed=3, progressbar=False)
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
    return model, (switchpoint, early, late), idata, records


def test_switchpoint_against_exact_enumeration(disaster):
    _, _, idata, log = disaster
    taus, p, early_mean = _switchpoint_posterior()
    assert log[:3] == [
        "CompoundStep",
        ">Metropolis: [switchpoint]",
        ">NUTS: [early_rate, late_rate]",
    ]
    sw = idata["posterior"]["switchpoint"].values
    assert sw.dtype == np.int64
    _within(sw, float(np.sum(p * taus)), "switchpoint")
    # The posterior probability of the most likely years, as indicators.
    for tau in taus[np.argsort(p)[-3:]]:
        _within(sw == tau, float(p[taus == tau][0]), f"P(switchpoint = {tau})")
    _within(idata["posterior"]["early_rate"].values, early_mean, "early_rate")
    stats = idata["sample_stats"]
    for name in ("accept", "accepted", "scaling", "step_size", "diverging", "tree_depth", "lp"):
        assert name in stats, name
    assert 0 < float(stats["accepted"].mean()) < 1
    assert idata.attrs["gradient_evaluations"] == int(stats["n_steps"].sum())


def test_explicit_steps_same_as_automatic_and_reproducible(disaster):
    model, (switchpoint, early, late), *_ = disaster
    # The fixture's run length: the same chunking, so its compiled program is reused.
    kwargs = dict(draws=1000, tune=1000, chains=2, random_seed=5, progressbar=False)
    with model:
        auto = pm.sample(**kwargs, compute_convergence_checks=False)
        given = pm.sample(
            **kwargs,
            step=[pm.Metropolis([switchpoint]), pm.NUTS([early, late])],
            compute_convergence_checks=False,
        )
        by_name = pm.sample(
            **kwargs,
            step=pm.CompoundStep([pm.Metropolis("switchpoint")]),
            chain_method="sequential",
            compute_convergence_checks=False,
        )
    for name in ("switchpoint", "early_rate", "late_rate"):
        a = auto["posterior"][name].values
        np.testing.assert_array_equal(a, given["posterior"][name].values)
        np.testing.assert_array_equal(a, by_name["posterior"][name].values)


@pytest.mark.slow
def test_vectorized_chains_and_warmup_kept(disaster):
    with disaster[0]:
        idata = pm.sample(
            30,
            tune=30,
            chains=2,
            random_seed=1,
            progressbar=False,
            chain_method="vectorized",
            discard_tuned_samples=False,
            compute_convergence_checks=False,
        )
    assert idata["posterior"]["switchpoint"].shape == (2, 30)
    assert idata["warmup_posterior"]["switchpoint"].dtype == np.int64
    assert idata["warmup_sample_stats"]["scaling"].shape == (2, 30)


def test_interrupt_returns_draws_so_far(disaster, monkeypatch, caplog):
    def interrupting(self, info):
        if not info["tuning"] and info["draws"] > 0:
            raise KeyboardInterrupt

    monkeypatch.setattr(credo.sampling.progress.SamplingProgress, "update", interrupting)
    with disaster[0], caplog.at_level(logging.WARNING, logger="credo"):
        idata = pm.sample(1000, tune=1000, chains=2, random_seed=1, progressbar=False)
    n = idata["posterior"].sizes["draw"]
    assert 0 < n < 1000
    assert "interrupted" in caplog.text
    assert idata["posterior"]["switchpoint"].shape == (2, n)


@pytest.mark.slow
def test_predictive_of_the_switchpoint_model(disaster):
    model, _, idata, _ = disaster
    with model:
        prior = pm.sample_prior_predictive(50, random_seed=1)
        post = pm.sample_posterior_predictive(idata, random_seed=3)
    sw = prior["prior"]["switchpoint"].values
    assert sw.dtype == np.int64
    assert sw.min() >= YEARS.min() and sw.max() <= YEARS.max()
    pp = post["posterior_predictive"]["disasters"].values
    assert pp.shape == (2, 1000, YEARS.size)
    # Years before each draw's switchpoint have the early rate (about 3), after it the late.
    sw_post = idata["posterior"]["switchpoint"].values
    early_years = YEARS[None, None, :] <= sw_post[..., None]
    assert pp[early_years].mean() > 2 * pp[~early_years].mean()


def _mixture_data():
    rng = np.random.default_rng(11)
    z = rng.random(60) < 0.35
    return np.where(z, rng.normal(2.5, 1.0, 60), rng.normal(-2.0, 1.0, 60))


@pytest.mark.slow
def test_mixture_labels_compound_against_marginal_nuts():
    y = _mixture_data()
    with pm.Model() as latent:
        w = pm.Beta("w", 1.0, 1.0)
        mu0 = pm.Normal("mu0", -2.0, 2.0)
        mu1 = pm.Normal("mu1", 2.0, 2.0)
        z = pm.Bernoulli("z", p=w, shape=y.size)
        pm.Normal("y", pm.math.switch(z, mu1, mu0), 1.0, observed=y)
        compound = pm.sample(600, tune=600, chains=2, random_seed=4, progressbar=False)
    with pm.Model():
        w = pm.Beta("w", 1.0, 1.0)
        mu0 = pm.Normal("mu0", -2.0, 2.0)
        mu1 = pm.Normal("mu1", 2.0, 2.0)
        pm.NormalMixture(
            "y", w=pm.math.stack([1 - w, w]), mu=pm.math.stack([mu0, mu1]), sigma=1.0, observed=y
        )
        marginal = pm.sample(1000, tune=600, chains=2, random_seed=4, progressbar=False)
    del latent
    assert compound["posterior"]["z"].values.dtype == np.int64
    for name, truth in (("w", 0.35), ("mu0", -2.0), ("mu1", 2.5)):
        a = compound["posterior"][name].values
        b = marginal["posterior"][name].values
        se = np.hypot(a.std() / np.sqrt(ess(a)), b.std() / np.sqrt(ess(b)))
        assert abs(a.mean() - b.mean()) < 4 * se, (name, a.mean(), b.mean(), se)
        # The known parameters lie well inside the posterior.
        assert abs(a.mean() - truth) < 3 * a.std(), (name, a.mean(), truth)
        sd_a, sd_b = a.std(), b.std()
        assert abs(sd_a / sd_b - 1) < 0.25, (name, sd_a, sd_b)


def _coupled_binary():
    """10 binary variables with fields h and pairwise couplings J (a Potential)."""
    rng = np.random.default_rng(0)
    h = rng.normal(0, 0.5, 10)
    J = np.triu(rng.normal(0, 0.4, (10, 10)), 1)
    states = np.array(list(itertools.product([0, 1], repeat=10)), float)
    logp = states @ h + np.einsum("si,ij,sj->s", states, J, states)
    p = np.exp(logp - special.logsumexp(logp))
    return h, J, p @ states, p @ (states[:, 0] * states[:, 1])


@pytest.mark.parametrize("method", ["BinaryGibbsMetropolis", "Metropolis", "BinaryMetropolis"])
def test_coupled_binary_against_exact_enumeration(method):
    h, J, means, m01 = _coupled_binary()
    with pm.Model():
        x = pm.Bernoulli("x", 0.5, shape=10)
        pm.Potential("field", pm.math.sum(x * h))
        pm.Potential("coupling", pm.math.sum(x * pm.math.dot(J, x)))
        step = getattr(pm, method)(
            [x], **({"scaling": 0.2} if method == "BinaryMetropolis" else {})
        )
        idata = pm.sample(1500, tune=300, chains=2, random_seed=6, step=step, progressbar=False)
    draws = idata["posterior"]["x"].values
    assert draws.dtype == np.int64 and set(np.unique(draws)) <= {0, 1}
    for i in range(10):
        _within(draws[..., i], means[i], f"{method} E[x{i}]")
    _within(draws[..., 0] * draws[..., 1], m01, f"{method} E[x0 x1]")
    if method == "BinaryMetropolis":
        assert np.allclose(idata["sample_stats"]["p_jump"], 1 - 0.5**0.2)


P_PRIOR = np.array([0.2, 0.3, 0.5])
Y_CAT = np.array([0.8, 1.4, 0.2])


def _categorical_model():
    with pm.Model() as model:
        k = pm.Categorical("k", p=P_PRIOR, shape=2)
        pm.Normal("y", k[0] - 1.0 + 0.5 * k[1], 1.0, observed=Y_CAT)
    return model, k


def test_categorical_gibbs_against_exact():
    states = np.array(list(itertools.product(range(3), repeat=2)))
    mean = states[:, 0] - 1.0 + 0.5 * states[:, 1]
    logw = np.log(P_PRIOR[states]).sum(1) - 0.5 * ((Y_CAT[None] - mean[:, None]) ** 2).sum(1)
    post = np.exp(logw - special.logsumexp(logw))
    for proposal in ("uniform", "proportional"):
        model, k = _categorical_model()
        with model:
            step = pm.CategoricalGibbsMetropolis([k], proposal=proposal)
            idata = pm.sample(1000, tune=100, chains=2, random_seed=8, step=step, progressbar=False)
        draws = idata["posterior"]["k"].values
        assert draws.dtype == np.int64
        for c in range(3):
            _within(draws[..., 0] == c, post[states[:, 0] == c].sum(), f"{proposal} P(k0 = {c})")
            _within(draws[..., 1] == c, post[states[:, 1] == c].sum(), f"{proposal} P(k1 = {c})")


def test_predictive_with_discrete_free_variables():
    model, _ = _categorical_model()
    with model:
        prior = pm.sample_prior_predictive(200, random_seed=1)
        idata = pm.sample(50, tune=20, chains=2, random_seed=2, progressbar=False)
        post = pm.sample_posterior_predictive(idata, random_seed=3)
    k = prior["prior"]["k"].values
    assert k.dtype == np.int64 and set(np.unique(k)) == {0, 1, 2}
    k_post = idata["posterior"]["k"].values
    y = post["posterior_predictive"]["y"].values
    assert y.shape == (2, 50, 3)
    # Each predictive draw is centred on its own posterior draw's mean.
    resid = y - (k_post[..., 0] - 1.0 + 0.5 * k_post[..., 1])[..., None]
    assert abs(resid.mean()) < 4 / np.sqrt(resid.size) and abs(resid.std() - 1) < 0.15


def test_automatic_assignment_rules():
    with pm.Model() as m:
        pm.Normal("a", 0, 1)
        pm.Bernoulli("b", 0.3)
        pm.Categorical("c", p=[0.2, 0.3, 0.5])
        pm.Categorical("c2", p=[0.5, 0.5])
        pm.Poisson("n", 2.0)
    from credo.sampling.step_methods import assign_step_methods, describe

    plan = assign_step_methods(m.compiled())
    assert describe(plan) == [
        "CompoundStep",
        ">NUTS: [a]",
        ">BinaryGibbsMetropolis: [b, c2]",
        ">CategoricalGibbsMetropolis: [c]",
        ">Metropolis: [n]",
    ]
    given = assign_step_methods(m.compiled(), pm.Metropolis([m["a"]]))
    assert describe(given)[1] == ">Metropolis: [a]"
