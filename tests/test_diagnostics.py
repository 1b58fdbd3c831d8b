"""credo.diagnostics agrees with ArviZ's R-hat and bulk ESS."""

import numpy as np
import pytest
from arviz_stats.base import array_stats
from scipy.special import ndtri

from credo.diagnostics import _ndtri, ess_bulk, rhat


def test_inverse_normal_cdf():
    p = np.linspace(1e-9, 1 - 1e-9, 20001)
    np.testing.assert_allclose(_ndtri(p), ndtri(p), rtol=2e-9, atol=1e-9)


@pytest.mark.parametrize("case", range(5))
def test_rhat_and_ess_match_arviz(case):
    rng = np.random.default_rng(case)
    draws = [
        rng.normal(size=(2, 1000)),
        np.cumsum(rng.normal(size=(4, 500)), axis=1) * 0.1 + rng.normal(size=(4, 500)),
        rng.normal(size=(2, 800)) + np.array([[0.0], [0.4]]),
        np.round(rng.normal(size=(2, 300)), 1),
        rng.standard_cauchy(size=(3, 400)),
    ][case]
    want_r = array_stats.rhat(draws, chain_axis=0, draw_axis=1)
    want_e = array_stats.ess(draws, chain_axis=0, draw_axis=1, method="bulk")
    np.testing.assert_allclose(rhat(draws), want_r, rtol=1e-6)
    np.testing.assert_allclose(ess_bulk(draws), want_e, rtol=1e-6)
