"""Univariate distributions: one table against scipy.stats, plus properties.

Each row of ``CASES`` gives a credo class, its reference (a frozen ``scipy.stats``
distribution, or a small stand-in where scipy has none) as a function of credo's
parameters, hypothesis strategies for valid parameters and for values inside the support
given those parameters, and fixed parameters for the sampling and edge-value checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate
import scipy.special as sps
import scipy.stats as stats
from hypothesis import given, settings
from hypothesis import strategies as hs

import credo as pm
from credo.errors import ParameterError

PI = float(np.pi)
RTOL = 1e-10
ATOL = 1e-10


# -- stand-ins for the distributions scipy lacks (same interface as frozen scipy ones) ----------
class _HalfT:
    def __init__(self, nu: float, sigma: float) -> None:
        self.nu, self.sigma = nu, sigma

    def logpdf(self, x: Any) -> Any:
        x = np.asarray(x, float)
        with np.errstate(invalid="ignore"):
            lp = np.log(2.0) + stats.t(self.nu, 0.0, self.sigma).logpdf(x)
        return np.where(x >= 0, lp, -np.inf)

    def mean(self) -> float:
        nu, s = self.nu, self.sigma
        return float(
            2
            * s
            * np.sqrt(nu / np.pi)
            * np.exp(sps.gammaln((nu + 1) / 2) - sps.gammaln(nu / 2))
            / (nu - 1)
        )

    def var(self) -> float:
        return self.sigma**2 * self.nu / (self.nu - 2) - self.mean() ** 2


class _Categorical:
    def __init__(self, p: Any) -> None:
        self.p = np.asarray(p, float) / np.sum(p)

    def logpmf(self, k: Any) -> Any:
        k = np.asarray(k, float)
        ok = (k >= 0) & (k < len(self.p)) & (k == np.floor(k))
        idx = np.where(ok, k, 0).astype(int)
        with np.errstate(divide="ignore"):
            return np.where(ok, np.log(self.p[idx]), -np.inf)

    def mean(self) -> float:
        return float(np.sum(np.arange(len(self.p)) * self.p))

    def var(self) -> float:
        return float(np.sum(np.arange(len(self.p)) ** 2 * self.p) - self.mean() ** 2)


class _OrderedLogistic(_Categorical):
    """Probabilities by differences of logistic CDFs, mirrored in the upper tail."""

    def __init__(self, eta: float, cutpoints: Any) -> None:
        c = np.concatenate([[-np.inf], np.asarray(cutpoints, float), [np.inf]]) - eta
        lo, hi = c[:-1], c[1:]
        upper = lo > 0
        with np.errstate(over="ignore"):
            p = np.where(upper, sps.expit(-lo) - sps.expit(-hi), sps.expit(hi) - sps.expit(lo))
        self.p = p


class _ZIP:
    def __init__(self, psi: float, mu: float) -> None:
        self.psi, self.mu = psi, mu

    def logpmf(self, k: Any) -> Any:
        k = np.asarray(k, float)
        with np.errstate(divide="ignore"):
            zero = np.log((1 - self.psi) + self.psi * np.exp(-self.mu))
            pos = np.log(self.psi) + stats.poisson(self.mu).logpmf(k)
        return np.where(k == 0, zero, pos)

    def mean(self) -> float:
        return self.psi * self.mu

    def var(self) -> float:
        return self.psi * self.mu * (1 + (1 - self.psi) * self.mu)


class _VonMises:
    """scipy's von Mises, restricted to [-pi, pi]; moments by quadrature on that range."""

    def __init__(self, mu: float, kappa: float) -> None:
        self.d = stats.vonmises(kappa, loc=mu)

    def logpdf(self, x: Any) -> Any:
        return self.d.logpdf(x)

    def _moment(self, k: int) -> float:
        return scipy.integrate.quad(lambda x: x**k * self.d.pdf(x), -PI, PI)[0]

    def mean(self) -> float:
        return self._moment(1)

    def var(self) -> float:
        return self._moment(2) - self._moment(1) ** 2


def _truncnorm(mu: float, sigma: float, lower: float, upper: float) -> Any:
    return stats.truncnorm((lower - mu) / sigma, (upper - mu) / sigma, loc=mu, scale=sigma)


# -- the table ------------------------------------------------------------------------------
@dataclass
class Case:
    cls: type
    ref: Callable[..., Any]  # credo's parameters -> frozen reference distribution
    params: hs.SearchStrategy  # a dict of valid scalar parameters (or vectors, param_ndims)
    value: Callable[[dict], hs.SearchStrategy]  # valid values given the parameters
    fixed: dict  # for sampling, edges and the model test
    bad: dict  # one parameter outside its support
    mean_exists: bool = True
    in_support: Callable[[float], bool] | None = None  # where credo's support is narrower
    extra_edges: Callable[[dict], list[float]] = field(default=lambda p: [])

    @property
    def id(self) -> str:
        return self.cls.__name__


