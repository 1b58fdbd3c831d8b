"""Each step method on a correlated Gaussian with known moments (through ``pm.sample(step=)``):
means and variances within 4 Monte Carlo standard errors, and each method's statistics."""

import numpy as np
import pytest

import credo as pm
from credo.sampling.step_methods import MultivariateNormalProposal
from tests.inference.mcse import ess

MEAN = np.array([1.0, -1.0])
SD = np.array([1.0, 2.0])
RHO = 0.8


def _gaussian():
    """(a, b) bivariate normal: a ~ N(1, 1), b | a ~ N(-1 + rho * 2 (a - 1), 2 sqrt(1 - rho^2))."""
    with pm.Model() as model:
        a = pm.Normal("a", MEAN[0], SD[0])
        pm.Normal("b", MEAN[1] + RHO * SD[1] / SD[0] * (a - MEAN[0]), SD[1] * np.sqrt(1 - RHO**2))
    return model


def _check(x, truth, what):
    x = np.asarray(x, float)
    mcse = x.std() / np.sqrt(ess(x))
    assert abs(x.mean() - truth) < 4 * mcse, f"{what}: {x.mean():.4g} vs {truth:.4g} ({mcse:.3g})"


STEPS = {
    "Metropolis": (lambda m: pm.Metropolis([m["a"], m["b"]]), ("accept", "accepted", "scaling")),
    "Metropolis-mvnormal": (
        lambda m: pm.Metropolis(
            S=np.array([[1.0, 1.6], [1.6, 4.0]]), proposal_dist=MultivariateNormalProposal
        ),
        ("accept", "accepted", "scaling"),
    ),
    "Slice": (lambda m: pm.Slice(), ("nstep_out", "nstep_in")),
    "DEMetropolisZ": (lambda m: pm.DEMetropolisZ(), ("accept", "accepted", "lambda", "scaling")),
    # With 2 chains, DEMetropolis draws its differences from each chain's past.
    "DEMetropolis": (lambda m: pm.DEMetropolis(), ("accept", "accepted", "lambda", "scaling")),
    "HamiltonianMC": (
        lambda m: pm.HamiltonianMC(),
        ("step_size", "n_steps", "accept", "accepted", "path_length", "diverging"),
    ),
    "NUTS+Metropolis": (
        lambda m: [pm.NUTS([m["a"]]), pm.Metropolis([m["b"]])],
        ("step_size", "tree_depth", "scaling", "accepted"),
    ),
}


@pytest.mark.parametrize("name", list(STEPS))
def test_correlated_gaussian(name):
    make, stat_names = STEPS[name]
    model = _gaussian()
    with model:
        idata = pm.sample(
            2000, tune=1000, chains=2, random_seed=21, step=make(model), progressbar=False
        )
    _check_moments(idata, name, stat_names)


@pytest.mark.slow
def test_demetropolis_population_of_chains():
    """8 chains in one program, each proposing from two chains of the other half."""
    model = _gaussian()
    with model:
        idata = pm.sample(
            1500, tune=1000, chains=8, random_seed=22, step=pm.DEMetropolis(), progressbar=False
        )
    _check_moments(idata, "DEMetropolis", ("accept", "accepted", "lambda", "scaling"))
    assert idata["sample_stats"]["accepted"].dtype == bool


def _check_moments(idata, name, stat_names):
    post = idata["posterior"]
    a, b = post["a"].values, post["b"].values
    for x, m, s, label in ((a, MEAN[0], SD[0], "a"), (b, MEAN[1], SD[1], "b")):
        _check(x, m, f"{name} mean {label}")
        _check((x - m) ** 2, s**2, f"{name} variance {label}")
    _check((a - MEAN[0]) * (b - MEAN[1]), RHO * SD[0] * SD[1], f"{name} covariance")
    stats = idata["sample_stats"]
    for stat in stat_names:
        assert stat in stats, stat
    if "nstep_out" in stats:
        assert stats["nstep_out"].dtype == np.int64
    if name == "DEMetropolisZ":
        assert stats["accepted"].dtype == bool
        # Scaling was tuned away from its start during warm-up, then frozen.
        assert np.all(stats["scaling"].values != 0.001)
        assert np.all(stats["scaling"].values == stats["scaling"].values[:, :1])


def test_metropolis_scaling_schedule():
    from credo.inference.metropolis import tune_scale

    rates = np.array([0.0005, 0.01, 0.1, 0.3, 0.6, 0.8, 0.99])
    np.testing.assert_allclose(
        np.asarray(tune_scale(np.ones(7), rates)), [0.1, 0.5, 0.9, 1.0, 1.1, 2.0, 10.0]
    )
