"""The worked causal example (examples/causal_do.py) answers its questions by pm.do."""

import numpy as np
import pytest


@pytest.mark.slow
def test_setting_x_has_no_effect_on_y_although_regressions_say_otherwise():
    from examples.causal_do import run

    res = run(draws=300, tune=600, random_seed=2)
    fork, collider = res["fork"], res["collider"]
    # Regressions: y on x in the fork (about 2/3), y on x and z with the collider (-1.5).
    assert abs(fork["regression_slope_x"] - 2 / 3) < 0.01
    assert abs(collider["regression_slope_x"] + 1.5) < 0.05
    # Interventions: the effect's posterior covers 0 (x does not cause y) and is far
    # narrower than the regression's slope; under the collider y does not move at all.
    eff = fork["effect_of_do_x"]
    assert abs(eff.mean()) < 3 * eff.std() and eff.std() < 0.1
    np.testing.assert_allclose(collider["effect_of_do_x"], 0.0, atol=1e-12)
