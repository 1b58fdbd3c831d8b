"""logcdf and icdf against scipy.stats, their edges, and pm.logp / pm.logcdf / pm.icdf."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.stats as st

import credo as pm

# (credo distribution, scipy counterpart, values spanning the support and beyond it)
CDF_CASES: list[tuple[Any, Any, list[float]]] = [
    (pm.Normal.dist(0.3, 1.7), st.norm(0.3, 1.7), [-40, -3, 0.1, 2, 9]),
    (pm.HalfNormal.dist(1.3), st.halfnorm(0, 1.3), [-1, 0, 0.01, 1, 5, 12]),
    (
        pm.TruncatedNormal.dist(0.5, 1.2, lower=-1, upper=2.5),
        st.truncnorm(-1.5 / 1.2, 2 / 1.2, 0.5, 1.2),
        [-2, -1, 0, 2, 2.5, 3],
    ),
    (pm.LogNormal.dist(0.2, 0.8), st.lognorm(0.8, 0, np.exp(0.2)), [-1, 0, 0.5, 3]),
    (pm.StudentT.dist(4.5, -0.2, 1.5), st.t(4.5, -0.2, 1.5), [-30, -1, 0.5, 10]),
    (pm.HalfStudentT.dist(3.5, 1.2), st.t(3.5, 0, 1.2), [-1, 0.3, 2]),
    (pm.Cauchy.dist(0.5, 1.5), st.cauchy(0.5, 1.5), [-1e4, -1, 2, 100]),
    (pm.HalfCauchy.dist(1.3), st.halfcauchy(0, 1.3), [-1, 0.1, 3]),
    (pm.Exponential.dist(1.7), st.expon(0, 1 / 1.7), [-1, 0, 1e-6, 1, 30]),
    (pm.Gamma.dist(2.5, 1.3), st.gamma(2.5, 0, 1 / 1.3), [-1, 0.3, 4]),
    (pm.InverseGamma.dist(3.0, 2.0), st.invgamma(3.0, 0, 2.0), [-1, 0, 0.4, 3]),
    (pm.ChiSquared.dist(3.5), st.chi2(3.5), [-1, 0.5, 6]),
    (pm.Weibull.dist(1.7, 2.0), st.weibull_min(1.7, 0, 2.0), [-1, 0.3, 4]),
    (pm.Beta.dist(2.5, 1.5), st.beta(2.5, 1.5), [-0.1, 0, 0.3, 1, 1.2]),
    (pm.Uniform.dist(-1, 2.5), st.uniform(-1, 3.5), [-2, -0.5, 2.5, 3]),
    (pm.Laplace.dist(0.3, 1.2), st.laplace(0.3, 1.2), [-20, -1, 0.9, 30]),
    (pm.Logistic.dist(0.3, 1.2), st.logistic(0.3, 1.2), [-50, -1, 0.9, 30]),
    (pm.Bernoulli.dist(0.3), st.bernoulli(0.3), [-1, 0, 0.5, 1, 2]),
    (pm.Binomial.dist(10, 0.35), st.binom(10, 0.35), [-1, 0, 3, 9, 10, 11]),
    (pm.Poisson.dist(3.5), st.poisson(3.5), [-1, 0, 2, 30]),
    (pm.NegativeBinomial.dist(3.5, 2.0), st.nbinom(2.0, 2 / 5.5), [-1, 0, 2, 30]),
    (pm.Geometric.dist(0.3), st.geom(0.3), [0, 1, 2, 6]),
    (pm.DiscreteUniform.dist(-2, 5), st.randint(-2, 6), [-3, -2, 0, 5, 6]),
    (
        pm.AsymmetricLaplace.dist(b=1.5, kappa=0.7, mu=0.3),
        st.laplace_asymmetric(0.7, 0.3, 1 / 1.5),
        [-3, 0, 0.3, 1, 4],
    ),
    (pm.Gumbel.dist(0.5, 2.0), st.gumbel_r(0.5, 2.0), [-3, 0, 1, 9]),
    (pm.Moyal.dist(0.5, 2.0), st.moyal(0.5, 2.0), [-3, 0, 1, 9]),
    (pm.ExGaussian.dist(0.5, 1.5, 2.0), st.exponnorm(2.0 / 1.5, 0.5, 1.5), [-3, 0, 1, 9]),
    (pm.SkewStudentT.dist(2.0, 3.0, 0.5, 1.5), st.jf_skew_t(2.0, 3.0, 0.5, 1.5), [-3, 0, 1, 9]),
    (pm.Triangular.dist(-1, 0.5, 2), st.triang(0.5, -1, 3), [-2, -1, 0, 0.5, 1, 2, 3]),
    (pm.Pareto.dist(2.5, 1.5), st.pareto(2.5, 0, 1.5), [1, 1.5, 2, 10]),
    (pm.Wald.dist(1.5, 2.0, alpha=0.5), st.invgauss(0.75, 0.5, 2.0), [0.4, 0.6, 1, 5]),
    (pm.Rice.dist(1.5, 0.8), st.rice(1.5 / 0.8, 0, 0.8), [0.1, 1, 3]),
    (pm.HyperGeometric.dist(20, 7, 12), st.hypergeom(20, 7, 12), list(range(-1, 10))),
]

# Distributions without a scipy counterpart: reference by closed form.
KUMARASWAMY = (2.0, 3.0)


def _name(case: Any) -> str:
    return type(case[0].distribution).__name__


def _ref_logcdf(dist: Any, ref: Any, x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if type(dist.distribution).__name__ == "HalfStudentT":
            return np.where(x < 0, -np.inf, np.log(np.maximum(2 * ref.cdf(x) - 1, 0)))
        return ref.logcdf(x)


@pytest.mark.parametrize("case", CDF_CASES, ids=_name)
def test_logcdf_and_icdf_match_scipy(case: Any) -> None:
    dist, ref, xs = case
    x = np.asarray(xs, float)
    with np.errstate(all="ignore"):
        ref_lp = ref.logpdf(x) if hasattr(ref, "logpdf") else ref.logpmf(x)
    if _name(case) == "HalfStudentT":
        ref_lp = np.where(x >= 0, np.log(2) + ref_lp, -np.inf)
    np.testing.assert_allclose(pm.logp(dist, x).eval(), ref_lp, rtol=1e-8, atol=1e-10)
    if not type(dist.distribution).has_logcdf():
        return
    ours = pm.logcdf(dist, x).eval()
    assert not np.any(np.isnan(ours))
    np.testing.assert_allclose(ours, _ref_logcdf(dist, ref, x), rtol=1e-8, atol=1e-10)
    if type(dist.distribution).has_icdf():
        q = np.array([0.01, 0.3, 0.5, 0.9, 0.999])
        np.testing.assert_allclose(pm.icdf(dist, q).eval(), ref.ppf(q), rtol=1e-8, atol=1e-10)
        # Round trip (continuous): cdf(icdf(q)) = q.
        if not dist.distribution.discrete:
            back = np.exp(pm.logcdf(dist, pm.icdf(dist, q)).eval())
            np.testing.assert_allclose(back, q, rtol=1e-8)


def test_icdf_ends_and_outside() -> None:
    d = pm.Cauchy.dist(0.0, 1.0)
    out = pm.icdf(d, np.array([0.0, 1.0, -0.1, 1.1])).eval()
    assert out[0] == -np.inf and out[1] == np.inf and np.isnan(out[2:]).all()


def test_logcdf_invalid_parameter_is_minus_inf() -> None:
    with pm.Model():
        s = pm.Data("s", -1.0)
        node = pm.logcdf(pm.Normal.dist(0.0, s), 0.3)
    assert node.eval() == -np.inf


def test_logp_function_returns_a_node() -> None:
    node = pm.logp(pm.Normal.dist(0.0, 2.0), np.array([0.0, 1.0, np.inf]))
    assert isinstance(node, pm.TensorVariable)
    np.testing.assert_allclose(node.eval()[:2], st.norm(0, 2).logpdf([0.0, 1.0]))
    assert node.eval()[2] == -np.inf


def test_logp_of_a_model_variable_enters_a_potential() -> None:
    with pm.Model() as m:
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Potential("extra", pm.logp(pm.Normal.dist(mu, 1.0), 0.5))
    lp = m.point_logps({"mu": np.array(0.5)})
    assert np.isclose(lp["extra"], st.norm(0.5, 1).logpdf(0.5))


def test_no_logcdf_raises() -> None:
    with pytest.raises(NotImplementedError, match="VonMises has no logcdf"):
        pm.logcdf(pm.VonMises.dist(0.0, 1.0), 0.1)
    with pytest.raises(pm.ParameterError, match="distribution"):
        pm.logp(np.array(1.0), 0.0)


def test_docs_catalogue_is_up_to_date() -> None:
    from pathlib import Path

    from credo.distributions.catalogue import table

    path = Path(__file__).resolve().parents[2] / "docs" / "distributions.md"
    assert path.read_text() == table(), (
        "docs/distributions.md is stale: run `python -m credo.distributions.catalogue`"
    )


def test_closed_form_references() -> None:
    a, b = KUMARASWAMY
    d = pm.Kumaraswamy.dist(a, b)
    x = np.array([0.1, 0.5, 0.9])
    pdf = a * b * x ** (a - 1) * (1 - x**a) ** (b - 1)
    np.testing.assert_allclose(pm.logp(d, x).eval(), np.log(pdf), rtol=1e-12)
    np.testing.assert_allclose(np.exp(pm.logcdf(d, x).eval()), 1 - (1 - x**a) ** b, rtol=1e-12)
    ln = pm.LogitNormal.dist(0.3, 0.8)
    logit = np.log(x / (1 - x))
    ref = st.norm(0.3, 0.8).logpdf(logit) - np.log(x * (1 - x))
    np.testing.assert_allclose(pm.logp(ln, x).eval(), ref, rtol=1e-12)
    np.testing.assert_allclose(
        pm.icdf(ln, np.array([0.2, 0.7])).eval(),
        1 / (1 + np.exp(-st.norm(0.3, 0.8).ppf([0.2, 0.7]))),
        rtol=1e-12,
    )
    dw = pm.DiscreteWeibull.dist(0.6, 1.3)
    k = np.arange(6)
    pmf = 0.6 ** (k**1.3) - 0.6 ** ((k + 1) ** 1.3)
    np.testing.assert_allclose(np.exp(pm.logp(dw, k).eval()), pmf, rtol=1e-12)
    op = pm.OrderedProbit.dist(eta=0.3, cutpoints=np.array([-1.0, 0.5, 2.0]), sigma=1.2)
    ref = np.diff(st.norm.cdf((np.array([-np.inf, -1, 0.5, 2, np.inf]) - 0.3) / 1.2))
    np.testing.assert_allclose(np.exp(pm.logp(op, np.arange(4)).eval()), ref, rtol=1e-10)
    dd = pm.DiracDelta.dist(3)
    assert dd.dtype == np.int64
    np.testing.assert_array_equal(pm.logp(dd, np.array([2, 3])).eval(), [-np.inf, 0.0])


GOF = [
    pm.AsymmetricLaplace.dist(b=1.5, kappa=0.7),
    pm.Moyal.dist(0.5, 2.0),
    pm.ExGaussian.dist(0.5, 1.5, 2.0),
    pm.SkewStudentT.dist(2.0, 3.0),
    pm.Wald.dist(1.5, 2.0),
    pm.Kumaraswamy.dist(2.0, 3.0),
    pm.Triangular.dist(-1.0, 0.5, 2.0),
    pm.Pareto.dist(2.5, 1.5),
    pm.Gumbel.dist(0.0, 1.0),
    pm.LogitNormal.dist(0.3, 0.8),
]


@pytest.mark.parametrize("dist", GOF, ids=lambda d: type(d.distribution).__name__)
def test_sampler_matches_own_cdf(dist: Any) -> None:
    """Kolmogorov-Smirnov of F(draws) against the uniform (fixed seed)."""
    x = pm.draw(dist, 3000, random_seed=3)
    p = st.kstest(np.exp(pm.logcdf(dist, x).eval()), "uniform").pvalue
    assert p > 1e-3


@pytest.mark.parametrize(
    ("dist", "support"),
    [
        (pm.DiscreteWeibull.dist(0.6, 1.3), np.arange(30)),
        (pm.HyperGeometric.dist(20, 7, 12), np.arange(13)),
        (pm.OrderedProbit.dist(0.3, np.array([-1.0, 0.5, 2.0]), sigma=1.2), np.arange(4)),
    ],
    ids=lambda v: type(v.distribution).__name__ if isinstance(v, pm.TensorVariable) else "",
)
def test_discrete_sampler_matches_own_pmf(dist: Any, support: np.ndarray) -> None:
    """Chi-square of the draws' counts against the probabilities (fixed seed)."""
    n = 3000
    draws = pm.draw(dist, n, random_seed=4)
    probs = np.exp(pm.logp(dist, support).eval())
    assert np.isclose(probs.sum(), 1.0, atol=1e-8)
    keep = probs * n > 5
    counts = np.array([(draws == k).sum() for k in support])
    obs = np.append(counts[keep], n - counts[keep].sum())
    exp = np.append(n * probs[keep], n - n * probs[keep].sum())
    if exp[-1] < 1e-9:
        obs, exp = obs[:-1], exp[:-1]
    assert st.chisquare(obs, exp).pvalue > 1e-3


