"""pm.do and pm.observe against hand-built equivalent models, sampled like any other."""

import numpy as np
import pytest
from scipy import stats

import credo as pm
from credo.sampling.diagnostics import ess_bulk


def _chain_model():
    # z -> x -> y and z -> y: z confounds the effect of x on y.
    with pm.Model(coords={"i": [0, 1]}) as model:
        z = pm.Normal("z", 0, 1)
        x = pm.Normal("x", 2 * z, 1)
        s = pm.HalfNormal("s", 1)
        pm.Normal("y", x + 3 * z, s)
        pm.Deterministic("x2", 2 * x)
    return model


def _logp(model, point):
    return float(model.compile_logp()(point))


def test_do_equals_the_hand_built_model_and_leaves_the_original_alone():
    model = _chain_model()
    before = _logp(model, {"z": 0.3, "x": 1.0, "s": 0.8, "y": -0.5})
    with model:  # inside the original's context: still a separate model
        intervened = pm.do(model, {"x": 1.5})
    with pm.Model() as hand:
        z = pm.Normal("z", 0, 1)
        s = pm.HalfNormal("s", 1)
        pm.Normal("y", 1.5 + 3 * z, s)
    assert [v.name for v in intervened.free_RVs] == ["z", "s", "y"]
    assert "x" in [d.name for d in intervened.data_vars]
    for point in ({"z": 0.3, "s": 0.8, "y": -0.5}, {"z": -1.0, "s": 2.0, "y": 1.0}):
        np.testing.assert_allclose(_logp(intervened, point), _logp(hand, point), rtol=1e-12)
    assert _logp(model, {"z": 0.3, "x": 1.0, "s": 0.8, "y": -0.5}) == before
    assert [v.name for v in model.free_RVs] == ["z", "x", "s", "y"]
    # The intervention is a Data container: set_data moves it, as in PyMC.
    pm.set_data({"x": 0.0}, model=intervened)
    point = {"z": 0.3, "s": 0.8, "y": -0.5}
    expected = stats.norm(0, 1).logpdf(0.3) + stats.halfnorm(0, 1).logpdf(0.8)
    expected += stats.norm(0.9, 0.8).logpdf(-0.5) + np.log(0.8)  # log-Jacobian of s
    np.testing.assert_allclose(_logp(intervened, point), expected, rtol=1e-12)


def test_do_gives_the_interventional_mean_not_the_observational_one():
    model = _chain_model()
    intervened = pm.do(model, {"x": 1.5})
    n = 4000
    prior = pm.sample_prior_predictive(n, model=intervened, random_seed=1)["prior"]
    # E[y | do(x = 1.5)] = 1.5 + 3 E[z] = 1.5; sd(y) = sqrt(9 + E[s^2]) = sqrt(10).
    y = prior["y"].values.ravel()
    assert abs(y.mean() - 1.5) < 4 * np.sqrt(10 / n)
    np.testing.assert_allclose(prior["x2"].values, 3.0)
    # Conditioning on x instead (observe) would shift z: E[y | x = 1.5] = 1.5 + 3 * 0.6.
    assert abs(y.mean() - 3.3) > 10 * np.sqrt(10 / n)


def test_do_with_an_expression_and_prune_vars():
    model = _chain_model()
    intervened = pm.do(model, {"x": model["z"] * 0.5})
    with pm.Model() as hand:
        z = pm.Normal("z", 0, 1)
        s = pm.HalfNormal("s", 1)
        pm.Normal("y", 0.5 * z + 3 * z, s)
    point = {"z": 0.7, "s": 1.3, "y": 0.2}
    np.testing.assert_allclose(_logp(intervened, point), _logp(hand, point), rtol=1e-12)
    assert "x" in [d.name for d in intervened.deterministics]
    with pm.Model() as m2:
        a = pm.Normal("a", 0, 1)
        b = pm.Normal("b", a, 1)
        pm.Normal("c", b, 1, observed=0.5)
    pruned = pm.do(m2, {"b": 0.2}, prune_vars=True)
    assert [v.name for v in pruned.free_RVs] == []
    kept = pm.do(m2, {"b": 0.2})
    assert [v.name for v in kept.free_RVs] == ["a"]


