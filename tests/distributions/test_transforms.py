"""Transforms, exactly: round trips, and log|J| equal to slogdet of the autodiff Jacobian.

Each case gives the transform, its input values (``args``), the unconstrained event shape
and the free coordinates of a constrained event (the entries the others are determined
by: all of them, except for the simplex, which drops its last component, and Cholesky
factors of correlation matrices, whose free entries are below the diagonal).
"""

from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from credo.distributions import transforms as tr


def _all(x: Any) -> Any:
    return jnp.ravel(x)


def _strict_lower(n: int) -> Any:
    rows, cols = np.tril_indices(n, k=-1)
    return lambda x: x[rows, cols]


@dataclass
class Case:
    name: str
    transform: tr.Transform
    event: tuple[int, ...]  # unconstrained event shape
    args: tuple[Any, ...] = ()
    free: Any = _all
    scale: float = 1.5  # spread of the unconstrained draws


CASES = [
    Case("log", tr.log, ()),
    Case("logodds", tr.logodds, ()),
    Case("interval-const", tr.Interval(-1.0, 3.0), ()),
    Case("interval-array", tr.Interval(np.array([0.0, -2.0, 5.0]), np.array([1.0, 2.0, 9.0])), ()),
    Case("lowerbound", tr.LowerBound(2.0), ()),
    Case("lowerbound-array", tr.LowerBound(np.array([0.0, -1.0, 4.0])), ()),
    Case("upperbound", tr.UpperBound(-1.0), ()),
    Case("simplex", tr.simplex, (4,), free=lambda x: x[:-1]),
    Case("ordered", tr.ordered, (5,)),
    Case("cholesky-corr-2", tr.CholeskyCorrTransform(2), (1,), free=_strict_lower(2)),
    Case("cholesky-corr-4", tr.CholeskyCorrTransform(4), (6,), free=_strict_lower(4)),
    Case("lkj-corr-3", tr.LKJCorrTransform(3), (3,)),
    Case("lkj-corr-5", tr.LKJCorrTransform(5), (10,), scale=0.7),
    Case("cholesky-cov-packed-3", tr.CholeskyCovPackedTransform(3), (6,)),
    Case("log-exp-m1", tr.log_exp_m1, ()),
    Case("sum-to-1", tr.sum_to_1, (3,), free=lambda x: x[:-1]),
    Case("chain-log-ordered", tr.Chain([tr.log, tr.ordered]), (4,)),
    Case("chain-interval-ordered", tr.Chain([tr.Interval(-1.0, 4.0), tr.ordered]), (3,)),
]
BATCHES = [(), (3,), (2, 3)]


def _args(case: Case) -> tuple[Any, ...]:
    return tuple(jnp.asarray(a) for a in case.transform.inputs)


