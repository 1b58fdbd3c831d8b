"""Models with discrete variables: credo's compound sampling against PyMC 6 (and credo's
marginalised NUTS where ``credo.marginalize`` exists), in effective draws per second.

    /work/main/.venv/bin/python bench/discrete.py [--draws 1000] [--tune 1000] [--out FILE]

Each (tool, model) runs in a fresh process (``--worker TOOL MODEL``): credo in this
interpreter, PyMC in the anchors' venv (``.venv-anchors``, see ``bench/setup_anchors.sh``).
Wall time runs from the model's definition to the InferenceData, compilation included;
sampling time is the sampler's own stamp. ESS is arviz-stats' bulk ESS (``bench/ess.py``),
the minimum over the model's continuous parameters; the switchpoint's own ESS is reported
beside it. The table goes to ``bench/DISCRETE.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)  # this checkout's credo, before any installed one

ANCHOR_PYTHON = os.path.join(ROOT, ".venv-anchors", "bin", "python")
if not os.path.exists(ANCHOR_PYTHON):
    ANCHOR_PYTHON = "/work/main/.venv-anchors/bin/python"

MODELS = ("switchpoint", "mixture")
CONTINUOUS = {"switchpoint": ["early_rate", "late_rate"], "mixture": ["w", "mu0", "mu1"]}


def disaster_data():
    import numpy as np

    years = np.arange(1851, 1962)
    counts = np.array(
        [4, 5, 4, 1, 0, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6, 3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5]
        + [3, 4, 2, 5, 2, 2, 3, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1, 3, 0, 0, 1, 0, 1, 1, 0, 0, 3]
        + [1, 0, 3, 2, 2, 0, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2, 3, 3]
        + [1, 1, 2, 1, 1, 1, 1, 2, 4, 2, 0, 0, 1, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1]
        + [0, 1]
    )
    return years, counts


def mixture_data(n: int = 100):
    import numpy as np

    rng = np.random.default_rng(11)
    z = rng.random(n) < 0.35
    return np.where(z, rng.normal(2.5, 1.0, n), rng.normal(-2.0, 1.0, n))


def build(pm, name: str):
    """The model, written the same way for credo and PyMC."""
    if name == "switchpoint":
        years, counts = disaster_data()
        with pm.Model() as model:
            switchpoint = pm.DiscreteUniform("switchpoint", lower=years.min(), upper=years.max())
            early = pm.Exponential("early_rate", 1.0)
            late = pm.Exponential("late_rate", 1.0)
            rate = pm.math.switch(switchpoint >= years, early, late)
            pm.Poisson("disasters", rate, observed=counts)
        return model, ["switchpoint"]
    y = mixture_data()
    with pm.Model() as model:
        w = pm.Beta("w", 1.0, 1.0)
        mu0 = pm.Normal("mu0", -2.0, 2.0)
        mu1 = pm.Normal("mu1", 2.0, 2.0)
        z = pm.Bernoulli("z", p=w, shape=y.size)
        pm.Normal("y", pm.math.switch(z, mu1, mu0), 1.0, observed=y)
    return model, ["z"]


def worker(tool: str, name: str, draws: int, tune: int, seed: int) -> dict:
    import numpy as np
    from ess import ess_bulk

    if tool == "pymc":
        import pymc as pm
    else:
        import credo as pm
    start = time.perf_counter()
    model, discrete = build(pm, name)
    if tool == "credo_marginal":
        if not hasattr(pm, "marginalize"):
            return {"tool": tool, "model": name, "skipped": "credo.marginalize is not available"}
        model = pm.marginalize(model, discrete)
    with model:
        kwargs = dict(draws=draws, tune=tune, chains=2, random_seed=seed, progressbar=False)
        if tool == "pymc":
            kwargs["cores"] = 2
        kwargs["compute_convergence_checks"] = False
        idata = pm.sample(**kwargs)
    wall = time.perf_counter() - start
    post = idata["posterior"] if tool != "pymc" else idata.posterior
    cont = {v: ess_bulk(np.asarray(post[v].values)) for v in CONTINUOUS[name]}
    out = {
        "tool": tool,
        "model": name,
        "wall_s": wall,
        "sampling_s": float(post.attrs.get("sampling_time", np.nan)),
        "min_ess_bulk": float(min(cont.values())),
        "ess": cont,
        "means": {v: float(np.asarray(post[v].values).mean()) for v in CONTINUOUS[name]},
    }
    if name == "switchpoint" and "switchpoint" in post:
        out["ess_switchpoint"] = ess_bulk(np.asarray(post["switchpoint"].values))
    return out


def _run(python: str, tool: str, name: str, args) -> dict:
    cmd = [python, os.path.abspath(__file__), "--worker", tool, name]
    cmd += ["--draws", str(args.draws), "--tune", str(args.tune), "--seed", str(args.seed)]
    env = dict(os.environ, CREDO_COMPILATION_CACHE="off", PYTHONWARNINGS="ignore")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=1800)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("BENCH_RESULT "):
            return json.loads(line[len("BENCH_RESULT ") :])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {"tool": tool, "model": name, "skipped": " / ".join(tail) or "no result"}


def _machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} CPUs (`nproc`), {cpu}; load average {load:.1f} at the start"


def _table(results: list[dict]) -> list[str]:
    rows = [
        "| model | tool | wall s | sampling s | min bulk ESS (continuous) | ESS / wall s "
        "| ESS / sampling s | ESS switchpoint | posterior means |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "skipped" in r:
            rows.append(f"| {r['model']} | {r['tool']} | - | - | - | - | - | - | {r['skipped']} |")
            continue
        sw = r.get("ess_switchpoint")
        means = ", ".join(f"{k} {v:.3g}" for k, v in r["means"].items())
        rows.append(
            f"| {r['model']} | {r['tool']} | {r['wall_s']:.1f} | {r['sampling_s']:.2f} "
            f"| {r['min_ess_bulk']:.0f} | {r['min_ess_bulk'] / r['wall_s']:.0f} "
            f"| {r['min_ess_bulk'] / r['sampling_s']:.0f} "
            f"| {'-' if sw is None else f'{sw:.0f}'} | {means} |"
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", nargs=2, metavar=("TOOL", "MODEL"))
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--tune", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(HERE, "DISCRETE.md"))
    args = ap.parse_args()
    if args.worker:
        res = worker(*args.worker, args.draws, args.tune, args.seed)
        print("BENCH_RESULT " + json.dumps(res))
        return
    machine = _machine()
    results = []
    for name in MODELS:
        for tool, python in (
            ("credo", sys.executable),
            ("credo_marginal", sys.executable),
            ("pymc", ANCHOR_PYTHON),
        ):
            res = _run(python, tool, name, args)
            print(json.dumps(res), flush=True)
            results.append(res)
    lines = [
        "# Discrete variables: compound sampling and marginalisation",
        "",
        "Written by `bench/discrete.py` (command: `/work/main/.venv/bin/python bench/discrete.py"
        f" --draws {args.draws} --tune {args.tune}`): 2 chains, {args.draws} draws after "
        f"{args.tune} warm-up iterations, seed {args.seed}, each run in a fresh process with "
        "no compilation cache.",
        "",
        f"Machine: {machine}.",
        "",
        "- switchpoint: the coal-mining disasters model (credo and PyMC both assign Metropolis "
        "to `switchpoint`, NUTS to the two rates); mixture: 100 points from a two-component "
        "normal mixture with latent Bernoulli labels `z` (BinaryGibbsMetropolis on `z`, NUTS "
        "on `w`, `mu0`, `mu1`). `credo_marginal`: the discrete variables summed out by "
        "`credo.marginalize`, NUTS alone.",
        "- ESS: the smallest bulk ESS over the continuous parameters; the wall time includes "
        "compilation (credo's JAX, PyMC's C backend). credo's wall time is almost all XLA "
        "compilation of the one program per model (kept on disk outside this benchmark, so a "
        "model run again in a new process skips most of it); its sampling time is the loop "
        "itself. On a shared machine (a load average above the CPU count) compilation is "
        "slowed the most.",
        "",
        *_table(results),
        "",
    ]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
