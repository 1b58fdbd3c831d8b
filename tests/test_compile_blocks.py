"""Runs of like scalar variables share one vectorised log-density term (ScalarBlock): the
log-density and its gradient are those of the variables one by one, and the traced program
stops growing by a log-density per variable."""

import jax
import numpy as np
import pytest

import credo as pm
from credo import compile as C


def _model(n):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, n))
    with pm.Model() as model:
        tau = pm.HalfNormal("tau", 1.0)
        bs = [pm.Normal(f"b{i}", 0.5 * (i % 3), tau) for i in range(n)]
        scales = [pm.Exponential(f"s{i}", 1.0 + i) for i in range(n)]
        lo = pm.Uniform("lo", lower=-1.0, upper=bs[3])  # a transform reading a member
        mu = sum(b * x[:, i] for i, b in enumerate(bs[: n // 2]))  # members one by one
        beta = pm.math.stack(bs[n // 2 :])  # a slice of the block's vector
        mu = mu + pm.math.dot(x[:, n // 2 :], beta) + pm.math.sum(pm.math.stack(scales[1:4]))
        pm.Normal("y", mu + lo, scales[0], observed=rng.normal(size=5))
    return model


def _logdensity_and_grad(model, theta, min_block):
    orig = C.MIN_BLOCK
    C.MIN_BLOCK = min_block
    try:
        cm = C.CompiledModel(model)
    finally:
        C.MIN_BLOCK = orig
    fn = jax.value_and_grad(cm.logdensity)
    return cm, fn(theta, cm.data_values()), jax.make_jaxpr(fn)(theta, cm.data_values())


@pytest.mark.parametrize("n", [20])
def test_blocks_give_the_same_log_density_and_gradient(n):
    model = _model(n)
    theta = np.random.default_rng(2).normal(size=model.compiled().dim) * 0.3
    cm, (lp_b, g_b), jp_b = _logdensity_and_grad(model, theta, C.MIN_BLOCK)
    _, (lp_1, g_1), jp_1 = _logdensity_and_grad(model, theta, 10**9)
    assert [len(b.members) for b in cm.blocks] == [n, n]  # the b's and the s's
    outputs = [i for rv in model.observed_RVs for i in rv.inputs if hasattr(i, "stacked")]
    assert sorted(C._stacks_of_members(outputs, cm.blocks).values()) == [
        (0, n // 2, n),
        (1, 1, 4),
    ]
    np.testing.assert_allclose(lp_b, lp_1, rtol=1e-12)
    np.testing.assert_allclose(g_b, g_1, rtol=1e-10, atol=1e-12)
    assert len(jp_b.jaxpr.eqns) < 0.6 * len(jp_1.jaxpr.eqns)


def test_constrained_values_assembled_from_blocks():
    model = _model(16)
    cm = model.compiled()
    thetas = np.random.default_rng(3).normal(size=(4, cm.dim))
    data = cm.data_values()
    want = jax.vmap(cm._constrained, in_axes=(0, None))(thetas, data)
    got = cm.constrained_batch(thetas, data)
    assert list(got) == [f.name for f in cm.free] and set(got) == set(want)  # model order
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-14)
    one = cm.constrained(thetas[1], data)
    np.testing.assert_allclose(one["s3"], want["s3"][1], rtol=1e-14)
