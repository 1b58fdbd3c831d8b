"""credo.diagnostics: arviz-stats' R-hat and ESS, NaN where there is nothing to diagnose."""

import numpy as np
import pytest
from arviz_stats.base import array_stats

from credo.sampling.diagnostics import ess_bulk, ess_mean, preload, rhat


@pytest.mark.parametrize("case", range(3))
def test_rhat_and_ess_are_arviz_stats(case):
    rng = np.random.default_rng(case)
    draws = [
        rng.normal(size=(2, 1000)),
        np.cumsum(rng.normal(size=(4, 500)), axis=1) * 0.1 + rng.normal(size=(4, 500)),
        rng.standard_cauchy(size=(3, 400)),
    ][case]
    assert rhat(draws) == array_stats.rhat(draws, chain_axis=0, draw_axis=1)
    assert ess_bulk(draws) == array_stats.ess(draws, chain_axis=0, draw_axis=1, method="bulk")
    assert ess_mean(draws) == array_stats.ess(draws, chain_axis=0, draw_axis=1, method="mean")


def test_event_shapes_and_constant_draws():
    preload()
    rng = np.random.default_rng(0)
    draws = rng.normal(size=(2, 200, 3))
    draws[..., 1] = 0.5  # a structural constant: NaN, not a warning
    r, e = rhat(draws), ess_bulk(draws)
    assert r.shape == e.shape == (3,)
    assert np.isnan(r[1]) and np.isnan(e[1])
    assert r[0] == rhat(draws[..., 0]) and e[2] == ess_bulk(draws[..., 2])
