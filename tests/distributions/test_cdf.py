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
]


def _name(case: Any) -> str:
    return type(case[0].distribution).__name__


def _ref_logcdf(dist: Any, ref: Any, x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        if type(dist.distribution).__name__ == "HalfStudentT":
            return np.where(x < 0, -np.inf, np.log(np.maximum(2 * ref.cdf(x) - 1, 0)))
        return ref.logcdf(x)


@pytest.mark.parametrize("case", CDF_CASES, ids=_name)
def test_logcdf_and_icdf_match_scipy(case: Any) -> None:
    dist, ref, xs = case
    x = np.asarray(xs, float)
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
