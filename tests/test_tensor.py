"""Lazy tensors: shape inference, operators, indexing, numpy interop, credo.math."""

import jax.numpy as jnp
import numpy as np
import pytest

import credo as pm
from credo.model.tensor import evaluate


def _value(node, **values):
    model = pm.modelcontext(None)
    env = {model[k]: jnp.asarray(v) for k, v in values.items()}
    return np.asarray(evaluate([node], env)[0])


def test_operators_and_shapes():
    with pm.Model():
        a = pm.Normal("a", 0, 1, shape=3)
        b = pm.Normal("b", 0, 1)
        x = pm.Data("x", np.arange(3.0))
        exprs = {
            "add": (a + b * x, lambda a, b: a + b * np.arange(3.0)),
            "radd": (1 + a, lambda a, b: 1 + a),
            "sub": (2 - a, lambda a, b: 2 - a),
            "div": (a / 2, lambda a, b: a / 2),
            "rdiv": (1 / (b + 3), lambda a, b: 1 / (b + 3)),
            "pow": (a**2, lambda a, b: a**2),
            "rpow": (2**b, lambda a, b: 2**b),
            "neg": (-a, lambda a, b: -a),
            "matmul": (a @ x, lambda a, b: a @ np.arange(3.0)),
            "lt": (a < b, lambda a, b: a < b),
            "ge": (a >= 0.5, lambda a, b: a >= 0.5),
            "abs": (abs(a), lambda a, b: np.abs(a)),
        }
        av, bv = np.array([0.5, -1.0, 2.0]), 0.3
        for name, (node, fn) in exprs.items():
            want = fn(av, bv)
            assert node.shape == np.shape(want), name
            np.testing.assert_allclose(_value(node, a=av, b=bv), want, err_msg=name)


def test_indexing_forms():
    with pm.Model():
        m = pm.Normal("m", 0, 1, shape=(3, 2))
        c = pm.Normal("c", 0, 1, shape=(2, 2))
        mv = np.arange(6.0).reshape(3, 2)
        cv = np.array([[1.0, 0.2], [0.3, 1.0]])
        i1, i2 = np.array([0, 2, 1, 1]), np.array([1, 0, 0, 1])
        cases = [
            (m[i1, i2], mv[i1, i2]),
            (m[:, 1], mv[:, 1]),
            (m[1], mv[1]),
            (m[-1, :], mv[-1, :]),
            (m[1:, ::-1], mv[1:, ::-1]),
            (m[i1], mv[i1]),
            (c[np.triu_indices(2, k=1)], cv[np.triu_indices(2, k=1)]),
            (m[None, :, 0], mv[None, :, 0]),
        ]
        for node, want in cases:
            assert node.shape == want.shape
            np.testing.assert_allclose(_value(node, m=mv, c=cv), want)
        with pytest.raises(IndexError, match="m"):
            m[5]


def test_index_with_a_data_container():
    with pm.Model():
        idx = pm.Data("idx", np.array([0, 1, 1]))
        u = pm.Normal("u", 0, 1, shape=2)
        assert u[idx].shape == (3,)
        np.testing.assert_allclose(_value(u[idx], u=[3.0, 4.0]), [3.0, 4.0, 4.0])


def test_methods():
    with pm.Model():
        m = pm.Normal("m", 0, 1, shape=(3, 2))
        mv = np.arange(6.0).reshape(3, 2)
        cases = [
            (m.T, mv.T),
            (m.dot(np.ones(2)), mv.dot(np.ones(2))),
            (m.sum(), mv.sum()),
            (m.sum(axis=0), mv.sum(axis=0)),
            (m.mean(axis=1), mv.mean(axis=1)),
            (m.reshape(6), mv.reshape(6)),
            (m.reshape((2, 3)), mv.reshape((2, 3))),
            (m.max(), mv.max()),
            (m.flatten(), mv.flatten()),
        ]
        for node, want in cases:
            assert node.shape == np.shape(want)
            np.testing.assert_allclose(_value(node, m=mv), want)
        assert m.shape == (3, 2) and m.ndim == 2 and len(m) == 3


def test_numpy_ufuncs_and_functions():
    with pm.Model():
        a = pm.Normal("a", 0, 1, shape=3)
        av = np.array([0.1, 0.2, 0.3])
        for node, want in [
            (np.exp(a), np.exp(av)),
            (np.log(a + 1), np.log(av + 1)),
            (np.sum(a), np.sum(av)),
            (np.dot(a, np.ones(3)), av.sum()),
            (np.maximum(a, 0.15), np.maximum(av, 0.15)),
        ]:
            assert isinstance(node, pm.TensorVariable)
            np.testing.assert_allclose(_value(node, a=av), want)


