"""marginalize / recover_marginals: exact sums against brute-force enumeration, the
switchpoint model against its closed-form posterior, a mixture against NormalMixture, and
the errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.special import gammaln, logsumexp

import credo as pm
from credo.errors import ModelError
from credo.marginal import MarginalizationError
from examples.switchpoint import disaster_model, recorded
from tests.inference.mcse import ess


def _mcse(x: np.ndarray) -> float:
    """MCSE of the mean of draws ``(chain, draw)``."""
    x = np.asarray(x, dtype=float)
    if np.std(x) == 0:
        return 0.0
    return float(np.std(x) / np.sqrt(ess(x)))


def _joint_terms(model: pm.Model, names: list, point: dict, states: list) -> np.ndarray:
    """The original model's joint log-density at each state (a tuple, one value per name):
    the model with the names set to the state (pm.do) plus the state's prior."""
    prior = model.compile_logp(vars=names, jacobian=False)
    fixed = pm.do(model, dict(zip(names, states[0])))
    logp = fixed.compile_logp(jacobian=False)
    terms = []
    for state in states:
        values = dict(zip(names, state))
        pm.set_data(values, model=fixed)  # the same shapes: nothing recompiles
        terms.append(float(logp(point)) + float(prior({**point, **values})))
    return np.array(terms)


def _brute_force(model: pm.Model, name: str, point: dict, states: np.ndarray) -> float:
    """log sum over every state of ``name`` of the original model's joint density."""
    return float(logsumexp(_joint_terms(model, [name], point, [(s,) for s in states])))


def _random_point(model: pm.Model, rng: np.random.Generator) -> dict:
    cm = model.compiled()
    theta = cm.to_theta(cm.initial_point()) + rng.uniform(-1, 1, cm.dim)
    vals = cm.constrained(theta, cm.data_values())
    return {f.name: np.asarray(vals[f.name]) for f in cm.free}


# -- the sum equals enumeration ------------------------------------------------------------
Y3 = np.array([0.3, -1.2, 2.1])


def _scalar_models():
    """(name, model, support) with a scalar discrete variable z."""
    out = []
    with pm.Model() as m:
        p = pm.Beta("p", 2, 2)
        z = pm.Bernoulli("z", p=p)
        pm.Normal("y", mu=pm.math.switch(z, 1.5, -0.5), sigma=1, observed=Y3)
    out.append(("bernoulli", m, np.arange(2)))
    with pm.Model() as m:
        w = pm.Dirichlet("w", np.ones(3))
        mu = pm.Normal("mu", 0, 2, shape=3)
        z = pm.Categorical("z", p=w)
        pm.Normal("y", mu=mu[z], sigma=1, observed=Y3)
    out.append(("categorical", m, np.arange(3)))
    with pm.Model() as m:
        b = pm.Normal("b", 0, 1)
        z = pm.DiscreteUniform("z", lower=-2, upper=3)
        pm.Normal("y", mu=b * z, sigma=1, observed=Y3)
    out.append(("discrete_uniform", m, np.arange(-2, 4)))
    with pm.Model() as m:
        p = pm.Beta("p", 2, 2)
        z = pm.Binomial("z", n=4, p=p)
        pm.Poisson("y", mu=z + 0.5, observed=[1, 3, 2])
    out.append(("binomial", m, np.arange(5)))
    with pm.Model() as m:
        # Two dependents, one of them free: the term goes to the later, y.
        p = pm.Beta("p", 2, 2)
        z = pm.Bernoulli("z", p=p)
        theta = pm.Normal("theta", mu=pm.math.switch(z, 2.0, -2.0), sigma=1)
        pm.Normal("y", theta + 0.5 * z, 1, observed=Y3)
    out.append(("free_dependent", m, np.arange(2)))
    return out