def test_observe_equals_the_model_written_with_observed_and_samples():
    model = _chain_model()
    conditioned = pm.observe(model, {"y": 2.0, "s": 1.0})
    with pm.Model() as hand:
        z = pm.Normal("z", 0, 1)
        x = pm.Normal("x", 2 * z, 1)
        s = pm.HalfNormal("s", 1, observed=1.0)
        pm.Normal("y", x + 3 * z, s, observed=2.0)
    assert [v.name for v in conditioned.observed_RVs] == ["s", "y"]
    point = {"z": 0.4, "x": -0.2}
    np.testing.assert_allclose(_logp(conditioned, point), _logp(hand, point), rtol=1e-12)
    idata = pm.sample(1000, tune=500, chains=2, random_seed=3, progressbar=False, model=conditioned)
    # (z, y) jointly normal: cov(z, y) = 5, var(y) = 27 -> z | y = 2 ~ N(10/27, 2/27).
    z = idata["posterior"]["z"].values
    mcse = z.std() / np.sqrt(ess_bulk(z))
    assert abs(z.mean() - 10 / 27) < 4 * mcse
    assert abs(z.std() / np.sqrt(2 / 27) - 1) < 0.1
    np.testing.assert_allclose(idata["observed_data"]["y"].values, 2.0)


def test_bad_input_names_the_variable():
    model = _chain_model()
    with pm.Model():
        pm.Data("d", [1.0, 2.0])
        other = pm.Normal("o", 0, 1)
    with pytest.raises(pm.ModelError, match="do: 'w' is not a variable.*'z', 'x'"):
        pm.do(model, {"w": 1.0})
    with pytest.raises(pm.ModelError, match="'o'.*not a variable"):
        pm.do(model, {other: 1.0})
    with pytest.raises(pm.ShapeError, match="'x'.*shape \\(3,\\)"):
        pm.do(model, {"x": np.zeros(3)})
    with pytest.raises(pm.ModelError, match="depends on 'x'"):
        pm.do(model, {"x": model["x2"] + 1})
    with pytest.raises(pm.ModelError, match="observe: 'x2' is a deterministic"):
        pm.observe(model, {"x2": 1.0})
    with pytest.raises(pm.ModelError, match="observe: 'nope' is not a variable"):
        pm.observe(model, {"nope": 1.0})
    conditioned = pm.observe(model, {"y": 1.0})
    with pytest.raises(pm.ModelError, match="'y' is an observed variable"):
        pm.observe(conditioned, {"y": 1.0})
    with pytest.raises(pm.ShapeError, match="'z'.*\\(2,\\)"):
        pm.observe(model, {"z": [1.0, 2.0]})


def test_do_on_an_observed_variable_and_on_a_deterministic():
    with pm.Model() as model:
        a = pm.Normal("a", 0, 1)
        d = pm.Deterministic("d", 2 * a)
        pm.Normal("y", d, 1, observed=[0.5, 1.5])
        pm.Normal("w", d, 1)
    no_likelihood = pm.do(model, {"y": [0.0, 0.0]})
    assert [v.name for v in no_likelihood.observed_RVs] == []
    point = {"a": 0.3, "w": 0.1}
    expected = stats.norm(0, 1).logpdf(0.3) + stats.norm(0.6, 1).logpdf(0.1)
    np.testing.assert_allclose(_logp(no_likelihood, point), expected, rtol=1e-12)
    fixed_d = pm.do(model, {"d": 1.0})
    expected = stats.norm(0, 1).logpdf(0.3) + stats.norm(1.0, 1).logpdf([0.5, 1.5, 0.1]).sum()
    np.testing.assert_allclose(_logp(fixed_d, point), expected, rtol=1e-12)
