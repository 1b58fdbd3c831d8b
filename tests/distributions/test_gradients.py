"""Gradients against central finite differences.

Every distribution of ``credo.distributions.__all__`` and every transform class of
``credo.distributions.transforms`` must have a row in the tables below (or an entry, with
its reason, in a skip set): a new one without a row fails ``test_*_gradient[Name]``.

* Distributions: ``jax.grad`` of the checked log-density (what the compiled model uses)
  with respect to the value (continuous ones) and to each continuous parameter, at a few
  interior points. Integer-valued parameters (``n`` of Binomial, the bounds of
  DiscreteUniform, ...) are held fixed, and so are infinite bounds.
* Transforms: the gradient of ``log_jac_det`` and the Jacobian of ``backward``, with
  respect to the unconstrained value and to the transform's inputs (e.g. interval bounds).
* A model with several transformed variables: ``logdensity_and_grad`` against finite
  differences of ``logdensity``.

Finite differences: central, step h = 1e-6 * max(1, |x|) per coordinate (or along a
direction in the tangent space, for values constrained to a manifold such as the
simplex). Truncation error is O(h^2) and rounding O(eps |f| / h) ~ 1e-10 |f|, so the check
is |grad - fd| <= 1e-5 |fd| + 1e-7 max(1, |f|).

Each row is one compiled program (gradient and all the differences together): the file
takes about 35 s of CPU, mostly XLA compiling them (61 s wall on 2 busy cores).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import credo as pm
import credo.distributions as dists
from credo.distributions import transforms as tr

RTOL = 1e-5
ATOL = 1e-7  # times max(1, |f|)
REL_STEP = 1e-6


# -- finite differences --------------------------------------------------------------------------
def _directions(x: np.ndarray, directions: np.ndarray | None = None) -> tuple[Any, Any]:
    """(m, x.size) perturbation directions and their (m,) step sizes."""
    x = np.ravel(x)
    if directions is None:
        return np.eye(x.size), REL_STEP * np.maximum(1.0, np.abs(x))
    d = np.asarray(directions, float).reshape(len(directions), -1)
    return d, np.full(len(d), REL_STEP * max(1.0, float(np.max(np.abs(x), initial=0.0))))


def _block_diag(blocks: list[tuple[np.ndarray, np.ndarray]]) -> tuple[Any, Any]:
    """Directions of several leaves stacked in one flat vector."""
    if not blocks:
        return np.zeros((0, 0)), np.zeros(0)
    n = sum(d.shape[1] for d, _ in blocks)
    rows, steps, col = [], [], 0
    for d, h in blocks:
        full = np.zeros((d.shape[0], n))
        full[:, col : col + d.shape[1]] = d
        rows.append(full)
        steps.append(h)
        col += d.shape[1]
    return np.concatenate(rows), np.concatenate(steps)


def _grad_checker(fn: Callable[[Any, Any], Any], with_grad: bool = True) -> Callable[..., Any]:
    """One compiled program: fn, its gradient projected on each direction (unless
    ``with_grad`` is False), and the central differences along them.
    ``fn(theta, aux)``: theta flat (differentiated), aux not."""

    def run(theta: Any, aux: Any, dirs: Any, steps: Any) -> Any:
        if with_grad:
            f0, grad = jax.value_and_grad(fn)(theta, aux)
            projected = dirs @ grad
        else:
            f0, projected = fn(theta, aux), jnp.zeros(len(steps))
        pert = steps[:, None] * dirs
        both = jax.vmap(fn, in_axes=(0, None))(jnp.concatenate([theta + pert, theta - pert]), aux)
        plus, minus = jnp.split(both, 2)
        return f0, projected, (plus - minus) / (2 * steps)

    compiled = jax.jit(run)
    return lambda *args: [np.asarray(x) for x in compiled(*args)]


def _jacobian_checker(fn: Callable[[Any], Any]) -> Callable[..., Any]:
    """One compiled program: fn (a flat vector), its Jacobian columns along each direction,
    and the central differences along them."""

    def run(theta: Any, dirs: Any, steps: Any) -> Any:
        out = fn(theta)
        jac = jax.jacfwd(fn)(theta)  # (out, theta)
        pert = steps[:, None] * dirs
        plus, minus = jnp.split(jax.vmap(fn)(jnp.concatenate([theta + pert, theta - pert])), 2)
        return out, dirs @ jac.T, (plus - minus) / (2 * steps[:, None])

    compiled = jax.jit(run)
    return lambda *args: [np.asarray(x) for x in compiled(*args)]


def _assert_close(what: str, autodiff: Any, fd: Any, scale: Any) -> None:
    autodiff, fd = np.asarray(autodiff, float), np.asarray(fd, float)
    assert np.all(np.isfinite(autodiff)), f"{what}: non-finite gradient {autodiff}"
    err = np.abs(autodiff - fd)
    tol = RTOL * np.abs(fd) + ATOL * max(1.0, float(np.max(np.abs(scale), initial=0.0)))
    worst = int(np.argmax(err - tol))
    assert np.all(err <= tol), (
        f"{what}: autodiff {autodiff.ravel()[worst]!r} vs finite differences "
        f"{fd.ravel()[worst]!r} (entry {worst}; all: {autodiff.ravel()} vs {fd.ravel()})"
    )


# -- distributions -------------------------------------------------------------------------------
@dataclass
class DistCase:
    """Constant parameters (as given to ``.dist``) and interior values of the variable."""

    kwargs: dict[str, Any]
    values: list[Any]
    fixed: tuple[str, ...] = ()  # integer-valued parameters: not differentiated
    # Perturbations of the value that stay on its support (default: each coordinate).
    value_directions: np.ndarray | None = None


def _spd(k: int, seed: int) -> np.ndarray:
    a = np.random.default_rng(seed).normal(size=(k, k))
    return a @ a.T + k * np.eye(k)


def _simplex_tangent(k: int) -> np.ndarray:
    """e_i - e_k (i < k): moves along the simplex."""
    return np.eye(k)[:-1] - np.eye(k)[-1]


DIST_CASES: dict[str, list[DistCase]] = {
    # continuous
    "Normal": [DistCase(dict(mu=0.3, sigma=1.7), [-1.2, 0.4, 2.5])],
    "HalfNormal": [DistCase(dict(sigma=1.3), [0.2, 1.1, 3.0])],
    "TruncatedNormal": [
        DistCase(dict(mu=0.5, sigma=1.2, lower=-1.0, upper=2.5), [-0.7, 0.6, 2.2]),
        DistCase(dict(mu=0.5, sigma=1.2, lower=-1.0), [-0.5, 3.0]),  # upper = inf
        DistCase(dict(mu=-0.3, sigma=0.7, upper=0.4), [-2.0, 0.1]),  # lower = -inf
        DistCase(dict(mu=0.0, sigma=1.0, lower=3.0, upper=6.0), [3.2, 4.5]),  # upper tail
    ],
    "StudentT": [DistCase(dict(nu=4.5, mu=-0.2, sigma=1.5), [-3.0, 0.1, 2.0])],
    "HalfStudentT": [DistCase(dict(nu=3.5, sigma=1.2), [0.3, 1.5, 4.0])],
    "Cauchy": [DistCase(dict(alpha=0.5, beta=1.5), [-2.0, 0.7, 5.0])],
    "HalfCauchy": [DistCase(dict(beta=1.3), [0.2, 1.0, 6.0])],
    "Exponential": [DistCase(dict(lam=1.7), [0.1, 0.8, 3.0])],
    "Gamma": [DistCase(dict(alpha=2.5, beta=1.3), [0.3, 1.5, 4.0])],
    "InverseGamma": [DistCase(dict(alpha=3.0, beta=2.0), [0.4, 1.0, 3.0])],
    "Beta": [DistCase(dict(alpha=2.5, beta=1.5), [0.1, 0.5, 0.9])],
    "Uniform": [DistCase(dict(lower=-1.0, upper=2.5), [-0.5, 0.5, 2.0])],
    "LogNormal": [DistCase(dict(mu=0.2, sigma=0.8), [0.3, 1.2, 4.0])],
    "Laplace": [DistCase(dict(mu=0.3, b=1.2), [-1.0, 0.9, 2.5])],  # away from the kink
    "Logistic": [DistCase(dict(mu=0.3, s=1.2), [-2.0, 0.5, 30.0])],
    "Weibull": [DistCase(dict(alpha=1.7, beta=2.0), [0.3, 1.5, 4.0])],
    "ChiSquared": [DistCase(dict(nu=3.5), [0.5, 2.0, 6.0])],
    "VonMises": [DistCase(dict(mu=0.4, kappa=2.5), [-2.5, 0.1, 3.0])],
    "SkewNormal": [
        DistCase(dict(mu=0.2, sigma=1.3, alpha=-2.0), [-3.0, 0.1, 2.0]),
        DistCase(dict(mu=0.0, sigma=1.0, alpha=4.0), [-2.0, 1.0]),  # log Phi's left tail
    ],
    "Flat": [DistCase({}, [-1.0, 2.0])],
    "HalfFlat": [DistCase({}, [0.5, 3.0])],
    "AsymmetricLaplace": [DistCase(dict(b=1.5, kappa=0.7, mu=0.3), [-1.0, 1.2])],
    "Gumbel": [DistCase(dict(mu=0.5, beta=2.0), [-1.0, 0.7, 5.0])],
    "Moyal": [DistCase(dict(mu=0.5, sigma=2.0), [-1.0, 0.7, 5.0])],
    "ExGaussian": [DistCase(dict(mu=0.5, sigma=1.5, nu=2.0), [-1.0, 0.7, 5.0])],
    "SkewStudentT": [DistCase(dict(a=2.0, b=3.0, mu=0.5, sigma=1.5), [-3.0, 0.7, 5.0])],
    "Kumaraswamy": [DistCase(dict(a=2.0, b=3.0), [0.1, 0.5, 0.9])],
    "LogitNormal": [DistCase(dict(mu=0.3, sigma=0.8), [0.1, 0.5, 0.9])],
    "Triangular": [DistCase(dict(lower=-1.0, c=0.5, upper=2.0), [-0.5, 1.0])],
    "Pareto": [DistCase(dict(alpha=2.5, m=1.5), [1.7, 4.0])],
    "Wald": [DistCase(dict(mu=1.5, lam=2.0, alpha=0.2), [0.5, 1.0, 4.0])],
    "Rice": [DistCase(dict(nu=1.5, sigma=0.8), [0.3, 1.5, 3.0])],
    # discrete: parameters only
    "Bernoulli": [DistCase(dict(p=0.3), [0, 1])],
    "Binomial": [DistCase(dict(n=10, p=0.35), [0, 3, 10], fixed=("n",))],
    "BetaBinomial": [DistCase(dict(alpha=2.5, beta=1.5, n=8), [0, 3, 8], fixed=("n",))],
    "Poisson": [DistCase(dict(mu=3.5), [0, 2, 7])],
    "NegativeBinomial": [DistCase(dict(mu=3.5, alpha=2.0), [0, 2, 9])],
    "Geometric": [DistCase(dict(p=0.3), [1, 2, 6])],
    "Categorical": [DistCase(dict(p=np.array([0.2, 0.5, 0.3])), [0, 1, 2])],
    # Only integer parameters: the row says so (nothing to differentiate).
    "DiscreteUniform": [DistCase(dict(lower=-2, upper=5), [-2, 0, 5], fixed=("lower", "upper"))],
    "ZeroInflatedPoisson": [DistCase(dict(psi=0.7, mu=2.5), [0, 1, 4])],
    "OrderedLogistic": [
        DistCase(dict(eta=0.3, cutpoints=np.array([-1.0, 0.5, 2.0])), [0, 1, 2, 3])
    ],
    "DiracDelta": [DistCase(dict(c=3), [3], fixed=("c",))],
    "DiscreteWeibull": [DistCase(dict(q=0.6, beta=1.3), [0, 2, 5])],
    "HyperGeometric": [DistCase(dict(N=20, k=7, n=12), [1, 4, 7], fixed=("N", "k", "n"))],
    "OrderedProbit": [
        DistCase(dict(eta=0.3, cutpoints=np.array([-1.0, 0.5, 2.0]), sigma=1.2), [0, 1, 2, 3])
    ],
    # multivariate
    "MvNormal": [
        DistCase(
            dict(mu=np.array([0.1, -0.3, 0.5]), cov=_spd(3, 0)),
            [np.array([0.5, -1.0, 2.0]), np.array([-2.0, 0.3, 0.0])],
        )
    ],
    "MvStudentT": [
        DistCase(
            dict(nu=5.0, mu=np.array([0.1, -0.3, 0.5]), scale=_spd(3, 1)),
            [np.array([0.5, -1.0, 2.0]), np.array([-2.0, 0.3, 0.0])],
        )
    ],
    "Dirichlet": [
        DistCase(
            dict(a=np.array([1.5, 2.0, 3.5])),
            [np.array([0.2, 0.3, 0.5]), np.array([0.6, 0.1, 0.3])],
            value_directions=_simplex_tangent(3),
        )
    ],
    "Multinomial": [
        DistCase(
            dict(n=7, p=np.array([0.2, 0.5, 0.3])),
            [np.array([2, 4, 1]), np.array([0, 7, 0])],
            fixed=("n",),
        )
    ],
    "LKJCorr": [
        DistCase(
            dict(n=3, eta=1.8),
            [np.array([0.3, -0.2, 0.1]), np.array([-0.5, 0.4, 0.2])],
        )
    ],
    "LKJCholeskyCov": [
        DistCase(
            dict(eta=2.0, n=3, sd_dist=pm.Exponential.dist(1.5)),
            [np.array([1.2, 0.3, 0.9, -0.4, 0.2, 1.1]), np.array([0.5, -0.8, 2.0, 0.1, 0.3, 0.4])],
        ),
        DistCase(
            dict(eta=0.7, n=2, sd_dist=pm.HalfNormal.dist(np.array([1.0, 2.5]))),
            [np.array([0.8, -0.3, 1.4])],
        ),
    ],
    # mixtures and wrappers (the parameters of their components are differentiated too)
    "Mixture": [
        DistCase(
            dict(
                w=np.array([0.3, 0.7]),
                comp_dists=[pm.Normal.dist(0.0, 1.0), pm.Gamma.dist(2.0, 1.0)],
            ),
            [0.5, 2.0],
            fixed=("w",),  # on the simplex: held fixed
        ),
        DistCase(
            dict(w=np.array([0.4, 0.6]), comp_dists=pm.Poisson.dist(np.array([1.0, 4.0]))),
            [0, 3],
            fixed=("w",),
        ),
    ],
    "NormalMixture": [
        DistCase(
            dict(w=np.array([0.2, 0.8]), mu=np.array([-1.0, 2.0]), sigma=np.array([0.5, 1.5])),
            [-1.5, 0.4, 3.0],
            fixed=("w",),
        )
    ],
    "ZeroInflatedBinomial": [DistCase(dict(psi=0.7, n=10, p=0.35), [0, 3, 10], fixed=("n",))],
    "ZeroInflatedNegativeBinomial": [DistCase(dict(psi=0.7, mu=3.5, alpha=2.0), [0, 2, 9])],
    "HurdlePoisson": [DistCase(dict(psi=0.7, mu=2.5), [0, 1, 4])],
    "HurdleNegativeBinomial": [DistCase(dict(psi=0.7, mu=3.5, alpha=2.0), [0, 2, 9])],
    "HurdleGamma": [DistCase(dict(psi=0.7, alpha=2.0, beta=1.5), [0.4, 2.0])],
    "HurdleLogNormal": [DistCase(dict(psi=0.7, mu=0.2, sigma=0.8), [0.4, 2.0])],
    "Censored": [
        DistCase(dict(dist=pm.Normal.dist(0.3, 1.2), lower=-1.0, upper=2.0), [-0.5, 1.0]),
        DistCase(
            dict(dist=pm.Poisson.dist(3.0), lower=1, upper=6), [1, 3, 6], fixed=("lower", "upper")
        ),
    ],
    "Truncated": [
        DistCase(dict(dist=pm.Normal.dist(0.3, 1.2), lower=-1.0, upper=2.0), [-0.5, 1.0]),
        DistCase(dict(dist=pm.Gamma.dist(2.0, 1.5), upper=3.0), [0.5, 2.0]),
        DistCase(
            dict(dist=pm.Poisson.dist(3.0), lower=1, upper=6), [1, 3, 6], fixed=("lower", "upper")
        ),
    ],
    # time series
    "RandomWalk": [
        DistCase(
            dict(
                init_dist=pm.Normal.dist(0.0, 2.0),
                innovation_dist=pm.StudentT.dist(4.0, 0.1, 0.5),
                steps=3,
            ),
            [np.array([0.3, 0.1, 0.8, 0.4])],
        )
    ],
    "GaussianRandomWalk": [
        DistCase(
            dict(mu=0.2, sigma=0.7, init_dist=pm.Normal.dist(0.0, 2.0), steps=3),
            [np.array([0.3, 0.1, 0.8, 0.4])],
        )
    ],
    "MvGaussianRandomWalk": [
        DistCase(
            dict(mu=np.array([0.1, -0.2]), cov=_spd(2, 3), steps=2),
            [np.array([[0.3, 0.1], [0.8, 0.4], [-0.2, 1.0]])],
        )
    ],
    "MvStudentTRandomWalk": [
        DistCase(
            dict(nu=5.0, mu=np.array([0.1, -0.2]), scale=_spd(2, 4), steps=2),
            [np.array([[0.3, 0.1], [0.8, 0.4], [-0.2, 1.0]])],
        )
    ],
    "AR": [
        DistCase(
            dict(rho=np.array([0.5, -0.2]), sigma=0.8, init_dist=pm.Normal.dist(0.0, 2.0), steps=3),
            [np.array([0.3, 0.1, 0.8, 0.4, -0.1])],
        ),
        DistCase(
            dict(rho=np.array([0.4, 0.6]), sigma=0.8, constant=True, steps=2),
            [np.array([0.3, 0.1, 0.8])],
        ),
    ],
    "ZeroSumNormal": [
        DistCase(
            dict(sigma=1.3, shape=(3,)),
            [np.array([0.5, -0.2, -0.3])],
            value_directions=np.array([[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]]),
        )
    ],
}

_W4 = np.array([[0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0.0]])
_SYM2 = np.array([[1.0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1]])  # symmetric 2 x 2 moves

DIST_CASES.update(
    {
        "DirichletMultinomial": [
            DistCase(dict(n=6, a=np.array([1.5, 2.0, 0.7])), [np.array([2, 3, 1])], fixed=("n",))
        ],
        "OrderedMultinomial": [
            DistCase(
                dict(eta=0.3, cutpoints=np.array([-1.0, 0.5]), n=5),
                [np.array([1, 2, 2])],
                fixed=("n",),
            )
        ],
        "StickBreakingWeights": [
            DistCase(
                dict(alpha=2.0, K=3),
                [np.array([0.3, 0.2, 0.1, 0.4])],
                value_directions=_simplex_tangent(4),
            )
        ],
        "Wishart": [
            DistCase(
                dict(nu=5.0, V=np.array([[2.0, 0.3], [0.3, 1.0]])),
                [np.array([[8.0, 1.0], [1.0, 4.0]])],
                fixed=("V",),  # symmetric: moved together below is not supported for params
                value_directions=_SYM2,
            )
        ],
        "MatrixNormal": [
            DistCase(
                dict(mu=np.zeros((3, 2)), rowcov=_spd(3, 5), colcov=_spd(2, 6)),
                [np.arange(6.0).reshape(3, 2) / 5],
            )
        ],
        "KroneckerNormal": [
            DistCase(
                dict(mu=np.zeros(4), covs=[_spd(2, 7), _spd(2, 8)], sigma=0.5),
                [np.array([0.3, -0.2, 0.5, 1.0])],
            )
        ],
        "CAR": [
            DistCase(
                dict(mu=np.zeros(4), W=_W4, alpha=0.7, tau=2.0),
                [np.array([0.3, -0.2, 0.5, 1.0])],
                fixed=("W",),
            )
        ],
        "ICAR": [
            DistCase(dict(W=_W4, sigma=1.3), [np.array([0.3, -0.2, 0.1, -0.2])], fixed=("W",))
        ],
        "Interpolated": [
            DistCase(
                dict(
                    x_points=np.array([0.0, 1.0, 2.5, 4.0]),
                    pdf_points=np.array([0.2, 1.0, 0.5, 0.1]),
                ),
                [0.5, 1.7, 3.0],
                fixed=("x_points",),
            )
        ],
        "GARCH11": [
            DistCase(
                dict(omega=0.1, alpha_1=0.2, beta_1=0.7, initial_vol=0.5, steps=3),
                [np.array([0.3, -0.2, 0.5, 0.1])],
            )
        ],
        "EulerMaruyama": [
            DistCase(
                dict(
                    dt=0.1,
                    sde_fn=lambda x, k: (-k * x, 0.5),
                    sde_pars=[1.5],
                    init_dist=pm.Normal.dist(0.0, 1.0),
                    steps=3,
                ),
                [np.array([0.3, 0.2, 0.25, 0.1])],
            )
        ],
    }
)

# Distributions deliberately left out, each with its reason.
DIST_SKIP: dict[str, str] = {
    "CustomDist": "user-defined log-density: tested in test_wrappers.py",
    "DensityDist": "an alias of CustomDist",
    "Lognormal": "an alias of LogNormal",
}

_BASES = {dists.Distribution, dists.Continuous, dists.Discrete}
DIST_NAMES = [
    name
    for name in dists.__all__
    if inspect.isclass(getattr(dists, name))
    and issubclass(getattr(dists, name), dists.Distribution)
    and getattr(dists, name) not in _BASES
]


def _dist_fns(cls: type, case: DistCase) -> tuple[Any, dict[str, np.ndarray]]:
    """The bound distribution and its canonical parameters (float arrays)."""
    node = cls.dist(**case.kwargs)
    inst = node.distribution
    params = {}
    for k, v in inst.params.items():
        assert not isinstance(v, pm.TensorVariable), f"{cls.__name__}: parameter {k} is a node"
        params[k] = np.asarray(v, float)
    return inst, params


def _dist_checker(cls: type, case: DistCase) -> tuple[Callable[..., Any], list[str]]:
    """The compiled check of one row: ``run(value) -> (logp, autodiff, fd)``, the last two
    along each direction, and the name of the leaf each direction moves."""
    inst, params = _dist_fns(cls, case)
    free = [k for k, x in params.items() if k not in case.fixed and np.all(np.isfinite(x))]
    const = {k: x for k, x in params.items() if k not in free}
    value_shape = np.shape(case.values[0])
    layout: list[tuple[str, tuple[int, ...]]] = [(k, params[k].shape) for k in free]
    if not inst.discrete:
        layout = [("value", value_shape), *layout]

    def unflatten(theta: Any) -> dict[str, Any]:
        out, i = {}, 0
        for k, shape in layout:
            size = int(np.prod(shape, dtype=int))
            out[k] = jnp.reshape(theta[i : i + size], shape)
            i += size
        return out

    def logp(theta: Any, value: Any) -> Any:
        leaves = unflatten(theta)
        v = leaves.pop("value", value)
        return jnp.sum(inst.checked_logp(v, {**const, **leaves}))

    check = _grad_checker(logp)

    def run(value: Any) -> Any:
        value = np.asarray(value, float)
        blocks = [(value if k == "value" else params[k]) for k, _ in layout]
        theta = np.concatenate([np.ravel(x) for x in blocks]) if blocks else np.zeros(0)
        dirs, steps = _block_diag(
            [
                _directions(x, case.value_directions if k == "value" else None)
                for (k, _), x in zip(layout, blocks)
            ]
        )
        return check(theta, value, dirs, steps)

    labels: list[str] = []
    for k, shape in layout:
        m = (
            len(case.value_directions)
            if k == "value" and case.value_directions is not None
            else (int(np.prod(shape, dtype=int)))
        )
        labels += [f"d/d {k}"] * m
    return run, labels


@pytest.mark.parametrize("name", DIST_NAMES)
def test_distribution_gradient(name):
    if name in DIST_SKIP:
        pytest.skip(DIST_SKIP[name])
    if name not in DIST_CASES:
        pytest.fail(
            f"{name} has no row in DIST_CASES of {__file__}: add valid parameters and "
            "interior values (or an entry with a reason in DIST_SKIP)"
        )
    cls = getattr(dists, name)
    for case in DIST_CASES[name]:
        run, labels = _dist_checker(cls, case)
        for value in case.values:
            where = f"{name}({case.kwargs}) at {np.asarray(value)}"
            f0, autodiff, fd = run(value)
            assert np.isfinite(f0), f"{where}: log-density {f0} at an interior point"
            for label in dict.fromkeys(labels):
                idx = [i for i, lab in enumerate(labels) if lab == label]
                _assert_close(f"{where}: {label}", autodiff[idx], fd[idx], f0)


def test_tables_name_only_existing_things():
    """Rows for distributions or transforms that no longer exist, and ``fixed`` entries that
    name no parameter, would silently test nothing."""
    assert set(DIST_CASES) | set(DIST_SKIP) <= set(DIST_NAMES)
    assert set(TRANSFORM_CASES) | set(TRANSFORM_SKIP) <= set(TRANSFORM_NAMES)
    for name, cases in DIST_CASES.items():
        for case in cases:
            _, params = _dist_fns(getattr(dists, name), case)
            assert set(case.fixed) <= set(params), (name, case.fixed, sorted(params))


# -- transforms ----------------------------------------------------------------------------------
@dataclass
class TransformCase:
    transform: tr.Transform
    ys: list[Any]  # unconstrained values
    args: tuple[Any, ...] = field(default_factory=tuple)  # values of the transform's inputs


_rng = np.random.default_rng(7)

TRANSFORM_CASES: dict[str, list[TransformCase]] = {
    "LogTransform": [TransformCase(tr.log, [np.array([-1.3, 0.2, 2.0])])],
    "LogOddsTransform": [TransformCase(tr.logodds, [np.array([-4.0, 0.3, 2.5])])],
    "IntervalTransform": [
        TransformCase(tr.Interval(-1.0, 3.0), [np.array([-2.0, 0.1, 3.0])], (-1.0, 3.0)),
        TransformCase(
            tr.Interval(np.zeros(2), np.ones(2)),
            [np.array([0.4, -1.5])],
            (np.array([0.0, -2.0]), np.array([1.0, 2.0])),
        ),
    ],
    "LowerBoundTransform": [
        TransformCase(tr.LowerBound(2.0), [np.array([-1.0, 0.5, 1.7])], (2.0,))
    ],
    "UpperBoundTransform": [
        TransformCase(tr.UpperBound(-1.0), [np.array([-1.0, 0.5, 1.7])], (-1.0,))
    ],
    "SimplexTransform": [TransformCase(tr.simplex, [np.array([0.3, -1.2, 0.8])])],
    "OrderedTransform": [TransformCase(tr.ordered, [np.array([-0.5, 0.3, -1.0, 0.6])])],
    "CholeskyCorrTransform": [
        TransformCase(tr.CholeskyCorrTransform(3), [_rng.normal(size=3)]),
        TransformCase(tr.CholeskyCorrTransform(4), [0.7 * _rng.normal(size=6)]),
    ],
    "LKJCorrTransform": [
        TransformCase(tr.LKJCorrTransform(3), [_rng.normal(size=3)]),
        TransformCase(tr.LKJCorrTransform(4), [0.7 * _rng.normal(size=6)]),
    ],
    "ChainedTransform": [
        TransformCase(tr.Chain([tr.log, tr.ordered]), [np.array([-0.5, 0.3, -1.0])]),
        TransformCase(
            tr.Chain([tr.Interval(-1.0, 4.0), tr.ordered]), [np.array([0.2, -0.4])], (-1.0, 4.0)
        ),
    ],
    "LogExpM1Transform": [TransformCase(tr.log_exp_m1, [np.array([-3.0, 0.2, 5.0])])],
    "SumTo1Transform": [TransformCase(tr.sum_to_1, [np.array([0.2, 0.3])])],
    "ZeroSumTransform": [
        TransformCase(tr.ZeroSumTransform([-1]), [np.array([0.3, -1.2, 0.8])]),
        TransformCase(tr.ZeroSumTransform([-2, -1]), [_rng.normal(size=(2, 3))]),
    ],
    "CholeskyCovPackedTransform": [
        TransformCase(tr.CholeskyCovPackedTransform(3), [_rng.normal(size=6)])
    ],
}

TRANSFORM_SKIP: dict[str, str] = {}

TRANSFORM_NAMES = [
    name
    for name in tr.__all__
    if inspect.isclass(getattr(tr, name))
    and issubclass(getattr(tr, name), tr.Transform)
    and getattr(tr, name) is not tr.Transform
]


@pytest.mark.parametrize("name", TRANSFORM_NAMES)
def test_transform_gradient(name):
    if name in TRANSFORM_SKIP:
        pytest.skip(TRANSFORM_SKIP[name])
    if name not in TRANSFORM_CASES:
        pytest.fail(
            f"{name} has no row in TRANSFORM_CASES of {__file__}: add unconstrained values "
            "(or an entry with a reason in TRANSFORM_SKIP)"
        )
    for case in TRANSFORM_CASES[name]:
        t = case.transform
        assert type(t).__name__ == name
        args = [np.asarray(a, float) for a in case.args]
        y_shape = np.shape(case.ys[0])
        shapes = [y_shape] + [a.shape for a in args]
        sizes = [int(np.prod(s_, dtype=int)) for s_ in shapes]
        cuts = np.cumsum(sizes)[:-1]

        def split(theta: Any, shapes: list = shapes, cuts: Any = cuts) -> list[Any]:
            return [jnp.reshape(p, s_) for p, s_ in zip(jnp.split(theta, cuts), shapes)]

        def log_jac_det(theta: Any, aux: Any, t: Any = t, split: Any = split) -> Any:
            y, *a = split(theta)
            return jnp.sum(t.log_jac_det(y, *a))

        def backward(theta: Any, t: Any = t, split: Any = split) -> Any:
            y, *a = split(theta)
            return jnp.ravel(t.backward(y, *a))

        check_ljd = _grad_checker(log_jac_det)
        check_bwd = _jacobian_checker(backward)
        labels = [lab for i, n in enumerate(sizes) for lab in [f"input {i - 1}" if i else "y"] * n]
        for y in case.ys:
            theta = np.concatenate([np.ravel(y)] + [np.ravel(a) for a in args])
            dirs, steps = _directions(theta)
            where = f"{t!r} at y={np.asarray(y)}, inputs {case.args}"
            f0, autodiff, fd = check_ljd(theta, None, dirs, steps)
            out, jac, fd_jac = check_bwd(theta, dirs, steps)
            for label in dict.fromkeys(labels):
                idx = [i for i, lab in enumerate(labels) if lab == label]
                _assert_close(f"{where}: d log_jac_det / d {label}", autodiff[idx], fd[idx], f0)
                _assert_close(f"{where}: d backward / d {label}", jac[idx], fd_jac[idx], out)


# -- the model's log-density ---------------------------------------------------------------------
def test_model_logdensity_and_grad():
    """Log, logodds, interval (with a random bound), lower bound, simplex, ordered, LKJ and
    packed-Cholesky transforms in one model, with observed data."""
    rng = np.random.default_rng(3)
    with pm.Model() as model:
        sigma = pm.HalfNormal("sigma", 1.5)
        p = pm.Beta("p", 2.0, 3.0)
        lo = pm.Normal("lo", 0.0, 1.0)
        u = pm.Uniform("u", lower=lo, upper=lo + 2.0)
        w = pm.Dirichlet("w", a=np.array([1.0, 2.0, 3.0]))
        t = pm.TruncatedNormal("t", mu=0.0, sigma=1.0, lower=-0.5)
        c = pm.Normal("c", 0.0, 2.0, shape=3, transform=tr.ordered, initval=[-1.0, 0.0, 1.0])
        corr = pm.LKJCorr("corr", n=3, eta=2.0)
        chol = pm.LKJCholeskyCov("chol", eta=1.5, n=2, sd_dist=pm.Exponential.dist(1.0))
        x = pm.Data("x", rng.normal(size=6))
        mean = u + t * x + c[0] * w[1] + corr[0] + chol[1]
        pm.Normal("y", mean, sigma, observed=rng.normal(size=6))
        pm.Bernoulli("k", p=p, observed=np.array([0, 1, 1, 0, 1]))
    cm = model.compiled()
    data = cm.data_values()
    assert {f.name for f in cm.free if f.transform is not None} == {
        "sigma",
        "p",
        "u",
        "w",
        "t",
        "c",
        "corr",
        "chol",
    }
    fd_check = _grad_checker(cm.logdensity, with_grad=False)
    theta0 = cm.to_theta(cm.initial_point())
    for k in range(3):
        theta = theta0 + 0.5 * np.random.default_rng(k).normal(size=cm.dim)
        value, grad = cm.logdensity_and_grad(theta, data)
        dirs, steps = _directions(theta)
        f0, _, fd = fd_check(theta, data, dirs, steps)
        assert np.isfinite(value) and np.isclose(float(value), float(f0), rtol=1e-12)
        _assert_close(f"logdensity_and_grad at theta={theta}", grad, fd, value)