@pytest.mark.parametrize("case", _scalar_models(), ids=lambda c: c[0])
def test_scalar_sum_equals_enumeration(case):
    _, model, support = case
    marginal = pm.marginalize(model, ["z"])
    assert "z" in [v.name for v in model.free_RVs]  # the original keeps it
    assert "z" not in [v.name for v in marginal.free_RVs]
    logp = marginal.compile_logp(jacobian=False)
    rng = np.random.default_rng(0)
    for _ in range(3):
        pt = _random_point(marginal, rng)
        want = _brute_force(model, "z", pt, support)
        np.testing.assert_allclose(float(logp(pt)), want, rtol=1e-10)


def _vector_models():
    """(name, model, support, mode) with z of shape (3,)."""
    out = []
    with pm.Model() as m:
        p = pm.Beta("p", 2, 2, shape=3)
        z = pm.Bernoulli("z", p=p, shape=3)
        sigma = pm.HalfNormal("sigma", 1)
        pm.Normal("y", mu=pm.math.switch(z, 1.0, -1.0), sigma=sigma, observed=Y3)
    out.append(("bernoulli", m, np.arange(2), "elementwise"))
    with pm.Model() as m:
        w = pm.Dirichlet("w", np.ones(3))
        mu = pm.Normal("mu", 0, 2, shape=3)
        z = pm.Categorical("z", p=w, shape=3)
        pm.Normal("y", mu=mu[z], sigma=1, observed=np.stack([Y3, Y3 + 1]))  # (2, 3)
    out.append(("categorical", m, np.arange(3), "elementwise"))
    with pm.Model() as m:
        b = pm.Normal("b", 0, 1)
        # Per-element bounds: the enumerated range is their union.
        z = pm.DiscreteUniform("z", lower=[-1, 0, 0], upper=[1, 2, 1], shape=3)
        pm.Normal("y", mu=b * z, sigma=1, observed=Y3)
    out.append(("discrete_uniform", m, np.arange(-1, 3), "elementwise"))
    with pm.Model() as m:
        p = pm.Beta("p", 2, 2)
        z = pm.Binomial("z", n=3, p=p, shape=3)
        lam = pm.Exponential("lam", 1)
        pm.Poisson("y", mu=lam * (z + 1), observed=[1, 3, 2])
    out.append(("binomial", m, np.arange(4), "elementwise"))
    with pm.Model() as m:
        # Each observation reads every element of z: summed over all 2^3 states jointly.
        p = pm.Beta("p", 2, 2)
        z = pm.Bernoulli("z", p=p, shape=3)
        pm.Normal("y", mu=z.sum() + z[0], sigma=1, observed=Y3)
    out.append(("coupled", m, np.arange(2), "joint"))
    with pm.Model() as m:
        # Reversed order: element i of z drives observation 2 - i (found by probing).
        w = pm.Dirichlet("w", np.ones(3))
        mu = pm.Normal("mu", [-2, 0, 2], 1)
        z = pm.Categorical("z", p=w, shape=3)
        pm.Normal("y", mu=mu[z][::-1], sigma=1, observed=Y3)
    out.append(("reversed", m, np.arange(3), "elementwise"))
    with pm.Model() as m:
        # Observation i reads elements i and 2 - i: enumerated jointly.
        w = pm.Dirichlet("w", np.ones(3))
        mu = pm.Normal("mu", [-2, 0, 2], 1)
        z = pm.Categorical("z", p=w, shape=3)
        pm.Normal("y", mu=mu[z][::-1] + mu[z], sigma=1, observed=Y3)
    out.append(("pairs", m, np.arange(3), "joint"))
    return out


@pytest.mark.parametrize("case", _vector_models(), ids=lambda c: c[0])
def test_vector_sum_equals_enumeration(case):
    _, model, support, mode = case
    marginal = pm.marginalize(model, "z")
    assert marginal._marginals["z"].mode == mode
    logp = marginal.compile_logp(jacobian=False)
    states = np.array(list(itertools.product(support, repeat=3)))
    rng = np.random.default_rng(1)
    for _ in range(3):
        pt = _random_point(marginal, rng)
        want = _brute_force(model, "z", pt, states)
        np.testing.assert_allclose(float(logp(pt)), want, rtol=1e-10)