def test_list_mixing_nodes_and_numbers_is_stacked():
    with pm.Model():
        a = pm.Normal("a", 0, 1)
        mv = pm.MvNormal("v", mu=[a, 2.0], cov=np.eye(2)) if hasattr(pm, "MvNormal") else None
        s = pm.math.stack([a, 2.0])
        assert s.shape == (2,)
        np.testing.assert_allclose(_value(s, a=1.5), [1.5, 2.0])
        if mv is not None:
            assert mv.shape == (2,)


def test_credo_math_functions():
    import scipy.special as sp

    with pm.Model():
        a = pm.Normal("a", 0, 1, shape=3)
        av = np.array([-0.5, 0.2, 1.3])
        M = pm.Normal("M", 0, 1, shape=(2, 2))
        Mv = np.array([[2.0, 0.5], [0.1, 1.0]])
        mm = pm.math
        cases = [
            (mm.exp(a), np.exp(av)),
            (mm.log(mm.exp(a)), av),
            (mm.log1p(mm.abs(a)), np.log1p(np.abs(av))),
            (mm.expm1(a), np.expm1(av)),
            (mm.sqrt(mm.abs(a)), np.sqrt(np.abs(av))),
            (mm.sigmoid(a), sp.expit(av)),
            (mm.invlogit(a), sp.expit(av)),
            (mm.logit(mm.sigmoid(a)), av),
            (mm.sum(a), av.sum()),
            (mm.mean(a), av.mean()),
            (mm.prod(a), av.prod()),
            (mm.cumsum(a), np.cumsum(av)),
            (mm.dot(M, a[:2]), Mv @ av[:2]),
            (mm.matmul(M, M), Mv @ Mv),
            (mm.diag(M), np.diag(Mv)),
            (mm.diag(a), np.diag(av)),
            (mm.stack([a, a]), np.stack([av, av])),
            (mm.concatenate([a, a]), np.concatenate([av, av])),
            (mm.where(a > 0, a, 0.0), np.where(av > 0, av, 0.0)),
            (mm.switch(a > 0, 1.0, a), np.where(av > 0, 1.0, av)),
            (mm.maximum(a, 0.0), np.maximum(av, 0.0)),
            (mm.minimum(a, 0.0), np.minimum(av, 0.0)),
            (mm.clip(a, -0.1, 0.1), np.clip(av, -0.1, 0.1)),
            (mm.logsumexp(a), sp.logsumexp(av)),
            (mm.softmax(a), sp.softmax(av)),
            (mm.erf(a), sp.erf(av)),
            (mm.gammaln(mm.abs(a)), sp.gammaln(np.abs(av))),
        ]
        for node, want in cases:
            assert node.shape == np.shape(want)
            np.testing.assert_allclose(_value(node, a=av, M=Mv), want, rtol=1e-12, atol=1e-14)
        # Plain arrays give plain arrays (no model needed).
        np.testing.assert_allclose(mm.exp(np.zeros(2)), np.ones(2))


def test_lift_any_jax_function():
    with pm.Model():
        a = pm.Normal("a", 0, 1, shape=2)
        cosh = pm.math.lift(jnp.cosh)
        node = cosh(a)
        assert node.shape == (2,)
        np.testing.assert_allclose(_value(node, a=[0.0, 1.0]), np.cosh([0.0, 1.0]))


def test_shape_error_names_operands():
    with pm.Model():
        a = pm.Normal("a", 0, 1, shape=3)
        x = pm.Data("x", np.zeros(100))
        with pytest.raises(pm.ShapeError, match=r"a \(shape \(3,\)\).*x \(shape \(100,\)\)"):
            a + x
        with pytest.raises(pm.ShapeError, match="a"):
            a.dot(np.ones(4))


def test_truth_value_is_an_error():
    with pm.Model():
        a = pm.Normal("a", 0, 1)
        with pytest.raises(TypeError, match="switch"):
            if a > 0:
                pass


def test_eval_of_data_only_graph():
    with pm.Model():
        x = pm.Data("x", np.arange(3.0))
        np.testing.assert_allclose((x * 2).eval(), [0.0, 2.0, 4.0])
