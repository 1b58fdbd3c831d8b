"""find_MAP against closed-form posterior modes, its options and its errors."""

import functools

import numpy as np
import pytest
from scipy.special import logit

import credo as pm

# Beta(2, 3) prior, 7 successes in 20 trials: mode (a + k - 1) / (a + b + n - 2).
P_MODE = (2 + 7 - 1) / (2 + 3 + 20 - 2)
# Gamma(3, 2) prior on a Poisson rate, counts summing to 13 over 5: (a + s - 1) / (b + n).
COUNTS = np.array([2, 4, 1, 3, 3])
LAM_MODE = (3 + COUNTS.sum() - 1) / (2 + len(COUNTS))


@functools.cache
def _conjugate_model():  # one model (one compilation) for the tests that use it
    rng = np.random.default_rng(0)
    y = rng.normal(1.0, 2.0, size=30)
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 10)
        pm.Normal("y", mu, 2.0, observed=y)
        p = pm.Beta("p", 2, 3)
        pm.Binomial("k", n=20, p=p, observed=7)
        lam = pm.Gamma("lam", alpha=3, beta=2)
        pm.Poisson("c", lam, observed=COUNTS)
        pm.Deterministic("lam2", 2 * lam)
    prec = 1 / 10**2 + len(y) / 2.0**2
    return model, (y.sum() / 2.0**2) / prec


@pytest.mark.parametrize("methods", [("L-BFGS-B", "BFGS", "Powell"), ("Newton",)])
def test_modes_match_closed_form(methods):
    model, mu_mode = _conjugate_model()
    for method in methods:  # BFGS and Powell run the L-BFGS search compiled for L-BFGS-B
        with model:
            point = pm.find_MAP(method=method, progressbar=False)
        _check_modes(point, mu_mode)


def _check_modes(point, mu_mode):
    np.testing.assert_allclose(point["mu"], mu_mode, rtol=1e-6)
    np.testing.assert_allclose(point["p"], P_MODE, rtol=1e-6)
    np.testing.assert_allclose(point["lam"], LAM_MODE, rtol=1e-6)
    np.testing.assert_allclose(point["lam2"], 2 * LAM_MODE, rtol=1e-6)
    # Unconstrained values under PyMC's names.
    np.testing.assert_allclose(point["p_logodds__"], logit(P_MODE), rtol=1e-6)
    np.testing.assert_allclose(point["lam_log__"], np.log(LAM_MODE), rtol=1e-6)
    assert all(isinstance(v, np.ndarray) for v in point.values())


def test_options_vars_start_raw_and_one_compilation():
    model, mu_mode = _conjugate_model()
    with model:
        point, raw = pm.find_MAP(
            vars=[model["p"]],
            start={"lam": 1.5},
            return_raw=True,
            include_transformed=False,
            progressbar=False,
        )
        assert set(point) == {"mu", "p", "lam", "lam2"}
        np.testing.assert_allclose(point["p"], P_MODE, rtol=1e-6)
        np.testing.assert_allclose(point["lam"], 1.5)  # not optimised: stays at start
        assert raw.success and raw.vars == ["p"] and raw.x.shape == (3,)
        again = pm.find_MAP(vars=["p"], start={"lam": 0.7}, progressbar=False)
        np.testing.assert_allclose(again["p"], P_MODE, rtol=1e-6)
        np.testing.assert_allclose(again["lam"], 0.7)
    cache = model.compiled()._cache
    searches = [v for k, v in cache.items() if k[0] == "find_MAP" and k[2] == (1,)]
    assert len(searches) == 1 and searches[0]._cache_size() == 1


def test_vector_variable_and_maxeval():
    x = np.array([[1.0, 2.0, 3.0], [2.0, 1.0, 0.0]])
    with pm.Model():
        m = pm.Normal("m", 0, 1e3, shape=3)
        pm.Normal("x", m, 1.0, observed=x)
        point = pm.find_MAP(progressbar=False, maxeval=200)
    np.testing.assert_allclose(point["m"], x.mean(0), rtol=1e-5)


def test_bad_input_is_named():
    model, _ = _conjugate_model()
    with model:
        with pytest.raises(pm.ModelError, match="'nope'.*free variables are"):
            pm.find_MAP(vars=["nope"], progressbar=False)
        with pytest.raises(pm.ModelError, match="'y'.*not a free"):
            pm.find_MAP(vars=["y"], progressbar=False)
        with pytest.raises(pm.ModelError, match="start=.*'sigma'"):
            pm.find_MAP(start={"sigma": 1.0}, progressbar=False)
        with pytest.raises(ValueError, match="unknown method 'simplex'.*L-BFGS-B"):
            pm.find_MAP(method="simplex", progressbar=False)
        with pytest.raises(pm.SamplingError, match="not finite at the start.*'p'"):
            pm.find_MAP(start={"p": 1.5}, progressbar=False)
    with pm.Model():
        pm.Poisson("k", 2.0)
        with pytest.raises(pm.ModelError, match="no continuous free variables.*'k'"):
            pm.find_MAP(progressbar=False)
        pm.Normal("n", 1.0, 1.0)
        point = pm.find_MAP(progressbar=False)  # discrete variables stay at their start
        assert point["k"].dtype.kind == "i" and point["k"] == 2
        np.testing.assert_allclose(point["n"], 1.0)
