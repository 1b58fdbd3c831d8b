"""Ctrl-C stops a compilation at once, not when XLA finishes."""

import _thread
import threading
import time

import jax
import pytest

import credo as pm
from credo.inference.interrupt import interruptible


def test_interruptible_returns_and_raises():
    assert interruptible(lambda a, b=0: a + b, 2, b=3) == 5
    with pytest.raises(ZeroDivisionError):
        interruptible(lambda: 1 / 0)


def _deep_model(depth: int) -> pm.Model:
    # Each op of the chain is differentiated and unrolled into the NUTS program, so its
    # compilation takes seconds (about 1 s per 2 ops on a 2-core machine).
    with pm.Model() as m:
        x = pm.Normal("x", 0, 1, shape=3)
        acc = x
        for i in range(depth):
            acc = pm.math.sin(acc * 1.01 + x[i % 3])
        pm.Normal("y", acc.sum(), 1, observed=0.3)
    return m


@pytest.fixture
def no_persistent_cache():
    # A program found in the on-disk cache would skip the compilation this test interrupts.
    before = jax.config.jax_enable_compilation_cache
    jax.config.update("jax_enable_compilation_cache", False)
    yield
    jax.config.update("jax_enable_compilation_cache", before)


def test_ctrl_c_stops_compilation_promptly(no_persistent_cache):
    model = _deep_model(30)
    timer = threading.Timer(0.3, _thread.interrupt_main)
    start = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        pm.sample(draws=5, tune=5, chains=1, progressbar=False, model=model, random_seed=1)
    elapsed = time.perf_counter() - start
    timer.cancel()
    assert elapsed < 2.5, f"sample() returned {elapsed:.1f} s after the start (Ctrl-C at 0.3 s)"


def test_compile_time_includes_the_start_search():
    model = _deep_model(4)
    idata = pm.sample(draws=5, tune=5, chains=1, progressbar=False, model=model, random_seed=2)
    assert model.compiled().start_compile_seconds > 0
    assert idata.attrs["compile_time"] >= model.compiled().start_compile_seconds