def fl(lo: float, hi: float) -> hs.SearchStrategy:
    return hs.floats(lo, hi, allow_nan=False, allow_infinity=False)


def params(**strategies: hs.SearchStrategy) -> hs.SearchStrategy:
    return hs.fixed_dictionaries(strategies)


def shifted(loc: str | None, scale: str | None, lo: float, hi: float) -> Callable:
    """Values loc + scale * z with z in [lo, hi] (names of parameters, or None)."""

    def make(p: dict) -> hs.SearchStrategy:
        m = p[loc] if loc else 0.0
        s = p[scale] if scale else 1.0
        return fl(lo, hi).map(lambda z: m + s * z)

    return make


def ints(lo: Any, hi: Any) -> Callable:
    def make(p: dict) -> hs.SearchStrategy:
        a = p[lo] if isinstance(lo, str) else lo
        b = p[hi] if isinstance(hi, str) else hi
        return hs.integers(int(a), int(b))

    return make


@hs.composite
def truncnorm_params(draw: Any) -> dict:
    mu, sigma = draw(fl(-5, 5)), draw(fl(0.2, 5))
    kind = draw(hs.sampled_from(["both", "lower", "upper", "none"]))
    lower, upper = -np.inf, np.inf
    if kind in ("both", "lower"):
        lower = mu + sigma * draw(fl(-6, 8))
    if kind == "both":
        upper = lower + sigma * draw(fl(0.05, 6))
    if kind == "upper":
        upper = mu + sigma * draw(fl(-8, 6))
    return {"mu": mu, "sigma": sigma, "lower": lower, "upper": upper}


def truncnorm_value(p: dict) -> hs.SearchStrategy:
    lo, hi, s = p["lower"], p["upper"], p["sigma"]
    if np.isfinite(lo) and np.isfinite(hi):
        return fl(0.001, 0.999).map(lambda u: lo + (hi - lo) * u)
    if np.isfinite(lo):
        return fl(0.001, 6).map(lambda z: lo + s * z)
    if np.isfinite(hi):
        return fl(0.001, 6).map(lambda z: hi - s * z)
    return fl(-8, 8).map(lambda z: p["mu"] + s * z)


@hs.composite
def uniform_params(draw: Any) -> dict:
    lower = draw(fl(-10, 10))
    return {"lower": lower, "upper": lower + draw(fl(0.1, 20))}


@hs.composite
def discrete_uniform_params(draw: Any) -> dict:
    lower = draw(hs.integers(-20, 20))
    return {"lower": float(lower), "upper": float(lower + draw(hs.integers(0, 30)))}


@hs.composite
def ordered_params(draw: Any) -> dict:
    c0 = draw(fl(-5, 5))
    steps = [draw(fl(0.3, 3)) for _ in range(2)]
    return {"eta": draw(fl(-5, 5)), "cutpoints": np.cumsum([c0, *steps])}


