"""Multivariate distributions: log-densities against scipy.stats (or closed forms and
changes of variables for LKJ), batch shapes, draws' moments, support points, parameter
errors, -inf (never NaN) outside the support, and the tutorial's heterogeneity model."""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special, stats

import credo as pm
from credo.distributions.multivariate import lkj_log_normaliser

RTOL = 1e-10


# -- helpers -------------------------------------------------------------------------------
def _logp(node: Any, value: Any, jit: bool = True) -> np.ndarray:
    """checked_logp of an unregistered ``.dist()`` node with constant parameters."""
    d = node.distribution
    fn = lambda v: d.checked_logp(v, d.params)  # noqa: E731
    return np.asarray((jax.jit(fn) if jit else fn)(jnp.asarray(value)))


def _draw(node: Any, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    d = node.distribution
    return np.asarray(jax.jit(lambda key: d.draw(key, shape, d.params))(jax.random.key(seed)))


def _spd(k: int, rng: np.random.Generator) -> np.ndarray:
    a = rng.normal(size=(k, k))
    return a @ a.T + k * np.eye(k)


def _within_5se(samples: np.ndarray, truth: Any, axis: int = 0) -> None:
    """Sample mean within 5 standard errors of ``truth``, elementwise."""
    n = samples.shape[axis]
    mean = samples.mean(axis=axis)
    se = samples.std(axis=axis, ddof=1) / np.sqrt(n)
    z = np.abs(mean - truth) / se
    assert np.all(z < 5), (mean, truth, z)


def _check_cov(draws: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> None:
    """Entries of the covariance within 5 SE: products of centred draws (known mean)."""
    c = draws - mean
    _within_5se(c[:, :, None] * c[:, None, :], cov)


def _pack_upper(C: np.ndarray) -> np.ndarray:
    n = C.shape[-1]
    return C[..., np.triu_indices(n, k=1)[0], np.triu_indices(n, k=1)[1]]


def _unpack_upper(r: Any, n: int) -> Any:
    iu = np.triu_indices(n, k=1)
    C = jnp.zeros(r.shape[:-1] + (n, n)).at[..., iu[0], iu[1]].set(r)
    return C + jnp.swapaxes(C, -1, -2) + jnp.eye(n)


# -- MvNormal ------------------------------------------------------------------------------
def _mvn(param: str, mu: Any, cov: np.ndarray, **kw: Any) -> Any:
    if param == "cov":
        return pm.MvNormal.dist(mu=mu, cov=cov, **kw)
    if param == "tau":
        return pm.MvNormal.dist(mu=mu, tau=np.linalg.inv(cov), **kw)
    return pm.MvNormal.dist(mu=mu, chol=np.linalg.cholesky(cov), **kw)


@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("param", ["cov", "tau", "chol"])
def test_mvnormal_matches_scipy(param: str, jit: bool) -> None:
    rng = np.random.default_rng(1)
    k = 3
    cov = _spd(k, rng)
    mu = rng.normal(size=k)
    # Unbatched, a batch of values, a batched mean.
    node = _mvn(param, mu, cov)
    assert node.shape == (k,)
    x = rng.normal(size=(4, k)) * 2
    ref = stats.multivariate_normal(mu, cov).logpdf(x)
    np.testing.assert_allclose(_logp(node, x, jit), ref, rtol=RTOL)
    mu_b = rng.normal(size=(2, 4, k))
    node = _mvn(param, mu_b, cov)
    assert node.shape == (2, 4, k)
    lp = _logp(node, x, jit)
    assert lp.shape == (2, 4)
    for i, j in np.ndindex(2, 4):
        ref = stats.multivariate_normal(mu_b[i, j], cov).logpdf(x[j])
        np.testing.assert_allclose(lp[i, j], ref, rtol=RTOL)


def test_mvnormal_batched_covariance() -> None:
    rng = np.random.default_rng(2)
    covs = np.stack([_spd(2, rng) for _ in range(3)])
    node = pm.MvNormal.dist(mu=np.zeros(2), cov=covs)
    assert node.shape == (3, 2)
    x = rng.normal(size=(5, 3, 2))
    lp = _logp(node, x)
    assert lp.shape == (5, 3)
    for i, j in np.ndindex(5, 3):
        ref = stats.multivariate_normal(np.zeros(2), covs[j]).logpdf(x[i, j])
        np.testing.assert_allclose(lp[i, j], ref, rtol=RTOL)


@given(seed=st.integers(0, 2**31 - 1), k=st.integers(1, 4))
def test_mvnormal_random_parameters(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    cov, mu = _spd(k, rng), rng.normal(size=k) * 3
    x = rng.normal(size=(2, k)) * 3
    ref = stats.multivariate_normal(mu, cov).logpdf(x)
    # Eager: the shapes repeat across examples, so op-by-op dispatch compiles little.
    np.testing.assert_allclose(_logp(pm.MvNormal.dist(mu, cov), x, jit=False), ref, rtol=RTOL)


def test_mvnormal_tutorial_shape_with_lkj_chol() -> None:
    """The tutorial's MvNormal: a length-2 mean, a 2 x 2 chol, shape (3, 2) (the model
    itself, with the LKJ prior, is in ``test_heterogeneity_model_builds_with_finite_logps``)."""
    chol = np.array([[0.8, 0.0], [-0.3, 1.4]])  # an LKJCholeskyCov value, unpacked
    mu = [0.5, -1.0]
    node = pm.MvNormal.dist(mu=mu, chol=chol, shape=(3, 2))
    assert node.shape == (3, 2)
    x = np.random.default_rng(4).normal(size=(3, 2))
    lp = _logp(node, x)
    assert lp.shape == (3,)
    ref = stats.multivariate_normal(mu, chol @ chol.T).logpdf(x)
    np.testing.assert_allclose(lp, ref, rtol=RTOL)


def test_mvnormal_scalar_mean_and_upper_chol() -> None:
    rng = np.random.default_rng(5)
    cov = _spd(3, rng)
    node = pm.MvNormal.dist(mu=0.0, chol=np.linalg.cholesky(cov).T, lower=False)
    assert node.shape == (3,)
    x = rng.normal(size=3)
    ref = stats.multivariate_normal(np.zeros(3), cov).logpdf(x)
    np.testing.assert_allclose(_logp(node, x), ref, rtol=RTOL)


def test_mvnormal_draws_moments() -> None:
    rng = np.random.default_rng(6)
    cov, mu = _spd(3, rng), rng.normal(size=3)
    draws = _draw(pm.MvNormal.dist(mu, cov), (4000, 3), seed=7)
    _within_5se(draws, mu)
    _check_cov(draws, mu, cov)


# -- MvStudentT ----------------------------------------------------------------------------
@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("param", ["scale", "cov", "tau", "chol"])
def test_mvstudentt_matches_scipy(param: str, jit: bool) -> None:
    rng = np.random.default_rng(8)
    k, nu = 3, 4.5
    scale = _spd(k, rng)
    mu = rng.normal(size=k)
    value = {"tau": np.linalg.inv(scale), "chol": np.linalg.cholesky(scale)}.get(param, scale)
    node = pm.MvStudentT.dist(nu=nu, mu=mu, **{param: value})
    assert node.shape == (k,)
    x = rng.normal(size=(5, k)) * 3
    ref = stats.multivariate_t(loc=mu, shape=scale, df=nu).logpdf(x)
    np.testing.assert_allclose(_logp(node, x, jit), ref, rtol=RTOL)
    # Batched nu against one value.
    nus = np.array([1.0, 3.0, 30.0])
    lp = _logp(pm.MvStudentT.dist(nus, mu, scale=scale), x[0])
    ref = [stats.multivariate_t(loc=mu, shape=scale, df=v).logpdf(x[0]) for v in nus]
    np.testing.assert_allclose(lp, ref, rtol=RTOL)


def test_mvstudentt_draws_moments() -> None:
    rng = np.random.default_rng(9)
    nu, scale, mu = 9.0, _spd(2, rng), rng.normal(size=2)
    draws = _draw(pm.MvStudentT.dist(nu, mu, scale=scale), (6000, 2), seed=10)
    _within_5se(draws, mu)
    _check_cov(draws, mu, scale * nu / (nu - 2))


# -- Dirichlet -----------------------------------------------------------------------------
@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
def test_dirichlet_matches_scipy(jit: bool) -> None:
    rng = np.random.default_rng(11)
    a = np.array([0.7, 1.0, 2.5, 4.0])
    x = stats.dirichlet(a).rvs(size=5, random_state=rng)
    node = pm.Dirichlet.dist(a=a)
    assert node.shape == (4,)
    ref = [stats.dirichlet(a).logpdf(xi) for xi in x]
    np.testing.assert_allclose(_logp(node, x, jit), ref, rtol=RTOL)
    a_b = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 5.0]])
    xb = np.stack([stats.dirichlet(ai).rvs(random_state=rng)[0] for ai in a_b])
    lp = _logp(pm.Dirichlet.dist(a_b), xb, jit)
    np.testing.assert_allclose(lp, [stats.dirichlet(ai).logpdf(xi) for ai, xi in zip(a_b, xb)])


