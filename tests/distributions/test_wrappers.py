"""Mixtures, hurdles, Censored/Truncated, time series, ZeroSumNormal and CustomDist.

Log-densities against references built from scipy.stats; each sampler against its own
log-density or CDF (a goodness-of-fit test: Kolmogorov-Smirnov on the CDF for continuous
variables, chi-square on the probabilities for discrete ones; fixed seeds).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.stats as st

import credo as pm

N_DRAWS = 4000
P_MIN = 1e-3


def _lp(dist: Any, x: Any) -> np.ndarray:
    return np.asarray(pm.logp(dist, np.asarray(x, float)).eval())


def _ks(dist: Any, seed: int) -> None:
    draws = np.asarray(pm.draw(dist, N_DRAWS, random_seed=seed), float)
    cdf = np.exp(pm.logcdf(dist, draws).eval())
    # KS against the distribution's own CDF: U = F(X) is uniform.
    p = st.kstest(cdf, "uniform").pvalue
    assert p > P_MIN, f"{dist.distribution!r}: KS p-value {p:.2g}"


def _chi2(dist: Any, seed: int, support: np.ndarray) -> None:
    draws = np.asarray(pm.draw(dist, N_DRAWS, random_seed=seed))
    probs = np.exp(_lp(dist, support))
    assert np.isclose(probs.sum(), 1.0, atol=1e-6), probs.sum()
    counts = np.array([(draws == k).sum() for k in support])
    assert counts.sum() == N_DRAWS
    expected = N_DRAWS * probs
    keep = expected > 5
    obs = np.append(counts[keep], N_DRAWS - counts[keep].sum())
    exp = np.append(expected[keep], N_DRAWS - expected[keep].sum())
    p = st.chisquare(obs, exp).pvalue if exp[-1] > 1e-9 else st.chisquare(obs[:-1], exp[:-1]).pvalue
    assert p > P_MIN, f"{dist.distribution!r}: chi-square p-value {p:.2g}"


# -- mixtures --------------------------------------------------------------------------------
def test_mixture_logp_list_and_single_component_forms() -> None:
    x = np.array([-1.0, 0.0, 3.0, 6.0])
    ref = np.log(0.3 * st.norm(0, 1).pdf(x) + 0.7 * st.norm(5, 2).pdf(x))
    as_list = pm.Mixture.dist(w=[0.3, 0.7], comp_dists=[pm.Normal.dist(0, 1), pm.Normal.dist(5, 2)])
    single = pm.Mixture.dist(w=[0.3, 0.7], comp_dists=pm.Normal.dist([0.0, 5.0], [1.0, 2.0]))
    normal_mix = pm.NormalMixture.dist(w=[0.3, 0.7], mu=[0.0, 5.0], sigma=[1.0, 2.0])
    for d in (as_list, single, normal_mix):
        assert d.shape == ()
        np.testing.assert_allclose(_lp(d, x), ref, rtol=1e-12)
    _ks(normal_mix, seed=1)


def test_mixture_of_mixed_families_and_discrete() -> None:
    d = pm.Mixture.dist(w=[0.4, 0.6], comp_dists=[pm.Exponential.dist(2.0), pm.Gamma.dist(3, 1)])
    x = np.array([0.1, 1.0, 4.0])
    ref = np.log(0.4 * st.expon(0, 0.5).pdf(x) + 0.6 * st.gamma(3).pdf(x))
    np.testing.assert_allclose(_lp(d, x), ref, rtol=1e-12)
    assert _lp(d, [-1.0])[0] == -np.inf
    _ks(d, seed=2)
    k = pm.Mixture.dist(w=[0.2, 0.8], comp_dists=pm.Poisson.dist([1.0, 6.0]))
    assert k.dtype == np.int64
    _chi2(k, seed=3, support=np.arange(40))


def test_mixture_batched_weights_and_mv_components() -> None:
    w = np.array([[0.5, 0.5], [0.1, 0.9], [0.9, 0.1]])
    d = pm.NormalMixture.dist(w=w, mu=np.array([-2.0, 2.0]), sigma=1.0)
    assert d.shape == (3,)
    x = np.array([0.3, -1.0, 2.0])
    ref = np.log(w[:, 0] * st.norm(-2, 1).pdf(x) + w[:, 1] * st.norm(2, 1).pdf(x))
    np.testing.assert_allclose(_lp(d, x), ref, rtol=1e-12)
    mus = np.array([[0.0, 0.0], [3.0, 3.0]])
    mv = pm.Mixture.dist(w=[0.3, 0.7], comp_dists=pm.MvNormal.dist(mu=mus, cov=np.eye(2)))
    assert mv.shape == (2,)
    v = np.array([1.0, 0.5])
    ref_mv = np.log(
        0.3 * st.multivariate_normal(mus[0]).pdf(v) + 0.7 * st.multivariate_normal(mus[1]).pdf(v)
    )
    np.testing.assert_allclose(_lp(mv, v), ref_mv, rtol=1e-12)
    draws = pm.draw(mv, N_DRAWS, random_seed=4)
    np.testing.assert_allclose(draws.mean(0), [2.1, 2.1], atol=0.15)


def test_mixture_errors_name_the_variable() -> None:
    with pm.Model():
        with pytest.raises(pm.ShapeError, match=r"Mixture\('m'\).*2 components"):
            pm.Mixture("m", w=[0.2, 0.3, 0.5], comp_dists=[pm.Normal.dist(), pm.Normal.dist()])
        with pytest.raises(pm.ParameterError, match=r"Mixture\('m'\).*weights"):
            pm.Mixture("m", w=[0.2, 0.3], comp_dists=[pm.Normal.dist(), pm.Normal.dist()])
        x = pm.Normal("x")
        with pytest.raises(pm.ParameterError, match="unregistered"):
            pm.Mixture("m", w=[0.5, 0.5], comp_dists=[x, pm.Normal.dist()])


# -- zero-inflated and hurdle ----------------------------------------------------------------
def _zi(psi: float, base: Any, k: np.ndarray) -> np.ndarray:
    pmf = psi * base.pmf(k) + (1 - psi) * (k == 0)
    return np.log(pmf)


def _hurdle(psi: float, base: Any, k: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(k == 0, np.log(1 - psi), np.log(psi * base.pmf(k) / base.sf(0)))


@pytest.mark.parametrize(
    ("dist", "ref", "support"),
    [
        (
            pm.ZeroInflatedBinomial.dist(0.7, 10, 0.3),
            lambda k: _zi(0.7, st.binom(10, 0.3), k),
            np.arange(11),
        ),
        (
            pm.ZeroInflatedNegativeBinomial.dist(psi=0.6, mu=3.0, alpha=2.0),
            lambda k: _zi(0.6, st.nbinom(2.0, 2 / 5), k),
            np.arange(80),
        ),
        (
            pm.HurdlePoisson.dist(0.6, 2.0),
            lambda k: _hurdle(0.6, st.poisson(2.0), k),
            np.arange(40),
        ),
        (
            pm.HurdleNegativeBinomial.dist(psi=0.6, mu=3.0, alpha=2.0),
            lambda k: _hurdle(0.6, st.nbinom(2.0, 2 / 5), k),
            np.arange(80),
        ),
    ],
    ids=lambda v: type(v.distribution).__name__ if isinstance(v, pm.TensorVariable) else "",
)
def test_zero_inflated_and_hurdle_counts(dist: Any, ref: Any, support: np.ndarray) -> None:
    np.testing.assert_allclose(_lp(dist, support), ref(support), rtol=1e-10)
    assert _lp(dist, [-1.0, 2.5])[0] == -np.inf
    _chi2(dist, seed=5, support=support)


def test_continuous_hurdles() -> None:
    hg = pm.HurdleGamma.dist(psi=0.7, alpha=2.0, beta=1.5)
    x = np.array([0.0, 0.5, 2.0])
    ref = np.where(x == 0, np.log(0.3), np.log(0.7) + st.gamma(2.0, 0, 1 / 1.5).logpdf(x))
    np.testing.assert_allclose(_lp(hg, x), ref, rtol=1e-12)
    hl = pm.HurdleLogNormal.dist(psi=0.7, mu=0.2, sigma=0.8)
    ref = np.where(x == 0, np.log(0.3), np.log(0.7) + st.lognorm(0.8, 0, np.exp(0.2)).logpdf(x))
    np.testing.assert_allclose(_lp(hl, x), ref, rtol=1e-12)
    draws = pm.draw(hl, N_DRAWS, random_seed=6)
    assert abs((draws == 0).mean() - 0.3) < 4 * np.sqrt(0.21 / N_DRAWS)
    pos = draws[draws > 0]
    assert st.kstest(pos, st.lognorm(0.8, 0, np.exp(0.2)).cdf).pvalue > P_MIN


# -- censored and truncated ------------------------------------------------------------------
def test_censored_normal_and_poisson() -> None:
    c = pm.Censored.dist(pm.Normal.dist(0.5, 2.0), lower=-1.0, upper=1.5)
    x = np.array([-2.0, -1.0, 0.0, 1.5, 2.0])
    ref = np.array(
        [
            -np.inf,
            st.norm(0.5, 2).logcdf(-1),
            st.norm(0.5, 2).logpdf(0),
            st.norm(0.5, 2).logsf(1.5),
            -np.inf,
        ]
    )
    np.testing.assert_allclose(_lp(c, x), ref, rtol=1e-12)
    draws = pm.draw(c, N_DRAWS, random_seed=7)
    assert draws.min() == -1.0 and draws.max() == 1.5
    p_lo = st.norm(0.5, 2).cdf(-1)
    assert abs((draws == -1.0).mean() - p_lo) < 4 * np.sqrt(p_lo * (1 - p_lo) / N_DRAWS)
    cp = pm.Censored.dist(pm.Poisson.dist(3.0), lower=None, upper=5)
    k = np.arange(7)
    ref = np.where(k < 5, st.poisson(3).logpmf(k), st.poisson(3).logsf(4))
    ref[6] = -np.inf
    np.testing.assert_allclose(_lp(cp, k), ref, rtol=1e-10)
    _chi2(cp, seed=8, support=np.arange(6))


class _TruncGamma:
    def __init__(self, a: float, upper: float) -> None:
        self.g, self.upper = st.gamma(a), upper

    def logpdf(self, x: Any) -> Any:
        inside = (x >= 0) & (x <= self.upper)
        return np.where(inside, self.g.logpdf(x) - self.g.logcdf(self.upper), -np.inf)


@pytest.mark.parametrize(
    ("dist", "ref"),
    [
        (
            pm.Truncated.dist(pm.Normal.dist(0.3, 1.2), lower=-1.0, upper=2.0),
            st.truncnorm((-1 - 0.3) / 1.2, (2 - 0.3) / 1.2, 0.3, 1.2),
        ),
        (pm.Truncated.dist(pm.Exponential.dist(1.5), lower=0.5), st.expon(0.5, 1 / 1.5)),
        (
            pm.Truncated.dist(pm.Gamma.dist(2.0, 1.0), upper=3.0),  # rejection sampler
            _TruncGamma(2.0, 3.0),
        ),
    ],
    ids=["normal", "exponential", "gamma"],
)
def test_truncated_continuous(dist: Any, ref: Any) -> None:
    x = np.array([-1.5, -0.5, 0.7, 1.9, 2.5, 3.5])
    lp = _lp(dist, x)
    assert not np.any(np.isnan(lp))
    if ref is not None:
        with np.errstate(divide="ignore"):
            np.testing.assert_allclose(lp, ref.logpdf(x), rtol=1e-10)
    _ks(dist, seed=9)


def test_truncated_discrete_and_its_transform() -> None:
    t = pm.Truncated.dist(pm.Poisson.dist(3.0), lower=2, upper=6)
    k = np.arange(8)
    mass = st.poisson(3).cdf(6) - st.poisson(3).cdf(1)
    with np.errstate(divide="ignore"):
        ref = np.where((k >= 2) & (k <= 6), st.poisson(3).logpmf(k) - np.log(mass), -np.inf)
    np.testing.assert_allclose(_lp(t, k), ref, rtol=1e-10)
    _chi2(t, seed=10, support=np.arange(2, 7))
    with pm.Model():
        a = pm.Truncated("a", pm.Normal.dist(0, 1), lower=0)
        b = pm.Truncated("b", pm.Gamma.dist(2, 1), upper=4)
        c = pm.Truncated("c", pm.Normal.dist(0, 1))
    assert type(a.transform).__name__ == "LowerBoundTransform"
    assert type(b.transform).__name__ == "IntervalTransform"
    assert c.transform is None


def test_wrappers_refuse_bases_without_logcdf() -> None:
    with pm.Model():
        with pytest.raises(pm.ParameterError, match=r"Truncated\('t'\).*VonMises has no logcdf"):
            pm.Truncated("t", pm.VonMises.dist(0.0, 1.0), lower=0.0)
        with pytest.raises(pm.ParameterError, match=r"Censored\('c'\).*'lower' must be less"):
            pm.Censored("c", pm.Normal.dist(), lower=1.0, upper=0.0)


# -- time series ----------------------------------------------------------------------------
def test_gaussian_random_walk_logp_and_moments() -> None:
    g = pm.GaussianRandomWalk.dist(mu=0.5, sigma=2.0, init_dist=pm.Normal.dist(0, 1), steps=4)
    assert g.shape == (5,)
    x = np.array([0.1, 0.5, 1.0, 3.0, 2.0])
    ref = st.norm(0, 1).logpdf(0.1) + st.norm(0.5, 2).logpdf(np.diff(x)).sum()
    np.testing.assert_allclose(_lp(g, x), ref, rtol=1e-12)
    draws = pm.draw(g, N_DRAWS, random_seed=11)
    # x_4 ~ Normal(4 * 0.5, sqrt(1 + 4 * 4)).
    assert st.kstest(draws[:, -1], st.norm(2.0, np.sqrt(17.0)).cdf).pvalue > P_MIN
    with pm.Model(coords={"t": range(6), "s": ["a", "b"]}):
        w = pm.GaussianRandomWalk("w", sigma=np.array([1.0, 2.0])[:, None][:, 0], dims=("s", "t"))
    assert w.shape == (2, 6)


def test_random_walk_and_mv_random_walks() -> None:
    rw = pm.RandomWalk.dist(
        init_dist=pm.Normal.dist(0, 1), innovation_dist=pm.StudentT.dist(4, 0, 1), steps=3
    )
    x = np.array([0.3, 0.1, 0.8, 0.4])
    ref = st.norm.logpdf(0.3) + st.t(4).logpdf(np.diff(x)).sum()
    np.testing.assert_allclose(_lp(rw, x), ref, rtol=1e-12)
    cov = np.array([[1.0, 0.3], [0.3, 0.5]])
    mv = pm.MvGaussianRandomWalk.dist(
        mu=np.zeros(2), cov=cov, init_dist=pm.MvNormal.dist(np.zeros(2), np.eye(2)), steps=3
    )
    assert mv.shape == (4, 2)
    v = np.random.default_rng(0).normal(size=(4, 2))
    ref = st.multivariate_normal(np.zeros(2)).logpdf(v[0])
    ref += st.multivariate_normal(np.zeros(2), cov).logpdf(np.diff(v, axis=0)).sum()
    np.testing.assert_allclose(_lp(mv, v), ref, rtol=1e-12)
    draws = pm.draw(mv, N_DRAWS, random_seed=12)
    np.testing.assert_allclose(np.cov(draws[:, -1].T), np.eye(2) + 3 * cov, rtol=0.12, atol=0.1)
    mt = pm.MvStudentTRandomWalk.dist(nu=5, mu=np.zeros(2), scale=cov, steps=2)
    assert mt.shape == (3, 2) and np.isfinite(_lp(mt, v[:3]))


def test_ar_logp_constant_and_stationary_moments() -> None:
    a = pm.AR.dist(rho=[0.5, -0.2], sigma=1.0, init_dist=pm.Normal.dist(0, 2), steps=5)
    assert a.shape == (7,)
    x = np.array([0.3, -0.1, 0.5, 0.2, 0.1, -0.4, 0.0])
    ref = st.norm(0, 2).logpdf(x[:2]).sum()
    ref += sum(st.norm(0.5 * x[t - 1] - 0.2 * x[t - 2], 1).logpdf(x[t]) for t in range(2, 7))
    np.testing.assert_allclose(_lp(a, x), ref, rtol=1e-12)
    # AR(1) with a constant started at its stationary law stays there.
    rho, c, s = 0.6, 1.0, 0.5
    stat = pm.Normal.dist(c / (1 - rho), s / np.sqrt(1 - rho**2))
    ac = pm.AR.dist(rho=[c, rho], sigma=s, constant=True, init_dist=stat, steps=20)
    draws = pm.draw(ac, N_DRAWS, random_seed=13)
    ref_law = st.norm(c / (1 - rho), s / np.sqrt(1 - rho**2))
    assert st.kstest(draws[:, -1], ref_law.cdf).pvalue > P_MIN
    with pytest.raises(pm.ParameterError, match="ar_order"):
        pm.AR.dist(rho=[0.5, 0.2], ar_order=3, steps=4)


def test_series_length_must_be_given() -> None:
    with pm.Model():
        with pytest.raises(pm.ShapeError, match=r"GaussianRandomWalk\('g'\).*shape="):
            pm.GaussianRandomWalk("g", sigma=1.0)


# -- ZeroSumNormal ---------------------------------------------------------------------------
def test_zero_sum_normal() -> None:
    z = pm.ZeroSumNormal.dist(sigma=2.0, shape=(4,))
    d = pm.draw(z, N_DRAWS, random_seed=14)
    np.testing.assert_allclose(d.sum(-1), 0.0, atol=1e-12)
    # Each entry ~ Normal(0, sigma sqrt((n - 1) / n)).
    assert st.kstest(d[:, 0], st.norm(0, 2.0 * np.sqrt(3 / 4)).cdf).pvalue > P_MIN
    ref = -0.5 * np.sum(d[0] ** 2) / 4 - 3 * (np.log(2.0) + 0.5 * np.log(2 * np.pi))
    np.testing.assert_allclose(_lp(z, d[0]), ref, rtol=1e-12)
    assert _lp(z, d[0] + 0.1) == -np.inf
    z2 = pm.ZeroSumNormal.dist(n_zerosum_axes=2, shape=(5, 3, 4))
    d2 = pm.draw(z2, random_seed=15)
    assert np.abs(d2.sum(-1)).max() < 1e-12 and np.abs(d2.sum(-2)).max() < 1e-12
    with pm.Model(coords={"g": list("abc")}):
        v = pm.ZeroSumNormal("v", sigma=1.0, dims="g")
    assert type(v.transform).__name__ == "ZeroSumTransform" and v.shape == (3,)


# -- CustomDist ------------------------------------------------------------------------------
def _normal_logp(value: Any, mu: Any, sigma: Any) -> Any:
    return pm.logp(pm.Normal.dist(mu, sigma), value)


def _normal_random(mu: Any, sigma: Any, rng: Any = None, size: Any = None) -> Any:
    return rng.normal(mu, sigma, size=size)


def test_custom_dist_logp_random_and_in_a_model() -> None:
    c = pm.CustomDist.dist(0.0, 2.0, logp=_normal_logp, random=_normal_random, shape=(3,))
    np.testing.assert_allclose(_lp(c, [0.0, 1.0, 2.0]), st.norm(0, 2).logpdf([0, 1, 2]))
    draws = pm.draw(c, N_DRAWS, random_seed=16)
    assert draws.shape == (N_DRAWS, 3)
    assert st.kstest(draws[:, 0], st.norm(0, 2).cdf).pvalue > P_MIN
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.DensityDist("y", mu, 1.0, logp=_normal_logp, random=_normal_random, observed=[0.5, 1.5])
    lp = m.point_logps({"mu": np.array(0.2)})
    np.testing.assert_allclose(lp["y"], st.norm(0.2, 1).logpdf([0.5, 1.5]).sum())
    prior = pm.sample_prior_predictive(draws=50, model=m, random_seed=1)
    assert prior["prior_predictive"]["y"].shape == (1, 50, 2)


def test_custom_dist_dist_form() -> None:
    def trunc(mu: Any, size: Any) -> Any:
        return pm.Truncated.dist(pm.Normal.dist(mu, 1.0), lower=0.0, size=size)

    c = pm.CustomDist.dist(1.0, dist=trunc, shape=(2,))
    ref = st.truncnorm(-1.0, np.inf, 1.0, 1.0).logpdf([0.5, 2.0])
    np.testing.assert_allclose(_lp(c, [0.5, 2.0]), ref, rtol=1e-10)
    assert (pm.draw(c, 100, random_seed=17) >= 0).all()
    e = pm.CustomDist.dist(
        0.0, dist=lambda mu, size: pm.math.exp(pm.Normal.dist(mu, 0.5, size=size))
    )
    d = pm.draw(e, N_DRAWS, random_seed=18)
    assert st.kstest(d, st.lognorm(0.5).cdf).pvalue > P_MIN