CONTINUOUS = [
    Case(
        pm.Normal,
        lambda mu, sigma: stats.norm(mu, sigma),
        params(mu=fl(-10, 10), sigma=fl(0.1, 10)),
        shifted("mu", "sigma", -10, 10),
        {"mu": 1.5, "sigma": 2.0},
        {"sigma": -1.0},
    ),
    Case(
        pm.HalfNormal,
        lambda sigma: stats.halfnorm(scale=sigma),
        params(sigma=fl(0.1, 10)),
        shifted(None, "sigma", 1e-3, 8),
        {"sigma": 2.0},
        {"sigma": 0.0},
    ),
    Case(
        pm.TruncatedNormal,
        _truncnorm,
        truncnorm_params(),
        truncnorm_value,
        {"mu": 0.5, "sigma": 2.0, "lower": -1.0, "upper": 4.0},
        {"sigma": -2.0},
        extra_edges=lambda p: [p["lower"], p["upper"], p["lower"] - 1e-9, p["upper"] + 1e-9],
    ),
    Case(
        pm.StudentT,
        lambda nu, mu, sigma: stats.t(nu, mu, sigma),
        params(nu=fl(0.5, 50), mu=fl(-5, 5), sigma=fl(0.1, 5)),
        shifted("mu", "sigma", -20, 20),
        {"nu": 6.0, "mu": 1.0, "sigma": 2.0},
        {"nu": -1.0},
    ),
    Case(
        pm.HalfStudentT,
        _HalfT,
        params(nu=fl(0.5, 50), sigma=fl(0.1, 5)),
        shifted(None, "sigma", 1e-3, 20),
        {"nu": 6.0, "sigma": 2.0},
        {"sigma": -1.0},
    ),
    Case(
        pm.Cauchy,
        lambda alpha, beta: stats.cauchy(alpha, beta),
        params(alpha=fl(-5, 5), beta=fl(0.1, 5)),
        shifted("alpha", "beta", -50, 50),
        {"alpha": 1.0, "beta": 2.0},
        {"beta": 0.0},
        mean_exists=False,
    ),
    Case(
        pm.HalfCauchy,
        lambda beta: stats.halfcauchy(scale=beta),
        params(beta=fl(0.1, 5)),
        shifted(None, "beta", 1e-3, 50),
        {"beta": 2.0},
        {"beta": -1.0},
        mean_exists=False,
    ),
    Case(
        pm.Exponential,
        lambda lam: stats.expon(scale=1 / lam),
        params(lam=fl(0.05, 20)),
        lambda p: fl(1e-3, 20).map(lambda z: z / p["lam"]),
        {"lam": 1.5},
        {"lam": 0.0},
    ),
    Case(
        pm.Gamma,
        lambda alpha, beta: stats.gamma(alpha, scale=1 / beta),
        params(alpha=fl(0.2, 50), beta=fl(0.05, 20)),
        lambda p: fl(1e-3, 10).map(lambda z: z * p["alpha"] / p["beta"]),
        {"alpha": 2.5, "beta": 1.5},
        {"alpha": -1.0},
        extra_edges=lambda p: [1e-300],
    ),
    Case(
        pm.InverseGamma,
        lambda alpha, beta: stats.invgamma(alpha, scale=beta),
        params(alpha=fl(0.5, 30), beta=fl(0.1, 20)),
        lambda p: fl(0.02, 10).map(lambda z: z * p["beta"] / p["alpha"]),
        {"alpha": 4.0, "beta": 3.0},
        {"beta": 0.0},
    ),
    Case(
        pm.Beta,
        lambda alpha, beta: stats.beta(alpha, beta),
        params(alpha=fl(0.2, 20), beta=fl(0.2, 20)),
        lambda p: fl(1e-4, 1 - 1e-4),
        {"alpha": 2.0, "beta": 3.0},
        {"alpha": 0.0},
    ),
    Case(
        pm.Uniform,
        lambda lower, upper: stats.uniform(lower, upper - lower),
        uniform_params(),
        lambda p: fl(0, 1).map(lambda u: p["lower"] + (p["upper"] - p["lower"]) * u),
        {"lower": -1.0, "upper": 3.0},
        {"upper": -2.0},
        extra_edges=lambda p: [p["lower"], p["upper"], p["lower"] - 1e-9, p["upper"] + 1e-9],
    ),
    Case(
        pm.LogNormal,
        lambda mu, sigma: stats.lognorm(sigma, scale=np.exp(mu)),
        params(mu=fl(-3, 3), sigma=fl(0.1, 3)),
        lambda p: fl(-6, 6).map(lambda z: float(np.exp(p["mu"] + p["sigma"] * z))),
        {"mu": 0.5, "sigma": 0.4},
        {"sigma": -0.4},
    ),
    Case(
        pm.Laplace,
        lambda mu, b: stats.laplace(mu, b),
        params(mu=fl(-5, 5), b=fl(0.1, 5)),
        shifted("mu", "b", -20, 20),
        {"mu": 1.0, "b": 2.0},
        {"b": 0.0},
    ),
    Case(
        pm.Logistic,
        lambda mu, s: stats.logistic(mu, s),
        params(mu=fl(-5, 5), s=fl(0.1, 5)),
        shifted("mu", "s", -30, 30),
        {"mu": 1.0, "s": 2.0},
        {"s": -2.0},
    ),
    Case(
        pm.Weibull,
        lambda alpha, beta: stats.weibull_min(alpha, scale=beta),
        params(alpha=fl(0.3, 10), beta=fl(0.1, 10)),
        shifted(None, "beta", 1e-3, 3),
        {"alpha": 2.0, "beta": 1.5},
        {"alpha": 0.0},
    ),
    Case(
        pm.ChiSquared,
        lambda nu: stats.chi2(nu),
        params(nu=fl(0.5, 50)),
        shifted(None, "nu", 1e-3, 4),
        {"nu": 4.0},
        {"nu": -4.0},
    ),
    Case(
        pm.VonMises,
        _VonMises,
        params(mu=fl(-PI, PI), kappa=fl(0.05, 50)),
        lambda p: fl(-PI, PI),
        {"mu": 0.3, "kappa": 2.0},
        {"kappa": 0.0},
        in_support=lambda x: -PI <= x <= PI,
        extra_edges=lambda p: [-PI, PI, 4.0, -4.0],
    ),
    Case(
        pm.SkewNormal,
        lambda mu, sigma, alpha: stats.skewnorm(alpha, mu, sigma),
        params(mu=fl(-5, 5), sigma=fl(0.1, 5), alpha=fl(-10, 10)),
        shifted("mu", "sigma", -10, 10),
        {"mu": 0.5, "sigma": 1.5, "alpha": 3.0},
        {"sigma": 0.0},
    ),
]