@pytest.mark.parametrize("case", _vector_models()[::2], ids=lambda c: c[0])
def test_conditional_equals_enumeration(case):
    """lp_z from recover_marginals: each element's conditional probabilities, by brute
    force over the joint states."""
    _, model, support, _ = case
    marginal = pm.marginalize(model, "z")
    pt = _random_point(marginal, np.random.default_rng(4))
    states = np.array(list(itertools.product(support, repeat=3)))
    w = _joint_terms(model, ["z"], pt, [(s,) for s in states])
    w = np.exp(w - logsumexp(w))
    want = np.array([[w[states[:, i] == v].sum() for v in support] for i in range(3)])
    trace = {k: np.asarray(v)[None, None] for k, v in pt.items()}
    got = pm.recover_marginals(marginal, trace, random_seed=0, extend_inferencedata=False)
    np.testing.assert_allclose(np.exp(got["lp_z"].values[0, 0]), want, atol=1e-12)
    assert got["z"].values.shape == (1, 1, 3)


def test_two_variables_with_data_and_dims():
    """A zero-inflation label per observation and a separate scalar label, summed out in
    one call; a Data predictor; dims carried to the recovered draws."""
    x = np.array([-0.5, 0.2, 1.0, 1.5])
    with pm.Model(coords={"obs": range(4)}) as model:
        xd = pm.Data("x", x, dims="obs")
        b0 = pm.Normal("b0", 0, 1)
        psi = pm.Beta("psi", 2, 2)
        z = pm.Bernoulli("z", psi, dims="obs")
        rate = pm.math.switch(z, pm.math.exp(b0 + 0.3 * xd), 0.0)
        pm.Poisson("y", rate, observed=[0, 2, 0, 3], dims="obs")
        k = pm.Categorical("k", p=[0.2, 0.8])
        pm.Normal("w", mu=pm.math.switch(k, 1.0, -1.0) + b0, sigma=1, observed=[0.8, 1.2])
    marginal = pm.marginalize(model, ["z", "k"])
    assert [v.name for v in marginal.free_RVs] == ["b0", "psi"]
    pt = _random_point(marginal, np.random.default_rng(5))
    states = [(np.array(zs), k) for zs in itertools.product([0, 1], repeat=4) for k in (0, 1)]
    want = logsumexp(_joint_terms(model, ["z", "k"], pt, states))
    got = marginal.compile_logp(jacobian=False)(pt)
    np.testing.assert_allclose(float(got), want, rtol=1e-10)
    trace = {k: np.asarray(v)[None, None] for k, v in pt.items()}
    ds = pm.recover_marginals(marginal, trace, random_seed=0, extend_inferencedata=False)
    assert ds["z"].dims == ("chain", "draw", "obs")
    assert ds["lp_z"].dims == ("chain", "draw", "obs", "lp_z_dim")
    assert ds["lp_k"].dims == ("chain", "draw", "lp_k_dim")
    # An observation of 2 or 3 cannot come from the zero state: z = 1 there, surely.
    np.testing.assert_array_equal(ds["z"].values[0, 0, [1, 3]], [1, 1])


def test_original_model_untouched():
    model = disaster_model()
    marginal = pm.marginalize(model, ["switchpoint"])
    assert [v.name for v in model.free_RVs] == ["switchpoint", "early_rate", "late_rate"]
    assert [v.name for v in marginal.free_RVs] == ["early_rate", "late_rate"]
    # The original model keeps its discrete switchpoint (pm.sample gives it to Metropolis).
    with model:
        idata = pm.sample(draws=10, tune=10, chains=1, progressbar=False)
    assert idata["posterior"]["switchpoint"].dtype == np.int64