EDGE_CASES = (
    [c[0] for c in CDF_CASES]
    + GOF
    + [
        pm.Rice.dist(1.5, 0.8),
        pm.Interpolated.dist(np.array([0.0, 1.0, 2.0]), np.array([0.5, 1.0, 0.0])),
        pm.HurdleGamma.dist(0.7, 2.0, 1.5),
        pm.HurdleLogNormal.dist(0.7, 0.0, 1.0),
        pm.HurdlePoisson.dist(0.7, 2.0),
        pm.ZeroInflatedBinomial.dist(0.7, 5, 0.3),
        pm.Censored.dist(pm.Normal.dist(0, 1), lower=-1.0, upper=1.0),
        pm.Truncated.dist(pm.Gamma.dist(2.0, 1.0), lower=0.5, upper=3.0),
        pm.NormalMixture.dist(w=[0.3, 0.7], mu=[0.0, 3.0], sigma=1.0),
    ]
)


@pytest.mark.parametrize("dist", EDGE_CASES, ids=lambda d: type(d.distribution).__name__)
def test_edge_values_never_nan(dist: Any) -> None:
    """-inf, +inf, huge and tiny values, and the bounds: log-density and logcdf are
    -inf or finite (0 above the support for the logcdf), never NaN."""
    x = np.array([-np.inf, -1e300, -1e3, -1.0, 0.0, 1e-300, 0.5, 1.0, 1e3, 1e300, np.inf])
    lp = pm.logp(dist, x).eval()
    assert not np.any(np.isnan(lp)) and not np.any(lp == np.inf), lp
    if type(dist.distribution).has_logcdf():
        lc = pm.logcdf(dist, x).eval()
        assert not np.any(np.isnan(lc)) and np.all(lc <= 0), lc
