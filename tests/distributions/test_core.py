"""The core: constraints and their registry of bijectors, transform= / default_transform=,
distribution-valued parameters, declared event shapes, pm.draw."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st

import credo as pm
from credo.distributions import constraints as C
from credo.distributions import transforms as tr


def test_registry_maps_constraints_to_bijectors() -> None:
    assert C.biject_to(C.real, {}) is None
    assert C.biject_to(C.positive, {}) is tr.log
    assert C.biject_to(C.unit_interval, {}) is tr.logodds
    assert C.biject_to(C.simplex, {}) is tr.simplex
    assert isinstance(C.biject_to(C.positive_ordered, {}), tr.ChainedTransform)
    assert isinstance(C.biject_to(C.interval(0.0, 1.0), {}), tr.IntervalTransform)
    assert isinstance(C.biject_to(C.interval(2.0, np.inf), {}), tr.LowerBoundTransform)
    assert isinstance(C.biject_to(C.interval(-np.inf, 2.0), {}), tr.UpperBoundTransform)
    assert C.biject_to(C.interval(-np.inf, np.inf), {}) is None
    assert C.biject_to(C.nonnegative_integer, {}) is None  # discrete
    # Bounds named by parameters resolve against them.
    t = C.biject_to(C.interval("lower", "upper"), {"lower": -1.0, "upper": 3.0})
    assert t.inputs == (-1.0, 3.0)
    assert repr(C.interval("lower", "upper")) == "constraints.interval(lower, upper)"


def test_transform_chains_after_the_default_and_default_transform_none() -> None:
    with pm.Model() as m:
        a = pm.Exponential("a", 1.0, shape=3, transform=tr.ordered, initval=[0.5, 1.0, 2.0])
        b = pm.HalfNormal("b", 1.0, default_transform=None)
        c = pm.Normal("c", 0.0, 1.0, shape=2, transform=tr.ordered, initval=[-1.0, 1.0])
        d = pm.Beta("d", 2.0, 2.0, default_transform=None, transform=tr.logodds)
        e = pm.Gamma("e", 2.0, 1.0, transform=None)  # None: nothing extra (PyMC's rule)
    assert isinstance(a.transform, tr.ChainedTransform)
    assert [type(t) for t in a.transform.transform_list] == [tr.LogTransform, tr.OrderedTransform]
    assert b.transform is None and c.transform is tr.ordered and d.transform is tr.logodds
    assert e.transform is tr.log
    point = {
        "a": np.array([0.5, 1.0, 2.0]),
        "b": np.array(0.3),
        "c": np.array([-1.0, 1.0]),
        "d": np.array(0.4),
        "e": np.array(1.5),
    }
    lp = m.point_logps(point)
    np.testing.assert_allclose(lp["a"], st.expon.logpdf([0.5, 1.0, 2.0]).sum())
    with pm.Model():
        with pytest.raises(pm.ParameterError, match=r"Normal\('x'\): transform= must be"):
            pm.Normal("x", transform="log")


def test_positive_ordered_samples_stay_ordered() -> None:
    with pm.Model():
        pm.Exponential("a", 1.0, shape=3, transform=tr.ordered, initval=[0.5, 1.0, 2.0])
        idata = pm.sample(200, tune=200, chains=1, random_seed=1, progressbar=False)
    a = idata["posterior"]["a"].values.reshape(-1, 3)
    assert (a > 0).all() and (np.diff(a, axis=-1) > 0).all()


def test_distribution_parameters_are_graph_inputs() -> None:
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 1.0)
        y = pm.Censored("y", pm.Normal.dist(mu, 1.0), lower=-1.0, upper=1.0, observed=[0.2, 1.0])
    assert any(i is mu for i in y.inputs)  # the base's parameters are the node's inputs
    lp = m.point_logps({"mu": np.array(0.5)})["y"]
    np.testing.assert_allclose(lp, st.norm(0.5, 1).logpdf(0.2) + st.norm(0.5, 1).logsf(1.0))
    graph = pm.model_to_graphviz(m)
    assert "mu -> y" in graph.source


def test_event_shape_declared_by_steps_or_shape() -> None:
    assert pm.GaussianRandomWalk.dist(sigma=1.0, steps=9).shape == (10,)
    assert pm.GaussianRandomWalk.dist(sigma=np.ones(3), shape=(3, 7)).shape == (3, 7)
    assert pm.ZeroSumNormal.dist(shape=(2, 5), n_zerosum_axes=2).shape == (2, 5)
    with pytest.raises(pm.ShapeError, match="length >= 2"):
        pm.ZeroSumNormal.dist(shape=(1,))


def test_draw_of_dependent_nodes_and_model_variables() -> None:
    mu = pm.Normal.dist(10.0, 0.1)
    x = pm.Normal.dist(mu, 0.01, shape=3)
    a, b = pm.draw([mu, x * 2], draws=500, random_seed=1)
    assert a.shape == (500,) and b.shape == (500, 3)
    np.testing.assert_allclose(b / 2, np.broadcast_to(a[:, None], (500, 3)), atol=0.06)
    one = pm.draw(pm.Poisson.dist(3.0, shape=2), random_seed=2)
    assert one.shape == (2,) and one.dtype == np.int64
    with pm.Model():
        s = pm.HalfNormal("s", 1.0)
        z = pm.Normal("z", 0.0, s)
    assert pm.draw(z, 10, random_seed=3).shape == (10,)
    with pytest.raises(pm.ParameterError, match="pm.draw"):
        pm.draw(3.0)


def test_ordered_categoricals_record_probs_as_pymc_does() -> None:
    cut = np.array([-1.0, 0.5])
    with pm.Model() as m:
        eta = pm.Normal("eta", 0.0, 1.0)
        pm.OrderedLogistic("y", eta=eta, cutpoints=cut, observed=[0, 2, 1])
        pm.OrderedProbit("z", eta=0.3, cutpoints=cut, compute_p=False, observed=[1])
    assert [d.name for d in m.deterministics] == ["y_probs"]
    out = m.compiled().constrained(np.zeros(1), m.compiled().data_values())
    p = 1 / (1 + np.exp(-cut))
    np.testing.assert_allclose(out["y_probs"], np.diff(np.concatenate([[0], p, [1]])))
    assert pm.OrderedLogistic.dist(0.0, cut, compute_p=True).shape == ()