# -- the switchpoint model against its closed-form posterior ------------------------------
def _switchpoint_exact() -> tuple[np.ndarray, np.ndarray, float, float]:
    """Support, posterior pmf of the switchpoint, posterior means of the two rates.

    With Exponential(1) = Gamma(1, 1) priors the rates integrate out: for a switchpoint s,
    A early disasters in n early years give integral Gamma(A + 1) / (n + 1)^(A + 1), and
    the early rate's conditional mean is (A + 1) / (n + 1); likewise after s.
    """
    years, counts = recorded()
    support = np.arange(years.min(), years.max() + 1)
    logw, early, late = [], [], []
    for s in support:
        a, n = counts[years <= s].sum(), (years <= s).sum()
        b, m = counts[years > s].sum(), (years > s).sum()
        logw.append(
            gammaln(a + 1) - (a + 1) * np.log(n + 1) + gammaln(b + 1) - (b + 1) * np.log(m + 1)
        )
        early.append((a + 1) / (n + 1))
        late.append((b + 1) / (m + 1))
    logw = np.array(logw)
    pmf = np.exp(logw - logsumexp(logw))
    return support, pmf, float(pmf @ np.array(early)), float(pmf @ np.array(late))


@pytest.fixture(scope="module")
def switchpoint_run():
    marginal = pm.marginalize(disaster_model(), ["switchpoint"])
    with marginal:
        idata = pm.sample(draws=500, tune=500, chains=2, random_seed=11, progressbar=False)
    pm.recover_marginals(marginal, idata, random_seed=12)
    return marginal, idata


def test_switchpoint_posterior_matches_enumeration(switchpoint_run):
    _, idata = switchpoint_run
    support, pmf, early_mean, late_mean = _switchpoint_exact()
    post = idata.posterior
    s = post["switchpoint"].values
    assert s.dtype.kind == "i" and s.shape == (2, 500)
    assert abs(s.mean() - pmf @ support) < 4 * _mcse(s)
    # The most probable years, one indicator at a time.
    for year in support[np.argsort(pmf)[-3:]]:
        hit = (s == year).astype(float)
        p = pmf[support == year][0]
        assert abs(hit.mean() - p) < 4 * _mcse(hit) + 1e-12, year
        # lp_switchpoint, averaged over the draws, is the same probability (Rao-Blackwell).
        lp = np.exp(post["lp_switchpoint"].sel(lp_switchpoint_dim=year).values)
        assert abs(lp.mean() - p) < 4 * _mcse(lp), year
    for name, truth in (("early_rate", early_mean), ("late_rate", late_mean)):
        x = post[name].values
        assert abs(x.mean() - truth) < 4 * _mcse(x), name


def test_recover_marginals_layout(switchpoint_run):
    _, idata = switchpoint_run
    lp = idata.posterior["lp_switchpoint"]
    years, _ = recorded()
    assert lp.dims == ("chain", "draw", "lp_switchpoint_dim")
    np.testing.assert_array_equal(lp["lp_switchpoint_dim"].values, np.arange(1851, 1962))
    np.testing.assert_allclose(logsumexp(lp.values, axis=-1), 0.0, atol=1e-10)
    assert idata.posterior["switchpoint"].dims == ("chain", "draw")
    marginal, _ = switchpoint_run
    lp_only = pm.recover_marginals(
        marginal, idata, return_samples=False, extend_inferencedata=False
    )
    assert list(lp_only.data_vars) == ["lp_switchpoint"]


def test_recover_marginals_seeded(switchpoint_run):
    marginal, idata = switchpoint_run
    a = pm.recover_marginals(marginal, idata, random_seed=5, extend_inferencedata=False)
    b = pm.recover_marginals(marginal, idata, random_seed=5, extend_inferencedata=False)
    np.testing.assert_array_equal(a["switchpoint"].values, b["switchpoint"].values)
    with marginal:  # the model from the context, as pymc-extras allows
        c = pm.recover_marginals(idata, random_seed=5, extend_inferencedata=False)
    np.testing.assert_array_equal(a["switchpoint"].values, c["switchpoint"].values)