DISCRETE = [
    Case(
        pm.Bernoulli,
        lambda p: stats.bernoulli(p),
        params(p=fl(1e-3, 1 - 1e-3)),
        lambda p: hs.sampled_from([0, 1]),
        {"p": 0.3},
        {"p": 1.5},
        extra_edges=lambda p: [2.0, 0.5],
    ),
    Case(
        pm.Binomial,
        lambda n, p: stats.binom(n, p),
        params(n=hs.integers(0, 50).map(float), p=fl(1e-3, 1 - 1e-3)),
        ints(0, "n"),
        {"n": 10.0, "p": 0.3},
        {"p": -0.1},
        extra_edges=lambda p: [p["n"], p["n"] + 1, 0.5],
    ),
    Case(
        pm.BetaBinomial,
        lambda alpha, beta, n: stats.betabinom(n, alpha, beta),
        params(alpha=fl(0.2, 20), beta=fl(0.2, 20), n=hs.integers(0, 50).map(float)),
        ints(0, "n"),
        {"alpha": 2.0, "beta": 3.0, "n": 10.0},
        {"n": 2.5},
        extra_edges=lambda p: [p["n"], p["n"] + 1, 0.5],
    ),
    Case(
        pm.Poisson,
        lambda mu: stats.poisson(mu),
        params(mu=fl(0.01, 50)),
        ints(0, 100),
        {"mu": 4.0},
        {"mu": -1.0},
        extra_edges=lambda p: [0.5],
    ),
    Case(
        pm.NegativeBinomial,
        lambda mu, alpha: stats.nbinom(alpha, alpha / (mu + alpha)),
        params(mu=fl(0.05, 50), alpha=fl(0.1, 100)),
        ints(0, 150),
        {"mu": 4.0, "alpha": 3.0},
        {"alpha": 0.0},
        extra_edges=lambda p: [0.5],
    ),
    Case(
        pm.Geometric,
        lambda p: stats.geom(p),
        params(p=fl(0.01, 0.99)),
        ints(1, 100),
        {"p": 0.3},
        {"p": 0.0},
        extra_edges=lambda p: [0.5, 1.5],
    ),
    Case(
        pm.Categorical,
        _Categorical,
        params(p=hs.lists(fl(0.01, 1), min_size=4, max_size=4).map(np.array)),
        ints(0, 3),
        {"p": np.array([0.1, 0.2, 0.3, 0.4])},
        {"p": np.array([0.5, -0.1, 0.3, 0.3])},
        extra_edges=lambda p: [3.0, 4.0, 0.5],
    ),
    Case(
        pm.DiscreteUniform,
        lambda lower, upper: stats.randint(lower, upper + 1),
        discrete_uniform_params(),
        ints("lower", "upper"),
        {"lower": -2.0, "upper": 5.0},
        {"lower": 0.5},
        extra_edges=lambda p: [p["lower"], p["upper"], p["lower"] - 1, p["upper"] + 1, 0.5],
    ),
    Case(
        pm.ZeroInflatedPoisson,
        _ZIP,
        params(psi=fl(0.01, 0.99), mu=fl(0.01, 30)),
        ints(0, 60),
        {"psi": 0.7, "mu": 3.0},
        {"psi": 1.2},
        extra_edges=lambda p: [0.5],
    ),
    Case(
        pm.OrderedLogistic,
        _OrderedLogistic,
        ordered_params(),
        ints(0, 3),
        {"eta": 0.5, "cutpoints": np.array([-1.0, 0.5, 2.0])},
        {"cutpoints": np.array([-1.0, 2.0, 0.5])},
        extra_edges=lambda p: [3.0, 4.0, 0.5],
    ),
]

CASES = CONTINUOUS + DISCRETE
IDS = [c.id for c in CASES]


# -- helpers ----------------------------------------------------------------------------------
_JITTED: dict[str, Any] = {}


def _instance(case: Case) -> Any:
    return case.cls.dist(**case.fixed).distribution


def _logp(case: Case, value: Any, params: dict, jit: bool, as_float: bool = False) -> np.ndarray:
    inst = _instance(case)
    if jit:
        fn = _JITTED.setdefault(case.id, jax.jit(inst.checked_logp))
    else:
        fn = inst.checked_logp
    dtype = np.int64 if case.cls.discrete and not as_float else np.float64
    jparams = {k: jnp.asarray(v, dtype=np.float64) for k, v in params.items()}
    return np.asarray(fn(jnp.asarray(value, dtype=dtype), jparams))


