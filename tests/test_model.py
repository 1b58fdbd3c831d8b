"""The model layer: registry, coords/dims, Data, Deterministic, Potential, compiled
log-density, initial point, and the errors raised at definition time."""

import threading

import numpy as np
import pytest
from scipy import stats

import credo as pm


def _quickstart_model():
    rng = np.random.default_rng(0)
    x_values = rng.normal(size=30)
    g = rng.integers(0, 3, size=30)
    y = 1.0 + 0.5 * x_values + rng.normal(scale=0.3, size=30)
    with pm.Model(coords={"group": ["a", "b", "c"]}) as model:
        x = pm.Data("x", x_values)
        a = pm.Normal("a", mu=0, sd=10)
        u = pm.Normal("u", 0, 1, dims="group")
        s = pm.Exponential("s", lam=1)
        mu = a + u[g] * x
        pm.Normal("y", mu, s, observed=y)
        pm.Deterministic("twice_a", a * 2)
        pm.Potential("penalty", -(a**2))
    return model, x_values, g, y


def test_registry():
    model, *_ = _quickstart_model()
    assert list(model.named_vars) == ["x", "a", "u", "s", "y", "twice_a", "penalty"]
    assert [v.name for v in model.free_RVs] == ["a", "u", "s"]
    assert [v.name for v in model.observed_RVs] == ["y"]
    assert [v.name for v in model.deterministics] == ["twice_a"]
    assert [v.name for v in model.potentials] == ["penalty"]
    assert [v.name for v in model.data_vars] == ["x"]
    assert model["u"].shape == (3,)
    assert model.named_vars_to_dims["u"] == ("group",)
    assert model.coords["group"] == ("a", "b", "c")
    assert "a" in model


def test_joint_logp_matches_scipy():
    model, x, g, y = _quickstart_model()
    point = {"a": 0.7, "u": np.array([0.1, -0.2, 0.4]), "s": 0.5}
    mu = point["a"] + point["u"][g] * x
    want = (
        stats.norm(0, 10).logpdf(0.7)
        + stats.norm(0, 1).logpdf(point["u"]).sum()
        + stats.expon(scale=1).logpdf(0.5)
        + stats.norm(mu, 0.5).logpdf(y).sum()
        - 0.7**2
    )
    got = model.compile_logp(jacobian=False)(point)
    np.testing.assert_allclose(float(got), want, rtol=1e-12)
    # With the Jacobian: the log transform of s adds log(s).
    got_j = model.compile_logp(jacobian=True)(point)
    np.testing.assert_allclose(float(got_j), want + np.log(0.5), rtol=1e-12)
    logps = model.point_logps(point)
    np.testing.assert_allclose(logps["y"], stats.norm(mu, 0.5).logpdf(y).sum(), rtol=1e-12)
    np.testing.assert_allclose(logps["penalty"], -0.49)


def test_sampler_interface_round_trip():
    model, *_ = _quickstart_model()
    cm = model.compiled()
    point = {"a": 0.7, "u": np.array([0.1, -0.2, 0.4]), "s": 0.5}
    theta = cm.to_theta(point)
    assert theta.shape == (cm.dim,) == (5,)
    np.testing.assert_allclose(theta[-1], np.log(0.5))
    out = cm.constrained(theta, cm.data_values())
    np.testing.assert_allclose(out["s"], 0.5)
    np.testing.assert_allclose(out["twice_a"], 1.4)
    lp, grad = cm.logdensity_and_grad(theta, cm.data_values())
    np.testing.assert_allclose(lp, model.compile_logp(jacobian=True)(point), rtol=1e-12)
    assert grad.shape == (5,) and np.all(np.isfinite(grad))


def test_initial_point_is_inside_support():
    model, *_ = _quickstart_model()
    ip = model.initial_point()
    assert set(ip) == {"a", "u", "s"}
    assert ip["u"].shape == (3,) and ip["s"] > 0
    assert np.isfinite(model.logp())
    with pm.Model() as m2:
        pm.Uniform("w", -1, 3) if hasattr(pm, "Uniform") else pm.Normal("w", 1, 1)
        pm.Normal("v", 0, 1, initval=0.25)
    ip2 = m2.initial_point()
    np.testing.assert_allclose(ip2["w"], 1.0)
    np.testing.assert_allclose(ip2["v"], 0.25)


def test_set_data_changes_values_not_structure():
    model, x, g, y = _quickstart_model()
    point = {"a": 0.7, "u": np.array([0.1, -0.2, 0.4]), "s": 0.5}
    before = float(model.compile_logp()(point))
    cm = model.compiled()
    pm.set_data({"x": x * 2}, model=model)
    assert model.compiled() is cm
    after = float(model.compile_logp()(point))
    assert before != after
    with model:
        pm.set_data({"x": x})
    np.testing.assert_allclose(float(model.compile_logp()(point)), before)
    with pytest.raises(pm.ModelError, match="not a Data"):
        pm.set_data({"a": 1.0}, model=model)