def test_switchpoint_posterior_predictive(switchpoint_run):
    """After recover_marginals, each year's predictive mean is E[rate of that year]."""
    marginal, idata = switchpoint_run
    with marginal:
        pp = pm.sample_posterior_predictive(idata, random_seed=13)
    y = pp.posterior_predictive["disasters"].values  # (chain, draw, 109)
    s = idata.posterior["switchpoint"].values[..., None]
    years, _ = recorded()
    early = idata.posterior["early_rate"].values[..., None]
    late = idata.posterior["late_rate"].values[..., None]
    rate = np.where(s >= years, early, late)
    # y - rate has mean zero given each draw: a check of the draws' conditional.
    for i in (0, 40, 108):
        d = y[..., i] - rate[..., i]
        assert abs(d.mean()) < 4 * _mcse(d), years[i]
    with marginal, pytest.warns(UserWarning, match="recover_marginals"):
        bare = idata.copy()
        del bare.posterior["switchpoint"]
        pm.sample_posterior_predictive(bare, random_seed=13)


def test_prior_predictive_and_log_likelihood(switchpoint_run):
    marginal, idata = switchpoint_run
    with marginal:
        prior = pm.sample_prior_predictive(200, random_seed=3)
    y = prior.prior_predictive["disasters"].values
    assert y.shape == (1, 200, 109)
    # Prior mean of each year's count: E[rate] = 1 under Exponential(1).
    assert abs(y.mean() - 1.0) < 0.25
    ll = pm.compute_log_likelihood(idata.copy(), model=marginal)
    total = ll.log_likelihood["disasters"].values
    post = idata.posterior
    point = {
        "early_rate": post["early_rate"].values[0, 0],
        "late_rate": post["late_rate"].values[0, 0],
    }
    want = marginal.compile_logp(vars=["disasters"], jacobian=False)(point)
    np.testing.assert_allclose(np.sum(total[0, 0]), float(want), rtol=1e-10)


# -- a two-component mixture with latent labels ------------------------------------------
MIX_RNG = np.random.default_rng(42)
LABELS = (MIX_RNG.uniform(size=120) < 0.3).astype(int)
Y_MIX = np.where(LABELS == 1, 2.5, -1.0) + 0.7 * MIX_RNG.normal(size=120)


def _mixture(latent: bool) -> pm.Model:
    with pm.Model() as m:
        w = pm.Beta("w", 2, 2)
        mu = pm.Normal("mu", [-1.0, 2.0], 1.0)
        sigma = pm.HalfNormal("sigma", 1.0)
        if latent:
            z = pm.Bernoulli("z", p=w, shape=len(Y_MIX))
            pm.Normal("y", mu=mu[z], sigma=sigma, observed=Y_MIX)
        else:
            pm.NormalMixture("y", w=pm.math.stack([1 - w, w]), mu=mu, sigma=sigma, observed=Y_MIX)
    return m


def test_mixture_logp_equals_normal_mixture():
    marginal = pm.marginalize(_mixture(latent=True), ["z"])
    assert marginal._marginals["z"].mode == "elementwise"
    reference = _mixture(latent=False)
    rng = np.random.default_rng(3)
    a, b = marginal.compile_logp(), reference.compile_logp()
    for _ in range(3):
        pt = _random_point(reference, rng)
        np.testing.assert_allclose(float(a(pt)), float(b(pt)), rtol=1e-11)
    # Pointwise: one marginal term per observation, as NormalMixture's.
    pt = reference.initial_point()
    ll = marginal.compiled().pointwise_loglik(pt, {})["y"]
    assert ll.shape == (len(Y_MIX),)