def test_dirichlet_draws_moments() -> None:
    a = np.array([0.5, 2.0, 3.5])
    draws = _draw(pm.Dirichlet.dist(a), (4000, 3), seed=12)
    np.testing.assert_allclose(draws.sum(-1), 1.0, rtol=1e-12)
    _within_5se(draws, a / a.sum())


# -- Multinomial ---------------------------------------------------------------------------
@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
def test_multinomial_matches_scipy(jit: bool) -> None:
    rng = np.random.default_rng(13)
    p_raw = np.array([1.0, 2.0, 3.0, 4.0])  # normalised along the last axis
    p = p_raw / p_raw.sum()
    x = stats.multinomial(10, p).rvs(size=6, random_state=rng)
    node = pm.Multinomial.dist(n=10, p=p_raw)
    assert node.shape == (4,) and node.dtype == np.int64
    np.testing.assert_allclose(_logp(node, x, jit), stats.multinomial(10, p).logpmf(x), RTOL)
    ns = np.array([3, 12])
    ps = np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])
    xb = np.array([[1, 1, 1], [5, 2, 5]])
    ref = [stats.multinomial(n, pi).logpmf(xi) for n, pi, xi in zip(ns, ps, xb)]
    np.testing.assert_allclose(_logp(pm.Multinomial.dist(ns, ps), xb, jit), ref, rtol=RTOL)