def _draw_y(case: Case, batch: tuple[int, ...], seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = batch + case.event
    if case.event == () and batch == () and any(np.ndim(a) for a in case.transform.inputs):
        shape = (3,)  # array bounds set the shape of an elementwise transform
    return case.scale * rng.normal(size=shape)


# Eager (jit off) on one batch shape: op-by-op dispatch is slow, and one shape suffices.
RUNS = [(b, True) for b in BATCHES] + [((2, 3), False)]


@pytest.mark.parametrize(("batch", "jit"), RUNS, ids=lambda v: str(v))
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_round_trip(case: Case, batch: tuple[int, ...], jit: bool) -> None:
    t = case.transform
    args = _args(case)

    def run(y: Any) -> tuple[Any, ...]:
        x = t.backward(y, *args)
        y2 = t.forward(x, *args)
        return x, y2, t.backward(y2, *args), t.log_jac_det(y, *args)

    y = _draw_y(case, batch)
    x, y2, x2, ljd = (jax.jit(run) if jit else run)(y)
    np.testing.assert_allclose(y2, y, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(x2, x, rtol=1e-10, atol=1e-10)
    # Shapes: the constrained value has the shape whose unconstrained shape is y's.
    assert t.unconstrained_shape(x.shape) == y.shape
    assert jnp.shape(ljd) == y.shape[: y.ndim - len(case.event)]


def _autodiff_logdets(case: Case, ys: Any) -> np.ndarray:
    """slogdet of the Jacobian of y -> free coordinates of backward(y), per row of ``ys``."""
    t = case.transform
    args = _args(case)

    def jac(v: Any) -> Any:
        return jax.jacfwd(lambda u: jnp.ravel(case.free(t.backward(u, *args))))(v)

    jacs = np.asarray(jax.jit(jax.vmap(jac))(jnp.asarray(ys)))
    jacs = np.reshape(jacs, (jacs.shape[0], jacs.shape[1], -1))
    assert jacs.shape[1] == jacs.shape[2], "free coordinates must match the unconstrained ones"
    sign, logdet = np.linalg.slogdet(jacs)
    assert np.all(sign != 0)
    return logdet


@pytest.mark.parametrize("batch", BATCHES, ids=str)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_log_jac_det_is_slogdet_of_jacobian(case: Case, batch: tuple[int, ...]) -> None:
    t = case.transform
    y = _draw_y(case, batch, seed=1)
    ljd = np.asarray(t.log_jac_det(y, *_args(case)))
    if t.event_ndim == 0:
        # Elementwise: the Jacobian of the whole flattened array is diagonal; its slogdet
        # is the sum, and each diagonal entry is one element's |d backward / dy|.
        ljd = np.broadcast_to(ljd, y.shape)
        t_args = _args(case)
        jac = jax.jacobian(lambda v: jnp.ravel(t.backward(v, *t_args)))(jnp.asarray(y))
        jac = np.reshape(np.asarray(jac), (y.size, y.size))
        np.testing.assert_allclose(np.linalg.slogdet(jac)[1], np.sum(ljd), rtol=1e-8, atol=1e-8)
        diag = np.diagonal(jac)
        np.testing.assert_allclose(np.log(np.abs(diag)), np.ravel(ljd), rtol=1e-8, atol=1e-8)
        return
    ev = len(case.event)
    flat_y = np.reshape(y, (-1,) + y.shape[y.ndim - ev :])
    np.testing.assert_allclose(
        np.reshape(ljd, (-1,)), _autodiff_logdets(case, flat_y), rtol=1e-8, atol=1e-8
    )


EXTREME = [-40.0, -8.0, 0.0, 8.0, 40.0]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_log_jac_det_finite_far_out(case: Case) -> None:
    """Far from the origin the log-Jacobian stays finite (no log(0) from saturation)."""
    t = case.transform
    for v in EXTREME:
        y = jnp.full((3,) + case.event, v)
        assert np.all(np.isfinite(t.log_jac_det(y, *_args(case)))), v


def test_simplex_log_jac_det_matches_closed_form() -> None:
    # det(diag(x') - x' x'^T) = prod(x') (1 - sum x') = prod of all K components.
    y = np.array([0.3, -1.2, 2.0])
    x = np.asarray(tr.simplex.backward(y))
    np.testing.assert_allclose(tr.simplex.log_jac_det(y), np.sum(np.log(x)), rtol=1e-12)


def test_cholesky_corr_values_are_correlation_factors() -> None:
    t = tr.CholeskyCorrTransform(4)
    y = np.random.default_rng(3).normal(size=(5, 6)) * 3
    L = np.asarray(jax.jit(t.backward)(y))
    np.testing.assert_allclose(np.sum(L**2, axis=-1), 1.0, rtol=1e-12)
    assert np.all(np.triu(L, k=1) == 0)
    assert np.all(np.diagonal(L, axis1=-2, axis2=-1) > 0)


def test_lkj_corr_transform_values_are_correlations() -> None:
    n = 4
    t = tr.LKJCorrTransform(n)
    y = np.random.default_rng(4).normal(size=(7, 6))
    packed = np.asarray(jax.jit(t.backward)(y))
    iu = np.triu_indices(n, k=1)
    for p in packed:
        C = np.eye(n)
        C[iu] = p
        C = C + np.triu(C, k=1).T
        assert np.all(np.linalg.eigvalsh(C) > 0)


def test_cholesky_cov_packed_has_positive_diagonal() -> None:
    n = 3
    t = tr.CholeskyCovPackedTransform(n)
    y = np.random.default_rng(5).normal(size=(4, 6)) * 5
    x = np.asarray(t.backward(y))
    diag = np.cumsum(np.arange(1, n + 1)) - 1
    assert np.all(x[..., diag] > 0)
    off = np.setdiff1d(np.arange(6), diag)
    np.testing.assert_array_equal(x[..., off], y[..., off])


@pytest.mark.parametrize("axes", [[-1], [-2, -1]])
def test_zero_sum_transform_is_an_isometry_onto_the_zero_sum_subspace(axes: list) -> None:
    """Values sum to zero along each axis; J^T J = I (so log|J| = 0 with respect to the
    subspace's own measure); forward inverts backward."""
    t = tr.ZeroSumTransform(axes)
    shape = (4,) if len(axes) == 1 else (3, 4)
    y = np.random.default_rng(6).normal(size=t.unconstrained_shape(shape))
    x = np.asarray(t.backward(y))
    assert x.shape == shape
    for ax in axes:
        np.testing.assert_allclose(x.sum(axis=ax), 0.0, atol=1e-12)
    np.testing.assert_allclose(t.forward(x), y, rtol=1e-12, atol=1e-12)
    jac = np.asarray(jax.jacfwd(lambda u: jnp.ravel(t.backward(u)))(jnp.asarray(y)))
    jac = jac.reshape(x.size, y.size)
    np.testing.assert_allclose(jac.T @ jac, np.eye(y.size), atol=1e-12)
    assert np.all(np.asarray(t.log_jac_det(y)) == 0.0)