@pytest.mark.slow
def test_mixture_marginal_nuts_recovers_parameters():
    marginal = pm.marginalize(_mixture(latent=True), ["z"])
    with marginal:
        idata = pm.sample(draws=400, tune=400, chains=2, random_seed=7, progressbar=False)
    pm.recover_marginals(marginal, idata, random_seed=8)
    post = idata.posterior
    # The data were drawn with mu = (-1, 2.5), sigma = 0.7, w = 0.3: within 4 posterior sd.
    for name, truth in (("w", 0.3), ("sigma", 0.7)):
        x = post[name].values
        assert abs(x.mean() - truth) < 4 * x.std(), name
    mu = post["mu"].values
    for k, truth in enumerate((-1.0, 2.5)):
        assert abs(mu[..., k].mean() - truth) < 4 * mu[..., k].std()
    # Recovered labels: each observation's draws agree with exp(lp_z) (MCSE), and the
    # labels agree with those that generated the data where the components are apart.
    z = post["z"].values
    p1 = np.exp(post["lp_z"].values[..., 1])
    for i in range(0, len(Y_MIX), 17):
        # Given the other variables each draw of z_i is a fresh Bernoulli(p1): z_i - p1 has
        # mean zero, uncorrelated across draws, variance p1 (1 - p1).
        d = z[..., i] - p1[..., i]
        mcse = np.sqrt(np.mean(p1[..., i] * (1 - p1[..., i])) / d.size)
        assert abs(d.mean()) < 4 * mcse, i
    clear = np.abs(Y_MIX - 0.75) > 1.5
    assert np.mean((z.mean(axis=(0, 1)) > 0.5)[clear] == LABELS[clear]) > 0.97
    assert post["lp_z"].dims == ("chain", "draw", "z_dim_0", "lp_z_dim")


# -- errors ------------------------------------------------------------------------------
def _simple():
    with pm.Model() as m:
        mu = pm.Normal("mu", 0, 1)
        k = pm.Poisson("k", 3.0)
        z = pm.Bernoulli("z", 0.5)
        pm.Normal("y", mu + z + k, 1, observed=Y3)
    return m


def test_error_continuous_variable():
    with pytest.raises(ModelError, match="'mu' is a continuous variable"):
        pm.marginalize(_simple(), ["mu"])


def test_error_unknown_name():
    with pytest.raises(ModelError, match="'nope' is not a variable"):
        pm.marginalize(_simple(), ["nope"])


def test_error_observed_variable():
    with pytest.raises(ModelError, match="'y' is an observed variable"):
        pm.marginalize(_simple(), ["y"])


def test_error_unbounded_support():
    with pytest.raises(MarginalizationError, match="'k' \\(Poisson\\) has an unbounded support"):
        pm.marginalize(_simple(), ["k"])


def test_error_named_twice_and_marginalized_again():
    with pytest.raises(ModelError, match="named twice"):
        pm.marginalize(_simple(), ["z", "z"])
    marginal = pm.marginalize(_simple(), ["z"])
    with pytest.raises(ModelError, match="already has the summed-out"):
        pm.marginalize(marginal, ["k"])


def test_error_support_depends_on_variable():
    with pm.Model() as m:
        n = pm.Poisson("n", 3.0)
        z = pm.Binomial("z", n=n, p=0.5)
        pm.Normal("y", z, 1, observed=Y3)
    with pytest.raises(MarginalizationError, match="support of 'z'.*depends on other"):
        pm.marginalize(m, ["z"])


def test_error_dependency_not_elementwise():
    """Each of 20 terms reads two labels: neither element by element nor enumerable."""
    perm = np.random.default_rng(0).permutation(20)
    with pm.Model() as m:
        mu = pm.Normal("mu", [-1, 1], 1)
        z = pm.Bernoulli("z", 0.5, shape=20)
        pm.Normal("y", mu[z][perm] + mu[z], 1, observed=np.zeros(20))
    with pytest.raises(MarginalizationError, match="do not each affect only the matching"):
        pm.marginalize(m, ["z"])
    with pm.Model() as m:
        # Elementwise but for a term that random configurations almost never switch on:
        # the check's one-element changes of the all-equal configurations do.
        mu = pm.Normal("mu", [-1, 1], 1)
        z = pm.Bernoulli("z", 0.5, shape=20)
        s = z.sum()
        pm.Normal(
            "y", mu[z] + pm.math.switch((s > 0) & (s < 2), 3.0, 0.0), 1, observed=np.zeros(20)
        )
    with pytest.raises(MarginalizationError, match="do not each affect only the matching"):
        pm.marginalize(m, ["z"])
    with pm.Model() as m:
        z = pm.Bernoulli("z", 0.5, shape=20)
        pm.Normal("y", z.sum(), 1, observed=0.0)
    with pytest.raises(MarginalizationError, match="2\\^20 joint states"):
        pm.marginalize(m, ["z"])


