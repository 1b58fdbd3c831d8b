import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from credo.inference import run_chains  # noqa: E402


def _normal(x, data):
    return -0.5 * jnp.sum(x**2)


def test_run_chains_smoke():
    result = run_chains(_normal, np.zeros((2, 3)), 0, num_tune=100, num_draws=100)
    assert result.positions.shape == (2, 100, 3)
    assert result.tuning_positions.shape == (2, 100, 3)
    assert set(result.stats) == set(result.tuning_stats)
    assert result.stats["lp"].shape == (2, 100)
    assert not result.interrupted
