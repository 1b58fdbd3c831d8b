"""Covariance and mean functions against hand formulas, PSD checks, arithmetic, errors."""

import numpy as np
import pytest
from scipy import integrate

import credo as pm
from credo.errors import ParameterError, ShapeError

RNG = np.random.default_rng(0)
X = RNG.uniform(-2, 2, size=(7, 2))
Xs = RNG.uniform(-2, 2, size=(4, 2))


def _r2(a, b, ls):
    d = (a[:, None, :] - b[None, :, :]) / ls
    return np.sum(d**2, axis=-1)


def _psd_ok(K):
    assert np.allclose(K, K.T, atol=1e-12)
    assert np.min(np.linalg.eigvalsh(K)) > -1e-10 * max(1.0, np.max(np.abs(K)))


STATIONARY = [
    (pm.gp.cov.ExpQuad, lambda r2: np.exp(-0.5 * r2)),
    (pm.gp.cov.Matern52, lambda r2: (1 + np.sqrt(5 * r2) + 5 / 3 * r2) * np.exp(-np.sqrt(5 * r2))),
    (pm.gp.cov.Matern32, lambda r2: (1 + np.sqrt(3 * r2)) * np.exp(-np.sqrt(3 * r2))),
    (pm.gp.cov.Matern12, lambda r2: np.exp(-np.sqrt(r2))),
    (pm.gp.cov.Exponential, lambda r2: np.exp(-0.5 * np.sqrt(r2))),
    (pm.gp.cov.Cosine, lambda r2: np.cos(2 * np.pi * np.sqrt(r2))),
]