def _ref_logp(case: Case, pset: dict, x: float) -> float:
    d = case.ref(**pset)
    f = d.logpmf if case.cls.discrete else d.logpdf
    return float(np.asarray(f(x)))


def _assert_matches(ours: Any, ref: Any, what: str) -> None:
    ours, ref = np.asarray(ours, float), np.asarray(ref, float)
    assert not np.any(np.isnan(ours)), f"{what}: NaN in {ours}"
    same_inf = np.isinf(ref) & (ours == ref)
    with np.errstate(invalid="ignore"):
        close = np.abs(ours - ref) <= ATOL + RTOL * np.abs(ref)
    assert np.all(same_inf | close), f"{what}: credo {ours} vs reference {ref}"


def _stack(psets: list[dict]) -> dict:
    return {k: np.stack([np.asarray(p[k], float) for p in psets]) for k in psets[0]}


BATCHES = {
    "values": ((), (2, 3)),  # (parameter batch, value shape)
    "vector": ((3,), (3,)),
    "broadcast": ((3,), (2, 3)),
}


def _draw_and_check(case: Case, data: Any, pshape: tuple, vshape: tuple, jits: tuple) -> None:
    """Draw parameter sets (one per batch column) and values, compare with the reference."""
    n_sets = pshape[0] if pshape else 1
    psets = [data.draw(case.params, label="params") for _ in range(n_sets)]
    values = np.empty(vshape, dtype=float)
    ref = np.empty_like(values)
    for idx in np.ndindex(*vshape):
        pset = psets[idx[-1] if pshape else 0]
        x = float(data.draw(case.value(pset), label="value"))
        values[idx] = x
        ref[idx] = _ref_logp(case, pset, x)
    batched = _stack(psets) if pshape else {k: np.asarray(v, float) for k, v in psets[0].items()}
    for jit in jits:
        ours = _logp(case, values, batched, jit)
        assert ours.shape == np.broadcast_shapes(vshape, pshape)
        _assert_matches(ours, ref, f"{case.id} jit={jit}")


# -- logp against the reference -----------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=IDS)
@settings(max_examples=20)
@given(data=hs.data())
def test_logp_matches_reference(case: Case, data: Any) -> None:
    _draw_and_check(case, data, (), (), jits=(False,))


# Fewer examples: each draws up to three parameter sets and six values. Jitted in one
# configuration only, as every new shape costs a compilation.
@pytest.mark.parametrize("batch", list(BATCHES))
@pytest.mark.parametrize("case", CASES, ids=IDS)
@settings(max_examples=6)
@given(data=hs.data())
def test_logp_batched_matches_reference(case: Case, batch: str, data: Any) -> None:
    pshape, vshape = BATCHES[batch]
    _draw_and_check(case, data, pshape, vshape, (False, True) if batch == "broadcast" else (False,))


@pytest.mark.parametrize("case", CASES, ids=IDS)
@settings(max_examples=6)
@given(data=hs.data())
def test_gradients_finite_inside_support(case: Case, data: Any) -> None:
    pset = {k: np.asarray(v, float) for k, v in data.draw(case.params).items()}
    x = float(data.draw(case.value(pset)))
    inst = _instance(case)

    def f(value: Any, p: dict) -> Any:
        return inst.checked_logp(value, p)

    argnums = (0, 1) if not case.cls.discrete else (1,)
    grads = jax.grad(f, argnums=argnums)(
        jnp.asarray(x), {k: jnp.asarray(v) for k, v in pset.items()}
    )
    for leaf in jax.tree_util.tree_leaves(grads):
        assert np.all(np.isfinite(np.asarray(leaf))), f"{case.id}: gradient {grads} at {x}"


# -- edges: bounds, outside the support, infinities, NaN ---------------------------------------
N_EDGES = 12


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_edge_values(case: Case) -> None:
    p = case.fixed
    edges = [0.0, -1.0, 1.0, -np.inf, np.inf, *case.extra_edges(p)]
    # Padded to one length, so that all cases share the compiled kernels.
    values = np.asarray(edges + [np.nan] * (N_EDGES - len(edges)), float)
    ours = _logp(case, values, p, jit=False, as_float=True)
    assert np.all(ours[len(edges) :] == -np.inf), f"{case.id} at NaN: {ours}"
    for x, lp in zip(values[: len(edges)], ours):
        if case.in_support is not None and not case.in_support(x):
            assert lp == -np.inf, f"{case.id} at {x}: {lp}"
            continue
        with np.errstate(all="ignore"):
            ref = _ref_logp(case, p, x)
        if np.isnan(ref):  # scipy has no opinion (e.g. at +-inf): outside ours
            assert lp == -np.inf, f"{case.id} at {x}: {lp}"
        else:
            _assert_matches(lp, ref, f"{case.id} at {x}")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_invalid_parameters_at_run_time_give_minus_inf(case: Case) -> None:
    p = {**case.fixed, **case.bad}
    x = _support_point(case)
    lp = _logp(case, x, p, jit=False)
    assert np.all(lp == -np.inf), f"{case.id} with {case.bad}: {lp}"


