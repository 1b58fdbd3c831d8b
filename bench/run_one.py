"""Fit one benchmark model with one tool, in this (fresh) process, and report JSON.

    python bench/run_one.py TOOL MODEL [--draws 1000] [--tune 1000] [--chains 2] [--seed N]

TOOL is one of credo, pymc, nutpie, nutpie_lowrank, numpyro. credo runs in credo's ``.venv``;
the others in ``.venv-anchors`` (see ``bench/setup_anchors.sh``).

Reported (one JSON object, on the last stdout line after ``BENCH_RESULT``, and in ``--out``):

- ``wall_s``: model build to ArviZ DataTree, compilation included (imports excluded; they
  are in ``import_s``).
- ``sampling_s``: the sampler's own sampling time (initialisation, warmup and draws, no
  compilation). PyMC, nutpie and credo stamp it on the posterior (``sampling_time``); NumPyro's
  chains run through an ahead-of-time compiled ``pmap`` whose execution is timed
  (``anchor_numpyro.TimedPmap``). Should credo not stamp one, the estimate is wall time minus
  the JAX compile time reported by ``jax.monitoring``.
- ``compile_s``: compile time where it is measured (NumPyro: the AOT compile; credo: the sum
  of JAX's trace/lower/compile events).
- ``min_ess_bulk`` / ``min_ess_var``: the smallest rank-normalised bulk ESS over the scalar
  elements of the tutorial's posterior variables (``bench/data.py``), computed by
  ``bench/ess.py`` for every tool; ``ess_per_s`` is ``min_ess_bulk / wall_s``.
- ``max_rhat``, ``divergences`` (post-warmup).
- ``grad_warmup`` / ``grad_draws``: gradient evaluations (leapfrog steps, summed over chains)
  in warm-up and in the draws; ``ess_per_1000_grad``: ``min_ess_bulk`` per 1,000 of them,
  warm-up included (machine-independent). NumPyro's warm-up steps are not recorded (None).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

TOOLS = ("credo", "pymc", "nutpie", "nutpie_lowrank", "numpyro")


class Pending(Exception):
    """credo cannot sample yet (no ``credo.sample``)."""


class _JaxCompileTimer:
    """Sums JAX's trace/lower/compile durations, so compile time can be split from sampling."""

    EVENTS = (
        "/jax/core/compile/jaxpr_trace_duration",
        "/jax/core/compile/jaxpr_to_mlir_module_duration",
        "/jax/core/compile/backend_compile_duration",
    )

    def __init__(self):
        self.total = 0.0
        self.active = False
        try:
            import jax.monitoring as mon

            mon.register_event_duration_secs_listener(self._on_event)
            self.active = True
        except Exception:  # jax missing or too old: no estimate
            pass

    def _on_event(self, name, duration, **kwargs):
        if name in self.EVENTS:
            self.total += float(duration)


def _group(idata, name):
    try:
        return idata[name]
    except (KeyError, TypeError):
        return getattr(idata, name)


def _draws(posterior, names):
    out = {}
    for v in names:
        da = posterior[v]
        dims = ("chain", "draw") + tuple(d for d in da.dims if d not in ("chain", "draw"))
        out[v] = da.transpose(*dims).values
    return out


def _divergences(idata):
    try:
        stats = _group(idata, "sample_stats")
        return int(stats["diverging"].values.sum())
    except Exception:
        return None


def _gradients(idata):
    """(warm-up, draws) gradient evaluations summed over chains: the samplers' ``n_steps``
    (leapfrog steps); warm-up from ``warmup_sample_stats`` or, for credo, its attrs."""

    def total(group):
        try:
            return int(_group(idata, group)["n_steps"].values.sum())
        except Exception:
            return None

    draws = total("sample_stats")
    warm = total("warmup_sample_stats")
    if warm is None:
        attrs = getattr(idata, "attrs", {}) or {}
        if "tuning_gradient_evaluations" in attrs:
            warm = int(attrs["tuning_gradient_evaluations"])
    return warm, draws


def _versions(tool):
    import importlib.metadata as md

    pkgs = {
        "credo": ("credo", "jax", "arviz"),
        "pymc": ("pymc", "pytensor", "arviz"),
        "nutpie": ("nutpie", "pymc", "pytensor", "numba", "arviz"),
        "nutpie_lowrank": ("nutpie", "pymc", "pytensor", "numba", "arviz"),
        "numpyro": ("numpyro", "jax", "arviz"),
    }[tool]
    out = {"python": platform.python_version()}
    for p in pkgs:
        try:
            out[p] = md.version(p)
        except md.PackageNotFoundError:
            out[p] = None
    return out


