"""The Lotka-Volterra ODE model (examples/lotka_volterra.py) sampled by credo and by PyMC 6.

One model definition, ``build_model(pm)``, run with ``import credo as pm`` (diffrax's Tsit5
through ``pm.ode.DifferentialEquation``, with forward-mode sensitivities, the default, and
with reverse mode) and with ``import pymc as pm`` (PyMC's ``pm.ode.DifferentialEquation``:
scipy's odeint on the sensitivity-augmented system, PyMC's NUTS). Same data, priors,
starting values, draws, tune and chains. Each tool runs in its own process (credo in
``.venv``, PyMC in ``.venv-anchors``). Usage::

    .venv/bin/python bench/ode_bench.py                  # all; writes bench/ODE.md, ode.json
    .venv/bin/python bench/ode_bench.py --tool credo     # one run, JSON on stdout
    .venv/bin/python bench/ode_bench.py --draws 500 --tune 500 --chains 2   # the defaults

Reported: wall seconds of the ``pm.sample`` call (credo's first call includes compilation,
the second one is the steady state on the same model), the minimum bulk ESS over theta,
z_init and sigma, ESS per second, gradient evaluations (leapfrog steps, warm-up and draws,
summed over chains), divergences and max R-hat; posterior means of theta for agreement.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
VARS = ["theta", "z_init", "sigma"]


def _sample(pm, model, args, seed: int):  # noqa: ANN001 (either library)
    with model:
        t0 = time.perf_counter()
        idata = pm.sample(
            args.draws,
            tune=args.tune,
            chains=args.chains,
            random_seed=seed,
            progressbar=False,
            discard_tuned_samples=False,
            compute_convergence_checks=False,
        )
        return idata, time.perf_counter() - t0


def _measure(idata, seconds: float) -> dict:  # noqa: ANN001
    from ess import summarize

    post = idata["posterior"]
    draws = {v: np.asarray(post[v].values) for v in VARS}
    summary = summarize(draws)
    min_ess = min(s["min_ess_bulk"] for s in summary.values())
    grads = 0
    for group in ("warmup_sample_stats", "sample_stats"):
        grads += int(np.asarray(idata[group]["n_steps"].values).sum())
    return {
        "seconds": seconds,
        "min_ess_bulk": min_ess,
        "ess_per_second": min_ess / seconds,
        "gradient_evaluations": grads,
        "divergences": int(np.asarray(idata["sample_stats"]["diverging"].values).sum()),
        "max_rhat": max(s["max_rhat"] for s in summary.values()),
        "theta_mean": [float(x) for x in draws["theta"].reshape(-1, 4).mean(axis=0)],
    }


def run_tool(tool: str, args: argparse.Namespace) -> dict:
    from examples.lotka_volterra import build_model

    if tool == "pymc":
        import pymc as pm

        idata, seconds = _sample(pm, build_model(pm), args, seed=1)
        run = _measure(idata, seconds)
        return {"tool": "pymc", "version": pm.__version__, "machine": _machine(), "runs": [run]}

    import diffrax

    import credo as pm

    adjoint = {"forward": diffrax.ForwardMode(), "reverse": diffrax.RecursiveCheckpointAdjoint()}
    runs = []
    for name in ("forward", "reverse"):
        model = build_model(pm, adjoint=adjoint[name])
        for call in ("first call", "second call"):
            idata, seconds = _sample(pm, model, args, seed=1)
            runs.append({"adjoint": name, "call": call, **_measure(idata, seconds)})
    return {"tool": "credo", "version": pm.__version__, "machine": _machine(), "runs": runs}


def _python_for(tool: str) -> str:
    variable = "CREDO_PYTHON" if tool == "credo" else "ANCHORS_PYTHON"
    if os.environ.get(variable):
        return os.environ[variable]
    venv = ROOT / (".venv" if tool == "credo" else ".venv-anchors") / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _machine() -> str:
    cores = os.cpu_count()
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return f"{platform.processor() or platform.machine()}, {cores} cores, load average {load}"


def _report(results: list[dict], args: argparse.Namespace, machine: str) -> str:
    lines = [
        "# The Lotka-Volterra ODE model: credo and PyMC",
        "",
        "`bench/ode_bench.py` (model: `examples/lotka_volterra.py`, posteriordb's"
        " hudson_lynx_hare-lotka_volterra), "
        f"`pm.sample({args.draws}, tune={args.tune}, chains={args.chains})`, the same data,"
        " priors and starting values. credo: diffrax Tsit5, rtol = atol = 1e-6, chains"
        " vectorised on one device; PyMC: `pm.ode.DifferentialEquation` (scipy odeint on"
        " the sensitivity-augmented system), PyMC's NUTS with its default settings.",
        "",
        f"Report written on: {machine}. Each run's own record: "
        + "; ".join(f"{r['tool']}: {r.get('machine', 'not recorded')}" for r in results)
        + " (a shared machine: other jobs may have run at the same time).",
        "",
        "| tool | gradients | call | wall s | min ESS (bulk) | ESS/s | gradient evals |"
        " div. | max R-hat | theta mean |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['tool']} | failed: {r['error'][-120:]} | | | | | | | | |")
            continue
        for run in r["runs"]:
            theta = ", ".join(f"{x:.4g}" for x in run["theta_mean"])
            lines.append(
                f"| {r['tool']} {r['version']} | {run.get('adjoint', 'sensitivities (odeint)')}"
                f" | {run.get('call', 'first call')} | {run['seconds']:.1f} |"
                f" {run['min_ess_bulk']:.0f} | {run['ess_per_second']:.3g} |"
                f" {run['gradient_evaluations']} | {run['divergences']} |"
                f" {run['max_rhat']:.3f} | {theta} |"
            )
    lines += [
        "",
        "Reference means of theta (posteriordb, Stan): 0.5469, 0.02775, 0.8001, 0.02409.",
        "",
        "credo's first call includes compiling the sampler with the solver and its"
        " sensitivities (credo's persistent compilation cache was on; a fresh process with"
        " the cache warm skips most of it); its second call on the same model is the"
        " steady state. Forward and reverse mode give the same gradients to rounding, hence"
        " the same draws; only the time differs. PyMC's time includes its compilation"
        " (the ODE op runs in numba's object mode, i.e. Python).",
        "",
        "Command: `"
        + " ".join(["python bench/ode_bench.py", *sys.argv[1:]])
        + "`"
        + (
            " (with `--reuse`: each tool's `bench/ode_bench.py --tool <tool>` run with the"
            " same settings, in its own venv, one after the other or side by side)"
            if args.reuse
            else ""
        ),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", choices=["credo", "pymc"])
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--tune", type=int, default=500)
    parser.add_argument("--chains", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=3600)
    parser.add_argument(
        "--reuse",
        type=Path,
        nargs="*",
        default=[],
        help="JSON outputs of earlier `--tool` runs with these settings (not rerun)",
    )
    args = parser.parse_args()
    if args.tool:
        print(json.dumps(run_tool(args.tool, args)))
        return
    machine = _machine()
    results = []
    earlier = [json.loads(p.read_text().strip().splitlines()[-1]) for p in args.reuse]
    for tool in ("credo", "pymc"):
        found = [r for r in earlier if r.get("tool") == tool]
        if found:
            results.append(found[0])
            continue
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        cmd = [_python_for(tool), __file__, "--tool", tool]
        cmd += ["--draws", str(args.draws), "--tune", str(args.tune), "--chains", str(args.chains)]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, env=env, timeout=args.timeout
            )
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        except subprocess.TimeoutExpired:
            results.append({"tool": tool, "error": f"no result within {args.timeout} s"})
        except (IndexError, json.JSONDecodeError):
            results.append({"tool": tool, "error": proc.stderr.strip()[-300:]})
    (ROOT / "bench" / "ode.json").write_text(json.dumps(results, indent=2) + "\n")
    report = _report(results, args, machine)
    (ROOT / "bench" / "ODE.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