def test_observed_rv_stands_for_its_data():
    rng = np.random.default_rng(1)
    x1 = rng.normal(size=20)
    x2 = 2 * x1 + rng.normal(scale=0.1, size=20)
    y = 3 * x2 + rng.normal(scale=0.1, size=20)
    with pm.Model() as model:
        b1 = pm.Normal("b1", 0, 5)
        x2_hat = pm.Normal("x2_hat", b1 * x1, 1.0, observed=x2)
        b2 = pm.Normal("b2", 0, 5)
        pm.Normal("y_hat", b2 * x2_hat, 1.0, observed=y)
    logps = model.point_logps({"b1": 2.0, "b2": 3.0})
    np.testing.assert_allclose(logps["y_hat"], stats.norm(3 * x2, 1).logpdf(y).sum())


def test_observed_expression():
    rng = np.random.default_rng(2)
    x = rng.normal(size=10)
    y = 1.5 * x + rng.normal(size=10)
    with pm.Model() as model:
        b = pm.Normal("b", 0, 1)
        s = pm.Exponential("s", lam=1)
        pm.Normal("resid", 0, s, observed=y - b * x)
    lp = model.point_logps({"b": 1.5, "s": 2.0})["resid"]
    np.testing.assert_allclose(lp, stats.norm(0, 2).logpdf(y - 1.5 * x).sum())


def test_shape_dims_and_size():
    with pm.Model(coords={"obs": range(4), "k": ["p", "q"]}) as model:
        a = pm.Normal("a", 0, 1, dims=("obs", "k"))
        b = pm.Normal("b", 0, 1, shape=(4, 2))
        c = pm.Normal("c", np.zeros(2), 1, size=(3, 2))
        d = pm.Normal("d", np.zeros(2), 1)
        pm.Data("xd", np.zeros(5), dims="new_dim")
    assert a.shape == b.shape == (4, 2)
    assert c.shape == (3, 2) and d.shape == (2,)
    assert model.coords["new_dim"] == tuple(range(5))


def test_nested_models_prefix_names():
    with pm.Model() as outer:
        pm.Normal("a", 0, 1)
        with pm.Model("inner"):
            pm.Normal("a", 0, 1)
    assert list(outer.named_vars) == ["a", "inner::a"]


def test_context_stack_is_thread_local():
    seen = []
    with pm.Model():

        def worker():
            seen.append(pm.Model.get_context(error_if_none=False))

        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen == [None]


# -- errors at definition time ------------------------------------------------------------
def test_errors_name_the_variable():
    with pm.Model(coords={"g": [1, 2]}):
        pm.Normal("a", 0, 1)
        with pytest.raises(pm.ModelError, match="already has a variable named 'a'"):
            pm.Normal("a", 0, 1)
        with pytest.raises(pm.ParameterError, match=r"Normal\('n'\).*sigma.*positive"):
            pm.Normal("n", 0, -1)
        with pytest.raises(pm.ParameterError, match=r"Beta\('p'\)|Bernoulli\('p'\)"):
            pm.Bernoulli("p", p=1.5)
        with pytest.raises(pm.ParameterError, match="'sd' and 'sigma'|'sigma' and 'sd'"):
            pm.Normal("c", 0, sd=1, sigma=2)
        with pytest.raises(pm.ParameterError, match="unknown keyword argument 'scale'"):
            pm.Normal("c", 0, scale=1)
        xn = pm.Data("xn", [1.0, np.nan])
        with pytest.raises(ValueError, match="'o'.*'xn'.*NaN"):
            pm.Normal("o", xn, 1, observed=[1.0, 2.0])
        with pytest.raises(pm.ModelError, match="'d'.*unknown dims name 'nope'"):
            pm.Normal("d", 0, 1, dims="nope")
        with pytest.raises(pm.ShapeError, match=r"Normal\('e'\).*\(3,\).*\(4,\)"):
            pm.Normal("e", np.zeros(3), 1, observed=np.zeros(4))
        with pytest.raises(pm.ShapeError, match=r"Normal\('f'\)"):
            pm.Normal("f", np.zeros(3), 1, shape=4)
        with pytest.raises(pm.ShapeError, match="dim 'g'"):
            pm.Normal("h", 0, 1, dims="g", shape=3)
    with pytest.raises(pm.ModelError, match="outside any model"):
        pm.Normal("z", 0, 1)
    with pytest.raises(pm.ModelError, match="outside any model"):
        pm.Deterministic("z", 1.0)


def test_data_dependent_invalid_values_give_minus_inf():
    with pm.Model() as model:
        s = pm.Normal("s", 0, 1)
        pm.Normal("y", 0, s, observed=[0.1, 0.2])
    lp = model.compile_logp(jacobian=False)({"s": -1.0})
    assert float(lp) == -np.inf
    with pm.Model() as m2:
        pm.Exponential("e", lam=1)
    assert float(m2.compile_logp(jacobian=False)({"e": -1.0})) == -np.inf


def test_dist_is_unregistered():
    d = pm.Exponential.dist(lam=2.0)
    assert d.name is None and d.distribution.params["lam"] == 2.0
    with pm.Model() as model:
        pm.Normal.dist(0, 1)
    assert model.named_vars == {}