def fit(tool, model, *, draws, tune, chains, seed):
    """Run one fit; returns the result dict (raises on failure)."""
    t_imp = time.perf_counter()
    if tool == "numpyro":
        import anchor_numpyro as impl  # sets the host device count before JAX starts
    elif tool in ("pymc", "nutpie", "nutpie_lowrank"):
        import anchor_pymc as impl
    elif tool == "credo":
        import credo_models as impl

        if not hasattr(impl.pm, "sample"):
            raise Pending("credo.sample is not available yet")
    else:
        raise ValueError(f"unknown tool {tool!r}; choose from {', '.join(TOOLS)}")
    import data as bench_data
    import ess

    timer = _JaxCompileTimer() if tool == "credo" else None
    import_s = time.perf_counter() - t_imp

    spec = bench_data.spec(model)
    d = spec.data()

    if timer is not None:
        timer.total = 0.0
    compile_s = None
    t0 = time.perf_counter()
    if tool in ("pymc", "nutpie", "nutpie_lowrank"):
        m = impl.build(model, d)
        idata = impl.sample(
            m, sampler=tool, draws=draws, tune=tune, chains=chains, random_seed=seed
        )
        wall_s = time.perf_counter() - t0
        post = _group(idata, "posterior")
        sampling_s = float(post.attrs["sampling_time"])
        sampling_src = "sampler"
    elif tool == "numpyro":
        mcmc, _, pmap_timer = impl.sample(
            model, d, draws=draws, tune=tune, chains=chains, random_seed=seed
        )
        idata = impl.to_idata(mcmc)
        wall_s = time.perf_counter() - t0
        post = _group(idata, "posterior")
        sampling_s = pmap_timer.execute_s
        sampling_src = "compiled sampler run (init + warmup + draws)"
        compile_s = pmap_timer.compile_s
    else:
        idata = impl.run(model, d, draws=draws, tune=tune, chains=chains, random_seed=seed)
        wall_s = time.perf_counter() - t0
        post = _group(idata, "posterior")
        if "sampling_time" in post.attrs:
            sampling_s = float(post.attrs["sampling_time"])
            sampling_src = "sampler"
        else:
            sampling_s = max(wall_s - timer.total, 0.0)
            sampling_src = "wall minus JAX compile"
        if timer.active:
            compile_s = timer.total

    summary = ess.summarize(_draws(post, spec.ess_vars))
    finite = {k: v for k, v in summary.items() if v["min_ess_bulk"] == v["min_ess_bulk"]}
    if finite:
        min_var = min(finite, key=lambda k: finite[k]["min_ess_bulk"])
        min_ess = finite[min_var]["min_ess_bulk"]
        max_rhat = max(v["max_rhat"] for v in finite.values())
    else:
        min_var, min_ess, max_rhat = None, float("nan"), float("nan")
    grad_warmup, grad_draws = _gradients(idata)
    grad_total = grad_warmup + grad_draws if None not in (grad_warmup, grad_draws) else None
    n_draws = int(post.sizes["draw"]) if hasattr(post, "sizes") else None
    n_chains = int(post.sizes["chain"]) if hasattr(post, "sizes") else None
    return {
        "tool": tool,
        "model": model,
        "status": "ok",
        "wall_s": wall_s,
        "sampling_s": sampling_s,
        "sampling_s_source": sampling_src,
        "compile_s": compile_s,
        "import_s": import_s,
        "min_ess_bulk": min_ess,
        "min_ess_var": min_var,
        "ess_per_s": min_ess / wall_s if wall_s > 0 else None,
        "max_rhat": max_rhat,
        "divergences": _divergences(idata),
        "grad_warmup": grad_warmup,
        "grad_draws": grad_draws,
        "ess_per_1000_grad": (
            1000.0 * min_ess / grad_total if grad_total and min_ess == min_ess else None
        ),
        "per_variable": summary,
        "draws": n_draws,
        "chains": n_chains,
        "settings": {"draws": draws, "tune": tune, "chains": chains, "seed": seed},
        "versions": _versions(tool),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tool", choices=TOOLS)
    ap.add_argument("model")
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--tune", type=int, default=1000)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--out", help="also write the JSON result to this file")
    args = ap.parse_args(argv)

    try:
        res = fit(
            args.tool,
            args.model,
            draws=args.draws,
            tune=args.tune,
            chains=args.chains,
            seed=args.seed,
        )
        rc = 0
    except Pending as e:
        res = {"tool": args.tool, "model": args.model, "status": "pending", "error": str(e)}
        rc = 0
    except BaseException as e:  # report every failure as a result, never drop it
        if isinstance(e, KeyboardInterrupt):
            raise
        res = {
            "tool": args.tool,
            "model": args.model,
            "status": "error",
            "error": f"{type(e).__name__}: {e}"[:500],
            "traceback": traceback.format_exc()[-3000:],
            "settings": {
                "draws": args.draws,
                "tune": args.tune,
                "chains": args.chains,
                "seed": args.seed,
            },
        }
        rc = 1
    text = json.dumps(res, default=float)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    sys.stdout.flush()
    print("BENCH_RESULT " + text, flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
