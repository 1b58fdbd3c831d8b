"""run_chains: compilation cache, interrupts, reproducibility, chain methods, progress."""

import pathlib

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import credo.inference  # noqa: E402
from credo.errors import SamplingError  # noqa: E402
from credo.inference import run_chains  # noqa: E402
from credo.inference.runner import STAT_NAMES  # noqa: E402

TRACES = {"count": 0}


def _counted(x, data):
    # Python runs this only while JAX traces it.
    TRACES["count"] += 1
    return -0.5 * jnp.sum(((x - data["mean"]) / data["scale"]) ** 2)


def _normal(x, data):
    return -0.5 * jnp.sum(x**2)


def test_compiled_once_per_settings():
    data = {"mean": np.zeros(3), "scale": np.ones(3)}
    start = np.zeros((2, 3))
    TRACES["count"] = 0
    first = run_chains(_counted, start, 0, data=data, num_tune=200, num_draws=200)
    # One trace of the log-density (and its gradient) for the whole program, and one for
    # the initial points' evaluation (``sample`` gets that from its start search).
    assert TRACES["count"] == 2
    assert first.compile_seconds > 0
    # New data values, seed, target and warmup length: nothing is traced or compiled again.
    data2 = {"mean": np.full(3, 5.0), "scale": np.full(3, 2.0)}
    second = run_chains(
        _counted, start, 1, data=data2, num_tune=150, num_draws=250, target_accept=0.9
    )
    assert TRACES["count"] == 2
    assert second.compile_seconds == 0.0
    assert abs(second.positions.mean() - 5.0) < 0.5
    # Another chain method compiles its own program.
    run_chains(
        _counted, start, 1, data=data, num_tune=200, num_draws=200, chain_method="vectorized"
    )
    assert TRACES["count"] == 3


def test_result_shapes_and_stats():
    result = run_chains(_normal, np.zeros((3, 2)), 5, num_tune=60, num_draws=40)
    assert result.positions.shape == (3, 40, 2)
    assert result.tuning_positions.shape == (3, 60, 2)
    assert result.positions.dtype == np.float64
    assert set(result.stats) == set(STAT_NAMES) == set(result.tuning_stats)
    for name in STAT_NAMES:
        assert result.stats[name].shape == (3, 40)
        assert result.tuning_stats[name].shape == (3, 60)
    assert result.stats["diverging"].dtype == bool
    assert result.stats["tree_depth"].dtype == np.int64
    assert np.all(result.stats["n_steps"] >= 1)
    # After warmup the step size is fixed: the final one, step_size_bar's last value.
    np.testing.assert_allclose(
        result.stats["step_size"], np.repeat(result.step_size[:, None], 40, 1)
    )
    np.testing.assert_allclose(result.step_size, result.tuning_stats["step_size_bar"][:, -1])
    # The default (low-rank) metric is reported as a dense matrix; diagonal ones as vectors.
    assert result.inverse_mass_matrix.shape == (3, 2, 2)
    diag = run_chains(
        _normal, np.zeros((3, 2)), 5, num_tune=60, num_draws=4, adaptation="fisher_diag"
    )
    assert diag.inverse_mass_matrix.shape == (3, 2)
    assert not result.interrupted
    # lp is the log-density at the draw.
    np.testing.assert_allclose(
        result.stats["lp"], -0.5 * np.sum(result.positions**2, -1), rtol=1e-12
    )


def test_same_key_same_draws():
    a = run_chains(_normal, np.zeros((2, 2)), jax.random.PRNGKey(3), num_tune=50, num_draws=50)
    b = run_chains(_normal, np.zeros((2, 2)), jax.random.PRNGKey(3), num_tune=50, num_draws=50)
    c = run_chains(_normal, np.zeros((2, 2)), jax.random.PRNGKey(4), num_tune=50, num_draws=50)
    np.testing.assert_array_equal(a.positions, b.positions)
    for name in STAT_NAMES:
        np.testing.assert_array_equal(a.stats[name], b.stats[name])
    assert not np.array_equal(a.positions, c.positions)
    # Chains start from the same point but get their own keys.
    assert not np.array_equal(a.positions[0], a.positions[1])


def test_chain_methods_agree():
    kwargs = dict(num_tune=50, num_draws=30, chunk_size=16)
    start = np.random.default_rng(0).normal(size=(2, 3))
    out = {
        m: run_chains(_normal, start, 7, chain_method=m, **kwargs)
        for m in ("sequential", "parallel", "vectorized")
    }
    np.testing.assert_array_equal(out["sequential"].positions, out["parallel"].positions)
    # The batched program may round differently; the trajectories are the same here.
    np.testing.assert_allclose(out["vectorized"].positions, out["parallel"].positions, atol=1e-8)


def test_progress_and_interrupt():
    calls = []

    def progress(info):
        calls.append(dict(info))
        if len(calls) == 2:
            raise KeyboardInterrupt

    result = run_chains(
        _normal,
        np.zeros((2, 2)),
        0,
        num_tune=20,
        num_draws=100,
        chunk_size=16,
        progress_callback=progress,
    )
    assert result.interrupted
    assert len(calls) == 2
    assert [c["iteration"] for c in calls] == [16, 32]
    assert calls[0]["tuning"] and not calls[1]["tuning"]
    assert calls[1]["draws"] == 12 and calls[1]["total"] == 120
    for key in ("divergences", "step_size", "iterations_per_second", "num_draws", "num_tune"):
        assert key in calls[1]
    # The draws made before the interrupt are kept.
    assert result.tuning_positions.shape == (2, 20, 2)
    assert result.positions.shape == (2, 12, 2)
    assert result.stats["lp"].shape == (2, 12)


def test_progress_counts_divergences():
    def cliff(x, data):
        return -0.5 * jnp.sum(x**2) - 1e8 * jnp.sum(jnp.maximum(x - 0.5, 0.0) ** 2)

    calls = []
    result = run_chains(
        cliff, np.zeros((2, 2)), 1, num_tune=50, num_draws=100, progress_callback=calls.append
    )
    assert calls[-1]["iteration"] == 150 and calls[-1]["draws"] == 100
    assert calls[-1]["divergences"] == int(result.stats["diverging"].sum()) > 0


def test_bad_initial_point():
    def ld(x, data):
        return jnp.where(x[0] > 0, -0.5 * jnp.sum(x**2), -jnp.inf)

    with pytest.raises(SamplingError, match=r"chains \[1\]"):
        run_chains(ld, np.array([[1.0, 0.0], [-1.0, 0.0]]), 0, num_tune=10, num_draws=10)


_DEVICES_SCRIPT = """
import jax, jax.numpy as jnp, numpy as np
jax.config.update("jax_enable_x64", True)
from credo.inference import run_chains

def ld(x, data):
    return -0.5 * jnp.sum((x / data) ** 2)

data = np.array([1.0, 2.0])
out = {}
for m in ("parallel", "sequential", "vectorized"):
    r = run_chains(ld, np.zeros((2, 2)), 3, data=data, chain_method=m, num_tune=30, num_draws=20)
    out[m] = r
    print(m, r.chain_method)
np.testing.assert_array_equal(out["parallel"].positions, out["sequential"].positions)
np.testing.assert_allclose(out["vectorized"].positions, out["sequential"].positions, atol=1e-8)
"""


def test_chains_split_over_devices():
    import os
    import subprocess
    import sys

    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2")
    root = pathlib.Path(credo.inference.__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-c", _DEVICES_SCRIPT],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "parallel parallel over 2 devices" in done.stdout
    assert "vectorized vectorized over 2 devices" in done.stdout
