"""Simulation-based calibration (Talts et al. 2018, arXiv:1804.06788) of compound sampling:
a model with latent Bernoulli labels, sampled by NUTS (the weight) and
BinaryGibbsMetropolis (the labels) in one loop.

As ``test_sbc.py``: prior draws of the parameters and data; per replication ``set_data``
and one chain (the compiled program reused), thinned to L draws; the rank of the prior
draw among them must be uniform on {0, ..., L} (chi-square over 10 bins, p > 0.001 for
each of the two tested quantities). The number of labels set, a discrete quantity, is
ranked with ties broken uniformly at random (Talts et al., section 4.2), which keeps the
rank uniform.

Power, measured: a label move whose acceptance test uses twice the log-density ratio (a
posterior sharpened by 2) gives the U-shaped counts [17, 10, 7, 9, 7, 6, 6, 11, 9, 18] for
the number of labels set, p = 0.055: visible, but 100 replications do not reject it. The
sharp checks of the label moves are the exact enumerations in ``tests/test_step_methods.py``;
this one guards the whole chain (prior, data, compiled conditional densities, both kernels)
against gross miscalibration.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import credo as pm

pytestmark = pytest.mark.slow

N_REPS = 100
L = 49  # thinned posterior draws: ranks take L + 1 = 50 values
BINS = 10
DRAWS = 500
TUNE = 300
ALPHA = 0.001


def _model() -> pm.Model:
    with pm.Model() as model:
        y = pm.Data("y", np.zeros(10))
        p = pm.Beta("p", 2.0, 2.0)
        z = pm.Bernoulli("z", p, shape=10)
        pm.Normal("obs", 2.0 * z - 1.0, 1.0, observed=y)
    return model


def _rank(draws: np.ndarray, truth: float, rng: np.random.Generator) -> int:
    below = int(np.sum(draws < truth))
    ties = int(np.sum(draws == truth))
    return below + int(rng.integers(0, ties + 1))


def test_sbc_latent_labels():
    model = _model()
    prior = pm.sample_prior_predictive(N_REPS, model=model, random_seed=2024)
    p_true = prior["prior"]["p"].values[0]
    k_true = prior["prior"]["z"].values[0].sum(-1)
    data = prior["prior_predictive"]["obs"].values[0]
    rng = np.random.default_rng(7)
    ranks = {"p": [], "sum(z)": []}
    compile_times = []
    keep = np.linspace(0, DRAWS - 1, L).round().astype(int)
    for i in range(N_REPS):
        pm.set_data({"y": data[i]}, model=model)
        idata = pm.sample(
            DRAWS,
            tune=TUNE,
            chains=1,
            random_seed=[11, i],
            progressbar=False,
            compute_convergence_checks=False,
            model=model,
        )
        compile_times.append(idata.attrs["compile_time"])
        post = idata["posterior"]
        ranks["p"].append(_rank(post["p"].values[0][keep], p_true[i], rng))
        k = post["z"].values[0].sum(-1)[keep]
        ranks["sum(z)"].append(_rank(k, k_true[i], rng))
    assert all(t == 0.0 for t in compile_times[1:]), "the compiled sampler was not reused"
    for name, r in ranks.items():
        counts = np.bincount(np.asarray(r) * BINS // (L + 1), minlength=BINS)
        pvalue = stats.chisquare(counts).pvalue
        assert pvalue > ALPHA, f"{name}: non-uniform ranks {counts.tolist()} (p = {pvalue:.2g})"