def test_multinomial_draws_moments() -> None:
    p = np.array([0.1, 0.3, 0.6])
    draws = _draw(pm.Multinomial.dist(20, p), (4000, 3), seed=14)
    assert np.all(draws.sum(-1) == 20) and draws.dtype == np.int64
    _within_5se(draws, 20 * p)


# -- LKJCorr -------------------------------------------------------------------------------
@pytest.mark.parametrize("eta", [0.5, 1.0, 2.5])
def test_lkjcorr_n2_closed_form(eta: float) -> None:
    r = np.array([-0.9, -0.2, 0.0, 0.7])
    ref = (eta - 1) * np.log1p(-(r**2)) - (2 * eta - 1) * np.log(2) - special.betaln(eta, eta)
    lp = _logp(pm.LKJCorr.dist(n=2, eta=eta), r[:, None])
    np.testing.assert_allclose(lp, ref, rtol=RTOL)


def test_lkjcorr_uniform_n3_is_inverse_volume() -> None:
    # The 3 x 3 correlation matrices have volume pi^2 / 2 in (r12, r13, r23).
    lp = _logp(pm.LKJCorr.dist(n=3, eta=1.0), np.array([0.1, -0.3, 0.2]))
    np.testing.assert_allclose(lp, -np.log(np.pi**2 / 2), rtol=RTOL)


