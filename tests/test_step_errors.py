"""Bad step-method input: a clear credo error naming the variable, before any compilation."""

import numpy as np
import pytest

import credo as pm
from credo.errors import ModelError, ParameterError


def _model():
    with pm.Model() as model:
        k = pm.Poisson("k", 3.0)
        b = pm.Bernoulli("b", 0.4)
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("y", mu + k, 1, observed=np.array([0.3, 2.0]))
    return model, k, b, mu


def test_nuts_on_a_discrete_variable():
    model, k, *_ = _model()
    with model, pytest.raises(ParameterError, match="'k' is discrete"):
        pm.NUTS([k])
    with model, pytest.raises(ParameterError, match="'k' is discrete"):
        pm.sample(step=pm.Slice(["k"]), progressbar=False)


def test_binary_steps_on_a_count():
    model, k, *_ = _model()
    with model, pytest.raises(ParameterError, match="binary .*'k' is Poisson"):
        pm.BinaryGibbsMetropolis([k])
    with model, pytest.raises(ParameterError, match="Categorical or Bernoulli .*'k'"):
        pm.CategoricalGibbsMetropolis([k])


def test_variable_assigned_twice():
    model, k, b, mu = _model()
    with model, pytest.raises(ModelError, match="'mu' is assigned to two step methods"):
        pm.sample(step=[pm.Metropolis([mu, k]), pm.NUTS([mu])], progressbar=False)


def test_unknown_variable_and_variable_of_another_model():
    model, *_ = _model()
    with model, pytest.raises(ModelError, match="'sigma', which is not a free variable"):
        pm.sample(step=pm.Metropolis(["sigma"]), progressbar=False)
    with model, pytest.raises(ModelError, match="'y'.* is observed"):
        pm.sample(step=pm.Metropolis([model["y"]]), progressbar=False)
    other, k_other, *_ = _model()
    with model, pytest.raises(ModelError, match="'k'.*belongs to another model"):
        pm.sample(step=pm.Metropolis([k_other]), progressbar=False)


def test_bad_step_arguments():
    model, k, b, mu = _model()
    with model:
        with pytest.raises(ParameterError, match="step: Metropolis is a class"):
            pm.sample(step=pm.Metropolis, progressbar=False)
        with pytest.raises(ParameterError, match="step must be a step method"):
            pm.sample(step="nuts", progressbar=False)
        with pytest.raises(ParameterError, match="scaling must be a positive number"):
            pm.Metropolis([k], scaling=-1.0)
        with pytest.raises(ParameterError, match="S must have shape"):
            pm.sample(step=pm.Metropolis([k, mu], S=np.ones(3)), progressbar=False)
        with pytest.raises(ParameterError, match="proposal must be 'uniform' or 'proportional'"):
            pm.CategoricalGibbsMetropolis([b], proposal="gibbs")
        with pytest.raises(ParameterError, match="order must be 'random' or a permutation"):
            pm.sample(step=pm.BinaryGibbsMetropolis([b], order=[1]), progressbar=False)
        with pytest.raises(ParameterError, match="transit_p must be in"):
            pm.BinaryGibbsMetropolis([b], transit_p=1.5)
        with pytest.raises(ParameterError, match="tune must be None, 'scaling' or 'lambda'"):
            pm.DEMetropolisZ(tune="both")
        with pytest.raises(ParameterError, match="w must be a positive number"):
            pm.Slice(w=0)
        with pytest.raises(ParameterError, match="target_accept must be in"):
            pm.NUTS(target_accept=1.5)
        with pytest.raises(ParameterError, match="path_length must be a positive number"):
            pm.HamiltonianMC(path_length=-2)
        with pytest.raises(ModelError, match="not a model variable"):
            pm.Metropolis([3.0])


def test_nuts_for_every_variable_is_the_plain_nuts_run():
    with pm.Model() as model:
        a = pm.Normal("a", 0, 1)
        pm.Normal("y", a, 1, observed=[0.2, -0.1])
    kwargs = dict(draws=30, tune=30, chains=2, random_seed=9, progressbar=False)
    with model:
        plain = pm.sample(**kwargs)
        stepped = pm.sample(**kwargs, step=pm.NUTS())
    np.testing.assert_array_equal(plain["posterior"]["a"].values, stepped["posterior"]["a"].values)
    assert set(plain["sample_stats"].data_vars) == set(stepped["sample_stats"].data_vars)