def _support_point(case: Case, shape: tuple = ()) -> np.ndarray:
    params = {k: jnp.asarray(v, float) for k, v in case.fixed.items()}
    return np.asarray(case.cls.support_point(shape, **params))


# -- sampling and support points ------------------------------------------------------------
N_DRAWS = 1500


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_sample_shape_dtype_and_mean(case: Case) -> None:
    # Parameters batched (3,) against draws (N, 3): the broadcasting and the moments at once.
    batched = _stack([case.fixed] * 3)
    jparams = {k: jnp.asarray(v) for k, v in batched.items()}
    key = jax.random.key(20240611)
    # Traced as under jit (no compilation: eager draws share compiled kernels across cases).
    out = jax.eval_shape(jax.jit(lambda k, p: case.cls.sample(k, (N_DRAWS, 3), **p)), key, jparams)
    assert out.shape == (N_DRAWS, 3)
    x = np.asarray(case.cls.sample(key, (N_DRAWS, 3), **jparams))
    assert x.shape == (N_DRAWS, 3)
    assert x.dtype == (np.int64 if case.cls.discrete else np.float64)
    lp = _logp(case, x, batched, jit=False)
    assert np.all(np.isfinite(lp)), f"{case.id}: draws outside the support"
    if case.mean_exists:
        ref = case.ref(**case.fixed)
        se = np.sqrt(float(ref.var()) / x.size)
        assert abs(x.mean() - float(ref.mean())) < 5 * se, (case.id, x.mean(), ref.mean(), se)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_support_point_inside_support(case: Case) -> None:
    for shape, params in (((), case.fixed), ((2, 3), _stack([case.fixed] * 3))):
        sp = np.asarray(
            case.cls.support_point(shape, **{k: jnp.asarray(v) for k, v in params.items()})
        )
        assert sp.shape == shape
        assert sp.dtype == (np.int64 if case.cls.discrete else np.float64)
        assert np.all(np.isfinite(_logp(case, sp, params, jit=False))), (case.id, sp)


# -- definition-time checks ----------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bad_constant_parameter_raises_naming_variable_and_parameter(case: Case) -> None:
    pname = next(iter(case.bad))
    # Constraints between parameters (lower < upper) are checked without the variable's name.
    label = rf"{case.id}\('x'\): parameter '{pname}'" if pname in case.cls.param_checks else case.id
    with pm.Model():
        with pytest.raises(ParameterError, match=label):
            case.cls("x", **{**case.fixed, **case.bad})


def test_parameter_error_message() -> None:
    with pm.Model():
        with pytest.raises(ParameterError) as err:
            pm.Normal("x", 0, -1)
    assert str(err.value) == "Normal('x'): parameter 'sigma' must be positive, got [-1.]"


@pytest.mark.parametrize(
    "make",
    [
        lambda: pm.Uniform("x", 1.0, 0.0),
        lambda: pm.TruncatedNormal("x", 0.0, 1.0, lower=2.0, upper=1.0),
        lambda: pm.DiscreteUniform("x", 3, 1),
        lambda: pm.Normal("x", 0, sigma=1, sd=1),
        lambda: pm.Normal("x", 0, sigma=1, tau=1),
        lambda: pm.Normal("x", 0, tau=-1),
        lambda: pm.Gamma("x", alpha=1, mu=2, sigma=1),
        lambda: pm.Gamma("x", mu=2),
        lambda: pm.Beta("x", mu=0.5),
        lambda: pm.NegativeBinomial("x", mu=1, n=2, p=0.5),
        lambda: pm.NegativeBinomial("x", n=2),
        lambda: pm.NegativeBinomial("x", n=2, p=1.5),
        lambda: pm.Bernoulli("x", p=0.5, logit_p=0.0),
        lambda: pm.Exponential("x", lam=1, scale=1),
        lambda: pm.Poisson("x", mu=1, lam=2),
        lambda: pm.Binomial("x", 2.5, 0.5),
        lambda: pm.Geometric("x", 0.0),
    ],
)
def test_definition_time_errors(make: Callable) -> None:
    with pm.Model():
        with pytest.raises(ParameterError):
            make()


def test_missing_parameter_raises() -> None:
    with pm.Model():
        with pytest.raises(ParameterError, match="missing the parameter 'nu'"):
            pm.StudentT("x")


