"""Bad input, tried as a new user would: each gets a clear credo error at the user's line,
naming the variable and what was expected, never a JAX traceback nor silence."""

import numpy as np
import pytest

import credo as pm
from credo.errors import DataError, ModelError, ParameterError, ShapeError


def test_string_observed_data():
    with pm.Model():
        with pytest.raises(DataError, match=r"'y': observed data must be numeric.*<U"):
            pm.Normal("y", 0, 1, observed=["a", "b"])
        with pytest.raises(DataError, match=r"Data 'x' must be numeric"):
            pm.Data("x", np.array(["1.0", "2.0"]))


def _regression(x_values, y_values):
    with pm.Model() as model:
        x = pm.Data("x", x_values)
        b = pm.Normal("b", 0, 1)
        pm.Normal("y", b * x, 1, observed=y_values)
    return model


def test_set_data_length_that_fixed_observed_data_must_match():
    model = _regression(np.arange(3.0), np.ones(3))
    with model:
        pm.set_data({"x": np.arange(4.0)})
        with pytest.raises(ShapeError, match=r"'y'.*shape \(3,\).*'x' \(now shape \(4,\)\)"):
            pm.sample(draws=5, tune=5, chains=1, progressbar=False)


def test_deterministic_of_a_function_or_a_string():
    with pm.Model():
        a = pm.Normal("a")
        with pytest.raises(ModelError, match=r"Deterministic\('d'.*function 'double'"):

            def double():
                return 2 * a

            pm.Deterministic("d", double)
        with pytest.raises(ModelError, match=r"Deterministic\('d'.*str 'a'.*model\['a'\]"):
            pm.Deterministic("d", "a")
        with pytest.raises(ModelError, match=r"Potential\('p'.*str"):
            pm.Potential("p", "a")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"chains": 0}, "chains must be a positive int, got 0"),
        ({"chains": 1.5}, "chains must be a positive int"),
        ({"cores": -1}, "cores must be a positive int"),
        ({"random_seed": "abc"}, "random_seed must be .* got 'abc'"),
        ({"random_seed": -3}, "random_seed must be"),
        ({"random_seed": [1, "x"]}, "random_seed must be"),
    ],
)
def test_sample_arguments_checked_first(kwargs, match):
    with pm.Model():
        pm.Normal("a")
        with pytest.raises(ParameterError, match=match):
            pm.sample(draws=5, tune=5, progressbar=False, **kwargs)


def test_negative_shape():
    with pm.Model():
        with pytest.raises(ShapeError, match=r"Normal\('a'\): shape \(2, -3\) has a negative"):
            pm.Normal("a", shape=(2, -3))
        with pytest.raises(ShapeError, match=r"Normal\('b'\).*negative"):
            pm.Normal("b", shape=-1)
        with pytest.raises(ShapeError, match=r"Normal\('c'\).*negative"):
            pm.Normal("c", size=-2)


def test_unknown_var_names_in_sample():
    with pm.Model():
        pm.Normal("a")
        pm.Deterministic("d", pm.Normal("b") * 2)
        with pytest.raises(ModelError, match=r"\['nonexistent'\].*\['a', 'b', 'd'\]"):
            pm.sample(draws=5, tune=5, progressbar=False, var_names=["nonexistent"])


def test_duplicate_coordinate_values():
    with pytest.raises(ModelError, match=r"coords 'g'.*distinct.*\['a'\]"):
        pm.Model(coords={"g": ["a", "a", "b"]})
    with pm.Model(coords={"g": ["a", "b"]}) as model:
        pm.Data("x", np.zeros(2), dims="g")
        with pytest.raises(ModelError, match=r"coords 'g'.*distinct"):
            pm.set_data({"x": np.zeros(3)}, coords={"g": [1, 1, 2]})
    assert model.coords["g"] == ("a", "b")


def test_categorical_p_not_summing_to_one_is_rescaled_with_a_warning():
    with pm.Model():
        with pytest.warns(UserWarning, match=r"Categorical\('c'\): p values sum up to \[0\.6"):
            c = pm.Categorical("c", p=[0.2, 0.2, 0.2])
        np.testing.assert_allclose(c.distribution.params["p"], [1 / 3] * 3)
        pm.Categorical("fine", p=[0.25, 0.75])  # no warning (filterwarnings = error)


def test_posterior_predictive_with_a_trace_of_another_shape():
    with pm.Model() as model:
        a = pm.Normal("a", shape=2)
        pm.Normal("y", a.sum(), 1, observed=[0.1, 0.2])
    trace = pm.io.idata.to_inference_data(model, {"posterior": {"a": np.zeros((1, 4, 3))}})
    with pytest.raises(ShapeError, match=r"trace's 'a' .*\(3,\).*model's 'a' has shape \(2,\)"):
        pm.sample_posterior_predictive(trace, model=model)
    with pytest.raises(ShapeError, match=r"trace's 'a'"):
        pm.compute_log_likelihood(trace, model=model)


def test_unpacking_the_packed_lkj_cholesky_cov():
    with pm.Model():
        sd = pm.Exponential.dist(1.0)
        with pytest.raises(ShapeError, match=r"LKJCholeskyCov\('chol'\).*compute_corr=True"):
            chol, corr, stds = pm.LKJCholeskyCov("chol", n=2, eta=2, sd_dist=sd)
        packed = pm.LKJCholeskyCov("packed", n=2, eta=2, sd_dist=sd)
        assert packed.shape == (3,)  # PyMC 3's packed default, still usable
        pm.expand_packed_triangular(2, packed)
        chol, corr, stds = pm.LKJCholeskyCov("unpacked", n=2, eta=2, sd_dist=sd, compute_corr=True)
        assert chol.shape == (2, 2) and corr.shape == (2, 2) and stds.shape == (2,)


def test_observed_expression_only_a_shift_of_the_data():
    y = np.array([0.5, 1.5, 2.0])
    with pm.Model() as model:
        mu = pm.Normal("mu")
        s = pm.HalfNormal("s")
        pm.Normal("shift", 0, 1, observed=y - mu)
        pm.Normal("shift_back", 0, 1, observed=mu - y + 2.0)
        pm.Normal("logged", 0, 1, observed=np.log(y) - mu)  # a transform of data only
        pm.Normal("det", 0, 1, observed=pm.Deterministic("r", y - 2 * mu))
        for name, expr in [
            ("scaled", y / s),
            ("log_of_shift", pm.math.log(y - mu + 10)),
            ("tangled", y - mu * y),
            ("no_data", mu * 2),
        ]:
            with pytest.raises(ModelError, match=rf"'{name}'.*derivative.*Potential"):
                pm.Normal(name, 0, 1, observed=expr)
    assert [v.name for v in model.observed_RVs] == ["shift", "shift_back", "logged", "det"]