@pytest.mark.parametrize(("cls", "formula"), STATIONARY, ids=lambda c: getattr(c, "__name__", ""))
def test_stationary_hand_formulas_ard(cls, formula):
    ls = np.array([0.7, 1.9])
    cov = cls(2, ls=ls)
    K = cov(X).eval()
    np.testing.assert_allclose(K, formula(_r2(X, X, ls)), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(cov(X, Xs).eval(), formula(_r2(X, Xs, ls)), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(cov(X, diag=True).eval(), np.ones(7))
    if cls is not pm.gp.cov.Cosine:  # cosine is PSD only in one dimension
        _psd_ok(K)
    # ls_inv is the same kernel
    np.testing.assert_allclose(cls(2, ls_inv=1 / ls)(X).eval(), K, rtol=1e-12)


def test_ratquad_periodic_linear_polynomial():
    ls, alpha = 0.8, 1.7
    K = pm.gp.cov.RatQuad(2, alpha=alpha, ls=ls)(X, Xs).eval()
    np.testing.assert_allclose(K, (1 + _r2(X, Xs, ls) / (2 * alpha)) ** -alpha, rtol=1e-12)
    period = 1.3
    K = pm.gp.cov.Periodic(2, period=period, ls=ls)(X, Xs).eval()
    s = np.sin(np.pi * (X[:, None, :] - Xs[None, :, :]) / period) / ls
    np.testing.assert_allclose(K, np.exp(-0.5 * np.sum(s**2, -1)), rtol=1e-12)
    _psd_ok(pm.gp.cov.Periodic(2, period=period, ls=ls)(X).eval())
    c = np.array([0.3, -0.2])
    K = pm.gp.cov.Linear(2, c=c)(X, Xs).eval()
    np.testing.assert_allclose(K, (X - c) @ (Xs - c).T, rtol=1e-12)
    K = pm.gp.cov.Polynomial(2, c=c, d=3, offset=0.5)(X).eval()
    np.testing.assert_allclose(K, ((X - c) @ (X - c).T + 0.5) ** 3, rtol=1e-12)
    np.testing.assert_allclose(
        pm.gp.cov.Polynomial(2, c=c, d=3, offset=0.5)(X, diag=True).eval(), np.diag(K)
    )
    _psd_ok(K)


def test_whitenoise_constant_and_arithmetic():
    wn = pm.gp.cov.WhiteNoise(0.3)
    np.testing.assert_allclose(wn(X).eval(), 0.09 * np.eye(7))
    np.testing.assert_allclose(wn(X, Xs).eval(), np.zeros((7, 4)))
    np.testing.assert_allclose(pm.gp.cov.Constant(2.5)(X, Xs).eval(), np.full((7, 4), 2.5))
    k1 = pm.gp.cov.ExpQuad(2, ls=1.0)
    k2 = pm.gp.cov.Matern32(2, ls=0.5)
    K1, K2 = k1(X).eval(), k2(X).eval()
    np.testing.assert_allclose((k1 + k2)(X).eval(), K1 + K2, rtol=1e-12)
    np.testing.assert_allclose((k1 * k2)(X).eval(), K1 * K2, rtol=1e-12)
    np.testing.assert_allclose((3.0 * k1 + 2.0)(X).eval(), 3 * K1 + 2, rtol=1e-12)
    np.testing.assert_allclose((k1**2)(X).eval(), K1**2, rtol=1e-12)
    A = RNG.uniform(size=(7, 7))
    A = A @ A.T
    np.testing.assert_allclose((k1 * A)(X).eval(), K1 * A, rtol=1e-12)
    np.testing.assert_allclose((A * k1)(X, diag=True).eval(), np.diag(A), rtol=1e-12)
    _psd_ok((k1 * k2 + k1)(X).eval())


def test_scaling_by_random_variable_evaluates_in_the_model():
    with pm.Model() as model:
        eta = pm.HalfNormal("eta", 1.0)
        ls = pm.Gamma("ls", alpha=2, beta=1)
        cov = eta**2 * pm.gp.cov.ExpQuad(2, ls=ls)
        K = cov(X)
    assert K.shape == (7, 7)
    (val,) = pm.gp.util.replace_with_values([K], {"eta": 1.5, "ls": 0.9}, model=model)
    np.testing.assert_allclose(val, 2.25 * np.exp(-0.5 * _r2(X, X, 0.9)), rtol=1e-12)


def test_active_dims():
    cov = pm.gp.cov.ExpQuad(2, ls=0.6, active_dims=[1])
    K = cov(X).eval()
    np.testing.assert_allclose(K, np.exp(-0.5 * _r2(X[:, 1:], X[:, 1:], 0.6)), rtol=1e-12)
    # a product over different columns
    prod = pm.gp.cov.ExpQuad(2, ls=0.6, active_dims=[0]) * pm.gp.cov.Matern52(
        2, ls=1.1, active_dims=[1]
    )
    np.testing.assert_allclose(
        prod(X).eval(),
        pm.gp.cov.ExpQuad(1, ls=0.6)(X[:, :1]).eval()
        * pm.gp.cov.Matern52(1, ls=1.1)(X[:, 1:]).eval(),
        rtol=1e-12,
    )


def test_scaledcov_warped_gibbs_coregion_wrapped():
    x1 = np.linspace(0, 3, 6)[:, None]
    base = pm.gp.cov.ExpQuad(1, ls=0.8)
    Kb = base(x1).eval()
    sc = pm.gp.cov.ScaledCov(1, base, lambda x, a: a * x[:, 0] + 1.0, args=(0.5,))
    s = 0.5 * x1[:, 0] + 1.0
    np.testing.assert_allclose(sc(x1).eval(), np.outer(s, s) * Kb, rtol=1e-12)
    np.testing.assert_allclose(sc(x1, diag=True).eval(), s**2, rtol=1e-12)
    wi = pm.gp.cov.WarpedInput(1, base, lambda x: x**2)
    np.testing.assert_allclose(wi(x1).eval(), base(x1**2).eval(), rtol=1e-12)
    gb = pm.gp.cov.Gibbs(1, lambda x: 0.5 + 0.1 * x)
    lx = 0.5 + 0.1 * x1[:, 0]
    s2 = lx[:, None] ** 2 + lx[None, :] ** 2
    want = np.sqrt(2 * np.outer(lx, lx) / s2) * np.exp(-((x1 - x1.T) ** 2) / s2)
    np.testing.assert_allclose(gb(x1).eval(), want, rtol=1e-12)
    _psd_ok(want)
    W = np.array([[1.0, 0.5], [0.2, -0.3], [0.1, 0.9]])
    kappa = np.array([0.1, 0.2, 0.3])
    B = W @ W.T + np.diag(kappa)
    idx = np.array([[0.0], [2.0], [1.0], [2.0]])
    cr = pm.gp.cov.Coregion(1, W=W, kappa=kappa)
    np.testing.assert_allclose(cr(idx).eval(), B[np.ix_([0, 2, 1, 2], [0, 2, 1, 2])])
    np.testing.assert_allclose(cr(idx, diag=True).eval(), np.diag(B)[[0, 2, 1, 2]])
    wp = pm.gp.cov.WrappedPeriodic(pm.gp.cov.Matern52(1, ls=0.7), period=2.0)
    per = pm.gp.cov.Periodic(1, period=2.0, ls=0.7)
    np.testing.assert_allclose(
        pm.gp.cov.WrappedPeriodic(pm.gp.cov.ExpQuad(1, ls=0.7), period=2.0)(x1).eval(),
        per(x1).eval(),
        rtol=1e-12,
    )
    _psd_ok(wp(x1).eval())


def test_kron_equals_dense_kronecker_product():
    x1 = np.linspace(0, 1, 3)[:, None]
    x2 = np.linspace(0, 2, 4)[:, None]
    k1, k2 = pm.gp.cov.ExpQuad(1, ls=0.5), pm.gp.cov.Matern32(1, ls=0.9)
    grid = pm.gp.util.cartesian(x1, x2)
    K = pm.gp.cov.Kron([k1, k2])(grid).eval()
    np.testing.assert_allclose(K, np.kron(k1(x1).eval(), k2(x2).eval()), rtol=1e-12)


@pytest.mark.parametrize(
    "cls", [pm.gp.cov.ExpQuad, pm.gp.cov.Matern52, pm.gp.cov.Matern32, pm.gp.cov.Matern12]
)
def test_power_spectral_density_is_the_fourier_transform(cls):
    # 1-d: k(tau) = (1/pi) int_0^inf S(w) cos(w tau) dw
    ls = 0.7
    cov = cls(1, ls=ls)
    w = np.linspace(0, 400, 400001)
    S = cov.power_spectral_density(w[:, None]).eval()
    # the integral's truncation at w_max: S ~ w^-(2 nu + 1) there, so the tail is at most
    # S(w_max) w_max / (2 nu) / pi (ExpQuad's is negligible)
    nu = {pm.gp.cov.Matern52: 2.5, pm.gp.cov.Matern32: 1.5, pm.gp.cov.Matern12: 0.5}.get(cls, 50)
    tail = S[-1] * w[-1] / (2 * nu) / np.pi
    for tau in (0.0, 0.3, 1.1):
        k = integrate.trapezoid(S * np.cos(w * tau), w) / np.pi
        want = cov(np.array([[0.0]]), np.array([[tau]])).eval()[0, 0]
        assert abs(k - want) < tail + 1e-5
    # 2-d ARD: S factorises for ExpQuad; a scaled kernel scales its density
    if cls is pm.gp.cov.ExpQuad:
        om = RNG.normal(size=(5, 2))
        two = pm.gp.cov.ExpQuad(2, ls=[0.5, 2.0]).power_spectral_density(om).eval()
        one = [
            pm.gp.cov.ExpQuad(1, ls=v).power_spectral_density(om[:, i : i + 1]).eval()
            for i, v in enumerate([0.5, 2.0])
        ]
        np.testing.assert_allclose(two, one[0] * one[1], rtol=1e-12)
        np.testing.assert_allclose(
            (3.0 * cov).power_spectral_density(w[:10, None]).eval(), 3 * S[:10], rtol=1e-12
        )


def test_means():
    np.testing.assert_allclose(pm.gp.mean.Zero()(X).eval(), np.zeros(7))
    np.testing.assert_allclose(pm.gp.mean.Constant(2.0)(X).eval(), np.full(7, 2.0))
    lin = pm.gp.mean.Linear(coeffs=np.array([1.0, -2.0]), intercept=0.5)
    np.testing.assert_allclose(lin(X).eval(), X @ [1.0, -2.0] + 0.5)
    np.testing.assert_allclose((lin + pm.gp.mean.Constant(1.0))(X).eval(), X @ [1, -2] + 1.5)


def test_bad_inputs():
    with pytest.raises(ShapeError, match="2-d array"):
        pm.gp.cov.ExpQuad(1, ls=1.0)(np.linspace(0, 1, 5))
    with pytest.raises(ShapeError, match="fewer than input_dim"):
        pm.gp.cov.ExpQuad(3, ls=1.0)(X)
    with pytest.warns(UserWarning, match="Only 1 column"):
        pm.gp.cov.ExpQuad(1, ls=1.0)(X)
    with pytest.raises(ValueError, match="active_dims"):
        pm.gp.cov.ExpQuad(2, ls=1.0, active_dims=[2])
    with pytest.raises(ParameterError, match="must be positive"):
        pm.gp.cov.Matern52(1, ls=-1.0)
    with pytest.raises(ValueError, match="Only one of 'ls' or 'ls_inv'"):
        pm.gp.cov.ExpQuad(1)
    with pytest.raises(ShapeError, match="one entry per active dimension"):
        pm.gp.cov.ExpQuad(2, ls=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="same `input_dim`"):
        pm.gp.cov.ExpQuad(1, ls=1.0) + pm.gp.cov.ExpQuad(2, ls=1.0)
    with pytest.raises(ValueError, match="scalar"):
        pm.gp.cov.ExpQuad(1, ls=1.0) ** np.array([1.0, 2.0])
    with pytest.raises(ValueError, match="Coregion requires exactly one"):
        pm.gp.cov.Coregion(2, B=np.eye(2))
    with pytest.raises(NotImplementedError, match="products of covariance"):
        (pm.gp.cov.ExpQuad(1, ls=1.0) * pm.gp.cov.Matern52(1, ls=1.0)).power_spectral_density(
            np.ones((2, 1))
        )