# -- alternative parametrisations -------------------------------------------------------------
def _params_of(node: Any) -> dict:
    return {k: np.asarray(v) for k, v in node.distribution.params.items()}


def _node_logp(node: Any, x: Any) -> np.ndarray:
    d = node.distribution
    return np.asarray(d.checked_logp(jnp.asarray(x), dict(d.params)))


@pytest.mark.parametrize(
    "alt, canonical",
    [
        (lambda: pm.Normal.dist(1.0, tau=4.0), lambda: pm.Normal.dist(1.0, 0.5)),
        (lambda: pm.Normal.dist(1.0, sd=0.5), lambda: pm.Normal.dist(1.0, 0.5)),
        (lambda: pm.HalfNormal.dist(tau=4.0), lambda: pm.HalfNormal.dist(0.5)),
        (lambda: pm.LogNormal.dist(0.2, tau=4.0), lambda: pm.LogNormal.dist(0.2, 0.5)),
        (lambda: pm.StudentT.dist(3.0, 1.0, lam=4.0), lambda: pm.StudentT.dist(3.0, 1.0, 0.5)),
        (lambda: pm.HalfStudentT.dist(3.0, lam=4.0), lambda: pm.HalfStudentT.dist(3.0, 0.5)),
        (
            lambda: pm.SkewNormal.dist(0.0, tau=4.0, alpha=2.0),
            lambda: pm.SkewNormal.dist(0, 0.5, 2),
        ),
        (
            lambda: pm.TruncatedNormal.dist(0.0, tau=4.0, lower=-1.0),
            lambda: pm.TruncatedNormal.dist(0.0, 0.5, lower=-1.0),
        ),
        (lambda: pm.Exponential.dist(scale=2.0), lambda: pm.Exponential.dist(0.5)),
        (lambda: pm.Gamma.dist(mu=2.0, sigma=0.5), lambda: pm.Gamma.dist(16.0, 8.0)),
        (lambda: pm.InverseGamma.dist(mu=2.0, sigma=1.0), lambda: pm.InverseGamma.dist(6.0, 10.0)),
        (lambda: pm.Beta.dist(mu=0.4, sigma=0.2), lambda: pm.Beta.dist(2.0, 3.0)),
        (lambda: pm.Beta.dist(mu=0.4, nu=5.0), lambda: pm.Beta.dist(2.0, 3.0)),
        (lambda: pm.Bernoulli.dist(logit_p=0.3), lambda: pm.Bernoulli.dist(sps.expit(0.3))),
        (lambda: pm.Binomial.dist(7, logit_p=-0.4), lambda: pm.Binomial.dist(7, sps.expit(-0.4))),
        (
            lambda: pm.Categorical.dist(logit_p=[0.1, -0.3, 1.2]),
            lambda: pm.Categorical.dist(sps.softmax([0.1, -0.3, 1.2])),
        ),
        (
            lambda: pm.NegativeBinomial.dist(n=3.0, p=0.4),
            lambda: pm.NegativeBinomial.dist(4.5, 3.0),
        ),
    ],
)
def test_alternative_parametrisations(alt: Callable, canonical: Callable) -> None:
    a, c = alt(), canonical()
    pa, pc = _params_of(a), _params_of(c)
    for k in pc:
        np.testing.assert_allclose(pa[k], pc[k], rtol=1e-12)
    x = np.asarray(c.distribution.initial_value(dict(c.distribution.params)))
    np.testing.assert_allclose(_node_logp(a, x), _node_logp(c, x), rtol=1e-12)


def test_mean_sd_parametrisations_give_those_moments() -> None:
    g = _params_of(pm.Gamma.dist(mu=3.0, sigma=0.7))
    d = stats.gamma(g["alpha"], scale=1 / g["beta"])
    np.testing.assert_allclose([d.mean(), d.std()], [3.0, 0.7], rtol=1e-12)
    ig = _params_of(pm.InverseGamma.dist(mu=3.0, sigma=0.7))
    d = stats.invgamma(ig["alpha"], scale=ig["beta"])
    np.testing.assert_allclose([d.mean(), d.std()], [3.0, 0.7], rtol=1e-12)
    b = _params_of(pm.Beta.dist(mu=0.3, sigma=0.1))
    d = stats.beta(b["alpha"], b["beta"])
    np.testing.assert_allclose([d.mean(), d.std()], [0.3, 0.1], rtol=1e-12)


def test_negative_binomial_n_p_matches_scipy() -> None:
    nb = pm.NegativeBinomial.dist(n=2.5, p=0.3)
    k = np.arange(30)
    np.testing.assert_allclose(_node_logp(nb, k), stats.nbinom(2.5, 0.3).logpmf(k), rtol=1e-10)


