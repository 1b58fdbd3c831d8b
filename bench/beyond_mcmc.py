"""Beyond MCMC, side by side: ADVI, SMC and find_MAP in credo and in PyMC on the same models.

The same model code runs with ``import credo as pm`` and ``import pymc as pm``. Each tool
runs in its own process (credo in ``.venv``, PyMC in ``.venv-anchors``); every call is made
twice and both wall times are kept: the first includes compilation, the second is the
steady state. Usage::

    .venv/bin/python bench/beyond_mcmc.py            # both tools; writes bench/BEYOND_MCMC.md
    .venv/bin/python bench/beyond_mcmc.py --tool credo   # one tool, JSON on stdout
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
ADVI_ITERATIONS = 20000
SMC_DRAWS = 2000


def _fork_data(n: int = 1000) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(2025)
    z = rng.normal(10, 3, size=n)
    x = 3 * z + rng.normal(0, 0.1, size=n)
    y = 2 * z + rng.normal(0, 0.1, size=n)
    return {"x": x - x.mean(), "z": z - z.mean(), "y": y}


def _regression(pm, data):  # noqa: ANN001 (either library)
    with pm.Model() as model:
        a = pm.Normal("intercept", 0, 10)
        bx = pm.Normal("slope_x", 0, 1)
        bz = pm.Normal("slope_z", 0, 1)
        s = pm.HalfNormal("error", 1)
        pm.Normal("y", a + bx * data["x"] + bz * data["z"], s, observed=data["y"])
    return model


def _beta_binomial(pm):  # noqa: ANN001
    with pm.Model() as model:
        p = pm.Beta("p", 2, 3)
        pm.Binomial("k", n=30, p=p, observed=9)
    return model


def _timed(fn):  # noqa: ANN001
    times, out = [], None
    for _ in range(2):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def run_tool(tool: str) -> dict:
    import importlib

    if tool == "credo":
        sys.path.insert(0, str(ROOT))  # this checkout's credo, not an installed one
    pm = importlib.import_module("credo" if tool == "credo" else "pymc")
    data = _fork_data()
    result: dict = {"tool": tool, "version": pm.__version__}

    model = _regression(pm, data)
    with model:
        times, approx = _timed(
            lambda: pm.fit(
                ADVI_ITERATIONS,
                method="advi",
                obj_optimizer=pm.adam(learning_rate=0.01),
                random_seed=1,
                progressbar=False,
            )
        )
    means = approx.sample(2000, random_seed=2).posterior
    result["advi"] = {
        "seconds": times,
        "iterations_per_second": ADVI_ITERATIONS / times[1],
        "final_loss": float(np.mean(np.asarray(approx.hist)[-1000:])),
        "slope_z_mean": float(means["slope_z"].mean()),
    }

    with model:
        times, point = _timed(lambda: pm.find_MAP(progressbar=False))
    result["find_MAP"] = {"seconds": times, "slope_z": float(point["slope_z"])}

    model = _beta_binomial(pm)
    with model:
        times, idata = _timed(
            lambda: pm.sample_smc(SMC_DRAWS, chains=2, random_seed=1, progressbar=False)
        )
    lml = np.asarray(idata.sample_stats["log_marginal_likelihood"].values)
    if lml.dtype == object or lml.ndim > 1:  # PyMC keeps one value per stage
        flat = [np.asarray(v, dtype=float).ravel() for v in np.ravel(lml)]
        lml = np.array([v[np.isfinite(v)][-1] for v in flat if np.isfinite(v).any()])
    result["smc"] = {
        "seconds": times,
        "log_marginal_likelihood": [float(v) for v in np.ravel(lml)],
    }
    return result


def _python_for(tool: str) -> str:
    """The interpreter for a tool: $CREDO_PYTHON / $ANCHORS_PYTHON, else the repository's
    ``.venv`` / ``.venv-anchors``, else this one."""
    variable = "CREDO_PYTHON" if tool == "credo" else "ANCHORS_PYTHON"
    if os.environ.get(variable):
        return os.environ[variable]
    venv = ROOT / (".venv" if tool == "credo" else ".venv-anchors") / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _report(results: list[dict]) -> str:
    from scipy.special import betaln, gammaln

    exact = gammaln(31) - gammaln(10) - gammaln(22) + betaln(11, 24) - betaln(2, 3)
    lines = [
        "# Beyond MCMC: credo and PyMC side by side",
        "",
        "`bench/beyond_mcmc.py`; each call made twice in one process (first: with "
        "compilation, which credo's persistent compilation cache may already hold from an "
        "earlier run; second: steady state). Wall seconds on this machine.",
        "",
        f"Mean-field ADVI, {ADVI_ITERATIONS} iterations of Adam (lr 0.01), the fork "
        "regression (1000 rows); find_MAP on the same model; SMC (IMH kernel), "
        f"{SMC_DRAWS} draws x 2 chains, Beta(2, 3)-Binomial(30, 9) with log marginal "
        f"likelihood {exact:.4f}.",
        "",
        "| tool | ADVI s (1st / 2nd) | ADVI it/s | find_MAP s (1st / 2nd) | SMC s (1st / 2nd) "
        "| SMC log ML per chain |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['tool']} | failed: {r['error'][:80]} | | | | |")
            continue
        a, m, s = r["advi"], r["find_MAP"], r["smc"]
        lines.append(
            f"| {r['tool']} {r['version']} | {a['seconds'][0]:.2f} / {a['seconds'][1]:.2f} "
            f"| {a['iterations_per_second']:.0f} | {m['seconds'][0]:.2f} / "
            f"{m['seconds'][1]:.2f} | {s['seconds'][0]:.2f} / {s['seconds'][1]:.2f} | "
            + ", ".join(f"{v:.4f}" for v in s["log_marginal_likelihood"])
            + " |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tool", choices=["credo", "pymc"])
    args = parser.parse_args()
    if args.tool:
        print(json.dumps(run_tool(args.tool)))
        return
    results = []
    for tool in ("credo", "pymc"):
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.run(
            [_python_for(tool), __file__, "--tool", tool],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
        )
        try:
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        except (IndexError, json.JSONDecodeError):
            results.append({"tool": tool, "error": proc.stderr.strip()[-300:]})
    (ROOT / "bench" / "beyond_mcmc.json").write_text(json.dumps(results, indent=2) + "\n")
    report = _report(results)
    (ROOT / "bench" / "BEYOND_MCMC.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