def test_error_shared_dependent():
    with pm.Model() as m:
        a = pm.Bernoulli("a", 0.5)
        b = pm.Bernoulli("b", 0.5)
        pm.Normal("y", a + b, 1, observed=Y3)
    with pytest.raises(MarginalizationError, match="shares the dependent"):
        pm.marginalize(m, ["a", "b"])


def test_error_dependent_deterministic_and_potential():
    with pm.Model() as m:
        z = pm.Bernoulli("z", p=0.7)
        y = pm.Normal("y", z)
        pm.Deterministic("det", z + y)
    with pytest.raises(
        NotImplementedError, match="Cannot marginalize z due to dependent Deterministic det"
    ):
        pm.marginalize(m, ["z"])
    with pm.Model() as m:
        z = pm.Bernoulli("z", p=0.7)
        y = pm.Normal("y", z)
        pm.Potential("pot", z + y)
    with pytest.raises(
        NotImplementedError, match="Cannot marginalize z due to dependent Potential pot"
    ):
        pm.marginalize(m, ["z"])


def test_error_transform_depends_on_variable():
    with pm.Model() as m:
        z = pm.Bernoulli("z", p=0.5)
        pm.Uniform("u", 0, z + 1)
    with pytest.raises(MarginalizationError, match="transform of 'u' depends on 'z'"):
        pm.marginalize(m, ["z"])


def test_error_do_on_marginal_model():
    marginal = pm.marginalize(_simple(), ["z"])
    with pytest.raises(ModelError, match="apply do / observe to the original model"):
        pm.do(marginal, {"mu": 0.5})
    # The other order works: intervene, then sum out.
    assert "z" in pm.marginalize(pm.do(_simple(), {"mu": 0.5}), ["z"])._marginals


def test_error_recover_on_plain_model():
    with pytest.raises(ModelError, match="no marginalised variables"):
        pm.recover_marginals(_simple(), {})


# -- labels per group, read through an index -----------------------------------------------
GROUP = np.array([0, 1, 1, 2, 0, 2, 1])
Y_GROUP = np.array([0.1, 2.2, 1.7, -0.4, 0.5, 0.2, 2.5])


def _grouped(index) -> pm.Model:
    with pm.Model() as m:
        w = pm.Beta("w", 2, 2)
        mu = pm.Normal("mu", [-1.0, 1.0], 1.0)
        z = pm.Bernoulli("z", p=w, shape=3)
        idx = pm.Data("group", GROUP) if index == "data" else GROUP
        pm.Normal("y", mu=mu[z[idx]], sigma=1.0, observed=Y_GROUP)
    return m


@pytest.mark.parametrize("index", ["array", "data"])
def test_labels_per_group(index):
    """One label per group, several observations per group: summed out per group."""
    model = _grouped(index)
    marginal = pm.marginalize(model, ["z"])
    m = marginal._marginals["z"]
    assert m.mode == "elementwise" and m.owners is not None
    np.testing.assert_array_equal(m.owners[0], GROUP)
    logp = marginal.compile_logp(jacobian=False)
    states = np.array(list(itertools.product([0, 1], repeat=3)))
    pt = _random_point(marginal, np.random.default_rng(6))
    want = _brute_force(model, "z", pt, states)
    np.testing.assert_allclose(float(logp(pt)), want, rtol=1e-10)
    if index == "data":
        # Another grouping: the check no longer holds, and the density says so (-inf).
        pm.set_data({"group": GROUP[::-1]}, model=marginal)
        cm = marginal.compiled()
        assert not np.isfinite(cm.logdensity_and_grad(cm.to_theta(pt), cm.data_values())[0])