def test_categorical_normalises_p_and_takes_batches() -> None:
    p = np.array([[1.0, 2.0, 1.0], [0.2, 0.2, 0.6]])
    with pytest.warns(UserWarning, match=r"sum up to \[4\.0, 1\.0\].*rescaled"):
        node = pm.Categorical.dist(p)
    assert node.shape == (2,)
    lp = _node_logp(node, np.array([[1, 2], [0, 0]]))
    expected = np.log(np.array([[0.5, 0.6], [0.25, 0.2]]))
    np.testing.assert_allclose(lp, expected, rtol=1e-12)


@pytest.mark.parametrize("n_cut", [1, 2, 6])
def test_ordered_logistic_sums_to_one(n_cut: int) -> None:
    cut = np.linspace(-2.0, 3.0, n_cut)
    node = pm.OrderedLogistic.dist(0.7, cut)
    lp = _node_logp(node, np.arange(n_cut + 1))
    np.testing.assert_allclose(np.exp(lp).sum(), 1.0, rtol=1e-12)
    assert _node_logp(node, np.array(n_cut + 1)) == -np.inf


def test_ordered_logistic_far_tails_stay_finite() -> None:
    node = pm.OrderedLogistic.dist(0.0, [40.0, 41.0, 42.0])
    lp = _node_logp(node, np.arange(4))
    # P(y=1) = F(41) - F(40) ~ e^-40 (1 - e^-1): no cancellation to 0.
    np.testing.assert_allclose(lp[1], -40 + np.log1p(-np.exp(-1.0)), rtol=1e-9)
    assert np.all(np.isfinite(lp))


def test_truncated_normal_transform_follows_the_bounds() -> None:
    from credo.distributions import transforms as tr

    with pm.Model():
        both = pm.TruncatedNormal("both", 0, 1, lower=-1, upper=1)
        lower = pm.TruncatedNormal("lower", 0, 1, lower=-1)
        upper = pm.TruncatedNormal("upper", 0, 1, upper=1)
        none = pm.TruncatedNormal("none", 0, 1)
    assert isinstance(both.transform, tr.IntervalTransform)
    assert isinstance(lower.transform, tr.LowerBoundTransform)
    assert isinstance(upper.transform, tr.UpperBoundTransform)
    assert none.transform is None


def test_truncated_normal_far_tail_matches_scipy() -> None:
    node = pm.TruncatedNormal.dist(0.0, 1.0, lower=30.0, upper=31.0)
    x = np.array([30.0, 30.01, 30.5])
    ref = stats.truncnorm(30.0, 31.0).logpdf(x)
    np.testing.assert_allclose(_node_logp(node, x), ref, rtol=1e-9)


# -- improper ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cls, inside, outside",
    [
        (pm.Flat, [-3.0, 0.0, 5.0], [np.inf, -np.inf, np.nan]),
        (pm.HalfFlat, [0.0, 2.0], [-1.0, np.inf, np.nan]),
    ],
)
def test_improper_flat(cls: type, inside: list, outside: list) -> None:
    with pm.Model() as model:
        x = cls("x", shape=(2,))
    assert np.all(model.initial_point()["x"] == (0.0 if cls is pm.Flat else 1.0))
    d = x.distribution
    np.testing.assert_array_equal(d.checked_logp(jnp.asarray(inside), {}), 0.0)
    np.testing.assert_array_equal(d.checked_logp(jnp.asarray(outside), {}), -np.inf)
    with pytest.raises(NotImplementedError, match="improper"):
        cls.sample(jax.random.key(0), (2,))


# -- in a model --------------------------------------------------------------------------------
def test_in_a_model_point_logps() -> None:
    with pm.Model() as model:
        pm.Gamma("g", 2, 3)
        pm.Poisson("y", 3.0, observed=[1, 2, 5])
    lps = model.point_logps()
    assert np.isclose(lps["g"], stats.gamma(2, scale=1 / 3).logpdf(2 / 3), rtol=1e-10)
    assert np.isclose(lps["y"], stats.poisson(3.0).logpmf([1, 2, 5]).sum(), rtol=1e-10)


def test_every_case_in_one_model() -> None:
    with pm.Model() as model:
        for case in CASES:
            case.cls(case.id, **case.fixed, shape=(2,))
    lps = model.point_logps()
    assert set(lps) == set(IDS)
    assert all(np.isfinite(v) for v in lps.values()), lps
    # With the transforms' log-Jacobians (the sampler's density) too.
    assert np.isfinite(model.logp(jacobian=True))


def test_dist_is_unregistered_and_usable() -> None:
    node = pm.Gamma.dist(2.0, 3.0, shape=(4,))
    assert node.shape == (4,) and node.name is None
    assert isinstance(node.distribution, pm.Gamma)
    with pm.Model() as model:
        pm.Normal("x", 0, 1, shape=3)
    assert "x" in model.named_vars and len(model.named_vars) == 1
