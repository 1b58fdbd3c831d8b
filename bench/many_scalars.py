"""Compile time of the log-density as the number of scalar random variables grows.

A regression whose ``n`` coefficients are scalar variables created in a Python loop, each
with a prior on a shared scale, stacked into the coefficient vector: the pattern that took
147 s to compile at n = 1,000 when every variable had its own log-density term. For each n it
prints the seconds spent defining the model, tracing the log-density and its gradient to a
jaxpr, and compiling that with XLA, and the jaxpr's equation count (what XLA works through).

    python bench/many_scalars.py                  # n = 10, 30, 100, 300, 1000, 3000, 10000
    python bench/many_scalars.py 10 100 1000
    python bench/many_scalars.py --one-by-one 10 30 100   # without ScalarBlock, to compare
"""

from __future__ import annotations

import sys
import time

import jax
import numpy as np

import credo as pm
import credo.compile


def build(n: int, rows: int = 200):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, n))
    y = x @ rng.normal(size=n) + rng.normal(size=rows)
    with pm.Model() as model:
        tau = pm.HalfNormal("tau", 1.0)
        coefs = [pm.Normal(f"b{i}", 0.0, tau) for i in range(n)]
        beta = pm.math.stack(coefs)
        sigma = pm.Exponential("sigma", 1.0)
        pm.Normal("y", pm.math.dot(x, beta), sigma, observed=y)
    return model


def measure(n: int) -> dict[str, float]:
    t0 = time.perf_counter()
    model = build(n)
    t1 = time.perf_counter()
    cm = model.compiled()
    theta = np.zeros(cm.dim)
    data = cm.data_values()
    fn = jax.value_and_grad(cm.logdensity)
    jaxpr = jax.make_jaxpr(fn)(theta, data)
    t2 = time.perf_counter()
    lowered = jax.jit(fn).lower(theta, data)
    compiled = lowered.compile()
    t3 = time.perf_counter()
    lp, _ = compiled(theta, data)
    assert np.isfinite(lp)
    return {
        "n": n,
        "define_s": t1 - t0,
        "trace_s": t2 - t1,
        "compile_s": t3 - t2,
        "eqns": len(jaxpr.jaxpr.eqns),
    }


def main(argv: list[str]) -> None:
    if "--one-by-one" in argv:
        argv = [a for a in argv if a != "--one-by-one"]
        credo.compile.MIN_BLOCK = 10**9
    sizes = [int(a) for a in argv] or [10, 30, 100, 300, 1000, 3000, 10000]
    print(f"{'n':>6} {'define s':>9} {'trace s':>8} {'XLA s':>7} {'jaxpr eqns':>11}")
    for n in sizes:
        r = measure(n)
        print(
            f"{r['n']:>6} {r['define_s']:>9.2f} {r['trace_s']:>8.2f} {r['compile_s']:>7.2f} "
            f"{r['eqns']:>11}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