@pytest.mark.parametrize(("n", "eta"), [(3, 1.5), (3, 3.0), (4, 2.0)])
def test_lkjcorr_density_integrates_to_one(n: int, eta: float) -> None:
    """Monte Carlo over the box [-1, 1]^(n(n-1)/2): 2^m E[p] = 1 within 5 SE."""
    m = n * (n - 1) // 2
    u = np.random.default_rng(15).uniform(-1, 1, size=(200_000, m))
    dens = np.exp(_logp(pm.LKJCorr.dist(n=n, eta=eta), u, jit=True)) * 2.0**m
    assert np.all(np.isfinite(dens))
    _within_5se(dens, 1.0)


@pytest.mark.parametrize(("n", "eta"), [(2, 0.8), (4, 2.0)])
def test_lkjcorr_draws_marginals(n: int, eta: float) -> None:
    """Each correlation r has (r + 1)/2 ~ Beta(eta - 1 + n/2, eta - 1 + n/2) (LKJ 2009)."""
    node = pm.LKJCorr.dist(n=n, eta=eta)
    assert node.shape == (n * (n - 1) // 2,)
    draws = _draw(node, (3000, n * (n - 1) // 2), seed=16)
    assert np.all(np.isfinite(_logp(node, draws)))
    b = eta - 1 + n / 2
    _within_5se(draws, 0.0)
    _within_5se(draws**2, 1.0 / (2 * b + 1))
    for j in range(draws.shape[1]):
        assert stats.kstest((draws[:, j] + 1) / 2, stats.beta(b, b).cdf).pvalue > 1e-3


def test_lkj_normaliser_matches_quadrature_n2() -> None:
    from scipy.integrate import quad

    for eta in (0.7, 1.0, 4.0):
        val, _ = quad(lambda r, e=eta: (1 - r * r) ** (e - 1), -1, 1)
        np.testing.assert_allclose(lkj_log_normaliser(eta, 2), np.log(val), rtol=1e-9)


# -- LKJCholeskyCov ------------------------------------------------------------------------
def test_lkjcholeskycov_n2_closed_form() -> None:
    """(s1, s2, rho) -> packed L = (s1, s2 rho, s2 sqrt(1 - rho^2)) has |J| = s2 / sqrt(1-rho^2)."""
    eta = 2.0
    node = pm.LKJCholeskyCov.dist(eta=eta, n=2, sd_dist=pm.Exponential.dist(lam=1.5))
    assert node.shape == (3,)
    rng = np.random.default_rng(17)
    for _ in range(5):
        s1, s2 = rng.exponential(size=2)
        rho = rng.uniform(-1, 1)
        packed = np.array([s1, s2 * rho, s2 * np.sqrt(1 - rho**2)])
        lkj = (eta - 1) * np.log1p(-(rho**2)) - (2 * eta - 1) * np.log(2)
        lkj -= special.betaln(eta, eta)
        ref = stats.expon(scale=1 / 1.5).logpdf([s1, s2]).sum() + lkj
        ref += 0.5 * np.log1p(-(rho**2)) - np.log(s2)
        np.testing.assert_allclose(_logp(node, packed), ref, rtol=RTOL)


@pytest.mark.parametrize("n", [3, 4])
def test_lkjcholeskycov_matches_change_of_variables(n: int) -> None:
    """Density of (stds, correlations) pushed to packed L through the autodiff Jacobian."""
    eta, sigma = 1.7, np.array([0.5, 1.0, 2.0, 1.5])[:n]
    node = pm.LKJCholeskyCov.dist(eta=eta, n=n, sd_dist=pm.HalfNormal.dist(sigma=sigma))
    rows, cols = np.tril_indices(n)

    def to_packed(v: Any) -> Any:
        L = jnp.linalg.cholesky(_unpack_upper(v[n:], n)) * v[:n, None]
        return L[rows, cols]

    rng = np.random.default_rng(19)
    covs = np.stack([_spd(n, rng) for _ in range(4)])
    d = np.sqrt(np.diagonal(covs, axis1=-2, axis2=-1))
    corr_draws = _pack_upper(covs / (d[:, :, None] * d[:, None, :]))
    stds = rng.uniform(0.2, 3.0, size=(4, n))
    v = np.concatenate([stds, corr_draws], axis=-1)
    packed = np.asarray(jax.vmap(to_packed)(v))
    _, logdet = np.linalg.slogdet(np.asarray(jax.jit(jax.vmap(jax.jacfwd(to_packed)))(v)))
    ref = stats.halfnorm(scale=sigma).logpdf(stds).sum(-1)
    ref += _logp(pm.LKJCorr.dist(n=n, eta=eta), corr_draws) - logdet
    np.testing.assert_allclose(_logp(node, packed), ref, rtol=1e-9)


def test_lkjcholeskycov_draws_moments() -> None:
    n, eta = 3, 1.5
    node = pm.LKJCholeskyCov.dist(eta=eta, n=n, sd_dist=pm.HalfNormal.dist(sigma=2.0))
    draws = _draw(node, (3000, 6), seed=20)
    assert np.all(np.isfinite(_logp(node, draws)))
    L = np.zeros((3000, n, n))
    L[:, *np.tril_indices(n)] = draws
    cov = L @ np.swapaxes(L, -1, -2)
    stds = np.sqrt(np.diagonal(cov, axis1=-2, axis2=-1))
    _within_5se(stds, 2.0 * np.sqrt(2 / np.pi))
    corr = _pack_upper(cov / (stds[:, :, None] * stds[:, None, :]))
    _within_5se(corr, 0.0)
    _within_5se(corr**2, 1.0 / (2 * (eta - 1 + n / 2) + 1))


def test_lkj_batch_shapes() -> None:
    """Batched eta and size=: each batch element is the unbatched density."""
    sd = pm.HalfNormal.dist(np.array([1.0, 2.0, 3.0]))
    etas = np.array([1.0, 2.5])
    node = pm.LKJCholeskyCov.dist(eta=etas, n=3, sd_dist=sd, size=(4, 2))
    assert node.shape == (4, 2, 6)
    draws = _draw(node, node.shape, seed=23)
    lp = _logp(node, draws)
    assert lp.shape == (4, 2)
    for j, eta in enumerate(etas):
        one = pm.LKJCholeskyCov.dist(eta=eta, n=3, sd_dist=sd)
        np.testing.assert_allclose(lp[:, j], _logp(one, draws[:, j]), rtol=RTOL)
    corr = pm.LKJCorr.dist(n=3, eta=etas, size=(4, 2))
    assert corr.shape == (4, 2, 3)
    r = _pack_upper(
        np.eye(3) * 0.5 + 0.5 * np.array([[1, 0.3, -0.2], [0.3, 1, 0.4], [-0.2, 0.4, 1]])
    )
    lp = _logp(corr, np.broadcast_to(r, (4, 2, 3)))
    for j, eta in enumerate(etas):
        np.testing.assert_allclose(lp[:, j], _logp(pm.LKJCorr.dist(n=3, eta=eta), r), rtol=RTOL)


def test_lkjcholeskycov_compute_corr_dist() -> None:
    chol, corr, stds = pm.LKJCholeskyCov.dist(
        eta=2, n=3, sd_dist=pm.Exponential.dist(1.0), compute_corr=True
    )
    assert chol.shape == (3, 3) and corr.shape == (3, 3) and stds.shape == (3,)


def test_lkjcholeskycov_in_model_with_random_sd_parameter() -> None:
    with pm.Model() as model:
        s = pm.HalfNormal("s", 1.0)
        chol, corr, stds = pm.LKJCholeskyCov(
            "c", eta=1.5, n=3, sd_dist=pm.HalfNormal.dist(sigma=s), compute_corr=True
        )
    assert [v.name for v in model.deterministics] == ["c_corr", "c_stds"]
    point = model.initial_point()
    d = point["s"] * np.sqrt(2 / np.pi)  # sd_dist's mean on the diagonal
    np.testing.assert_allclose(point["c"], [d, 0, d, 0, 0, d], rtol=1e-12)
    point = {"s": np.array(0.7), "c": np.array([1.2, -0.3, 0.8, 0.4, 0.1, 0.5])}
    got = float(model.compile_logp(vars=["c"], jacobian=False)(point))
    ref = _logp(
        pm.LKJCholeskyCov.dist(eta=1.5, n=3, sd_dist=pm.HalfNormal.dist(sigma=0.7)), point["c"]
    )
    np.testing.assert_allclose(got, ref, rtol=RTOL)
    # The transform's log-Jacobian is the sum of the log diagonal.
    with_jac = float(model.compile_logp(vars=["c"], jacobian=True)(point))
    np.testing.assert_allclose(with_jac - got, np.log([1.2, 0.8, 0.5]).sum(), rtol=RTOL)
    cm = model.compiled()
    out = cm.constrained(cm.to_theta(point), cm.data_values())
    np.testing.assert_allclose(np.diagonal(out["c_corr"]), 1.0, rtol=1e-12)
    L = np.zeros((3, 3))
    L[np.tril_indices(3)] = point["c"]
    np.testing.assert_allclose(out["c_stds"], np.linalg.norm(L, axis=1), rtol=1e-12)


# -- support points, parameter errors, outside the support ---------------------------------
def _catalogue() -> list[Any]:
    rng = np.random.default_rng(21)
    cov = _spd(3, rng)
    return [
        pm.MvNormal.dist(mu=np.zeros(3), cov=cov, shape=(2, 3)),
        pm.MvStudentT.dist(nu=3, mu=np.ones(3), scale=cov),
        pm.Dirichlet.dist(a=np.array([[1.0, 2.0, 0.5], [3.0, 3.0, 3.0]])),
        pm.Multinomial.dist(n=np.array([7, 10]), p=np.array([[0.2, 0.5, 0.3], [0.3, 0.3, 0.4]])),
        pm.LKJCorr.dist(n=4, eta=2.0),
        pm.LKJCholeskyCov.dist(eta=2.0, n=3, sd_dist=pm.Exponential.dist(np.array([1, 2, 3]))),
    ]


@pytest.mark.parametrize("node", _catalogue(), ids=lambda n: type(n.distribution).__name__)
def test_support_point_is_valid(node: Any) -> None:
    d = node.distribution
    point = np.asarray(d.initial_value(d.params))
    assert point.shape == node.shape and point.dtype == node.dtype
    assert np.all(np.isfinite(_logp(node, point)))


def test_multinomial_support_point_sums_to_n() -> None:
    node = pm.Multinomial.dist(n=np.array([7, 10]), p=np.array([[0.2, 0.5, 0.3], [1, 1, 1]]))
    d = node.distribution
    np.testing.assert_array_equal(np.asarray(d.initial_value(d.params)).sum(-1), [7, 10])


BAD_PARAMETERS = {
    "cov not positive definite": lambda: pm.MvNormal.dist(mu=[0, 0], cov=[[1, 2], [2, 1]]),
    "cov not symmetric": lambda: pm.MvNormal.dist(mu=[0, 0], cov=[[1, 0.5], [0.1, 1]]),
    "tau not positive definite": lambda: pm.MvNormal.dist(mu=[0, 0], tau=-np.eye(2)),
    "chol with zero diagonal": lambda: pm.MvNormal.dist(mu=[0, 0], chol=[[1, 0], [1, 0]]),
    "cov and chol": lambda: pm.MvNormal.dist(mu=[0, 0], cov=np.eye(2), chol=np.eye(2)),
    "no covariance": lambda: pm.MvNormal.dist(mu=[0, 0]),
    "nu not positive": lambda: pm.MvStudentT.dist(nu=0, mu=[0, 0], scale=np.eye(2)),
    "negative a": lambda: pm.Dirichlet.dist(a=[1.0, -1.0]),
    "negative p": lambda: pm.Multinomial.dist(n=3, p=[0.5, -0.5]),
    "negative n": lambda: pm.Multinomial.dist(n=-1, p=[0.5, 0.5]),
    "negative eta LKJCorr": lambda: pm.LKJCorr.dist(n=3, eta=-1.0),
    "n too small": lambda: pm.LKJCorr.dist(n=1, eta=1.0),
    "n not an int": lambda: pm.LKJCorr.dist(n=2.5, eta=1.0),
    "negative eta LKJCholeskyCov": lambda: pm.LKJCholeskyCov.dist(
        eta=-2, n=2, sd_dist=pm.Exponential.dist(1.0)
    ),
    "sd_dist not a distribution": lambda: pm.LKJCholeskyCov.dist(eta=2, n=2, sd_dist=1.0),
    "sd_dist missing": lambda: pm.LKJCholeskyCov.dist(eta=2, n=2),
}


@pytest.mark.parametrize("make", BAD_PARAMETERS.values(), ids=BAD_PARAMETERS.keys())
def test_bad_constant_parameters_raise(make: Any) -> None:
    with pytest.raises(pm.ParameterError):
        make()


def test_registered_sd_dist_and_shape_errors() -> None:
    with pm.Model():
        s = pm.Exponential("s", 1.0)
        with pytest.raises(pm.ParameterError, match="unregistered"):
            pm.LKJCholeskyCov("c", eta=2, n=2, sd_dist=s)
    with pytest.raises(pm.ShapeError, match="mu has length 3"):
        pm.MvNormal.dist(mu=np.zeros(3), cov=np.eye(2))
    with pytest.raises(pm.ShapeError):
        pm.LKJCholeskyCov.dist(eta=2, n=3, sd_dist=pm.Exponential.dist(np.ones(2)))


OUTSIDE = [
    (pm.MvNormal.dist(mu=[0.0, 0.0], cov=np.eye(2)), [[np.inf, 0.0], [np.nan, 1.0]]),
    (pm.MvStudentT.dist(nu=3, mu=[0.0, 0.0], scale=np.eye(2)), [[-np.inf, 0.0]]),
    (pm.Dirichlet.dist(a=[1.0, 2.0, 3.0]), [[0.5, 0.6, -0.1], [0.2, 0.2, 0.2], [0, 0, 0]]),
    (pm.Multinomial.dist(n=3, p=[0.5, 0.5]), [[1, 1], [4, -1], [-1, 4]]),
    (pm.LKJCorr.dist(n=3, eta=2.0), [[1.5, 0, 0], [0.9, 0.9, -0.9], [np.nan, 0, 0]]),
    (
        pm.LKJCholeskyCov.dist(eta=2, n=2, sd_dist=pm.Exponential.dist(1.0)),
        [[-1.0, 0.0, 1.0], [1.0, 0.0, 0.0], [1.0, np.inf, 1.0]],
    ),
]


@pytest.mark.parametrize(("node", "values"), OUTSIDE, ids=lambda v: getattr(v, "label", ""))
def test_outside_support_is_minus_inf(node: Any, values: Any) -> None:
    lp = _logp(node, np.asarray(values, dtype=float))
    assert np.all(lp == -np.inf), lp
    assert np.all(_logp(node, np.asarray(values, dtype=float), jit=True) == -np.inf)


def test_invalid_runtime_covariance_is_minus_inf() -> None:
    """A covariance node that is not positive definite gives a NaN factor -> -inf."""
    node = pm.MvNormal.dist(mu=np.zeros(2), cov=np.eye(2))
    bad = {"mu": np.zeros(2), "chol": jnp.linalg.cholesky(jnp.array([[1.0, 2.0], [2.0, 1.0]]))}
    assert float(node.distribution.checked_logp(jnp.zeros(2), bad)) == -np.inf


# -- the tutorial's heterogeneity model ----------------------------------------------------
def _heterogeneity_model() -> pm.Model:
    rs = np.random.RandomState(2025)  # the tutorial's np.random.seed(2025) data
    beta3 = np.array([[2, 1], [-2.5, 2], [-3, 3]])  # x1->x2
    x1 = rs.choice(3, size=100)
    x2 = rs.choice(2, size=100)
    y1 = beta3[x1, x2] + rs.normal(loc=0, scale=0.1, size=100)
    data = pd.DataFrame({"x1": x1, "x2": x2, "y1": y1})

    with pm.Model() as heterogenous_model:
        x1 = pm.Data("x1", data["x1"].values)
        x2 = pm.Data("x2", data["x2"].values)
        y1 = pm.Data("y1", data["y1"].values)

        error = pm.Exponential("error", lam=1)

        # these blocks of codes create covariance matrix for every x1,x2 pairs
        # Compute the covariance matrix
        a_bar = pm.Normal("a_bar", mu=0, sd=2)
        b_bar = pm.Normal("b_bar", mu=0, sd=2)
        sigma = pm.Exponential.dist(lam=1)
        packed_chol = pm.LKJCholeskyCov("chol_cov", eta=2, n=2, sd_dist=sigma)
        chol = pm.expand_packed_triangular(2, packed_chol, lower=True)
        cov = pm.math.dot(chol, chol.T)
        # Extract the standard deviations and rho
        sigma_ab = pm.Deterministic("sigma_ab", pm.math.sqrt(pm.math.diag(cov)))
        corr = pm.math.diag(sigma_ab**-1).dot(cov.dot(pm.math.diag(sigma_ab**-1)))
        pm.Deterministic("Rho", corr[np.triu_indices(2, k=1)])

        ab_cat = pm.MvNormal(
            "ab_did",
            mu=[a_bar, b_bar],
            chol=chol,
            shape=(len(data["x1"].unique()), len(data["x2"].unique())),
        )

        # calculate mean of y_hat from the multivariate Normal distribution
        mu = ab_cat[x1, x2]
        pm.Normal("y_hat", mu, error, observed=y1)
    return heterogenous_model


def test_heterogeneity_model_builds_with_finite_logps() -> None:
    model = _heterogeneity_model()
    assert model["chol_cov"].shape == (3,)
    assert model["ab_did"].shape == (3, 2)
    logps = model.point_logps()
    assert set(logps) == {"error", "a_bar", "b_bar", "chol_cov", "ab_did", "y_hat"}
    assert all(np.isfinite(v) for v in logps.values()), logps
    # The sampler's density and gradient are finite away from the initial point too.
    cm = model.compiled()
    theta = np.random.default_rng(22).normal(size=cm.dim) * 0.5
    value, grad = cm.logdensity_and_grad(theta, cm.data_values())
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    out = cm.constrained(theta, cm.data_values())
    assert out["Rho"].shape == (1,) and -1 < float(out["Rho"][0]) < 1
    # ab_did's term is the MvNormal density with the unpacked chol and mean (a_bar, b_bar).
    pt = {k: np.asarray(v) for k, v in out.items() if k in model.named_vars}
    free = {v.name: pt[v.name] for v in model.free_RVs}
    L = np.zeros((2, 2))
    L[np.tril_indices(2)] = free["chol_cov"]
    ref = stats.multivariate_normal([free["a_bar"], free["b_bar"]], L @ L.T).logpdf(free["ab_did"])
    got = model.compile_logp(vars=["ab_did"], jacobian=False)(free)
    np.testing.assert_allclose(float(got), ref.sum(), rtol=RTOL)
