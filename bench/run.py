"""Side-by-side benchmark driver: credo against PyMC, nutpie and NumPyro on the tutorial models.

Every fit runs in a fresh process (``bench/run_one.py``) under a per-fit timeout; tools
alternate model by model (their order rotates from one model to the next). Results go to
``bench/results.json`` (raw) and ``bench/RESULTS.md`` (tables). A fit that fails or times out is
reported as such, never dropped.

    python bench/run.py [--models a,b] [--tools credo,pymc] [--repeats N] [--timeout 300]
                        [--merge] [--report-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from data import MODEL_NAMES, MODELS  # noqa: E402

TOOLS = ("credo", "pymc", "nutpie", "nutpie_lowrank", "numpyro")
ANCHORS = ("pymc", "nutpie", "nutpie_lowrank", "numpyro")
VENV = {
    "credo": os.path.join(ROOT, ".venv", "bin", "python"),
    "pymc": os.path.join(ROOT, ".venv-anchors", "bin", "python"),
    "nutpie": os.path.join(ROOT, ".venv-anchors", "bin", "python"),
    "nutpie_lowrank": os.path.join(ROOT, ".venv-anchors", "bin", "python"),
    "numpyro": os.path.join(ROOT, ".venv-anchors", "bin", "python"),
}
TOOL_LABEL = {
    "credo": "credo",
    "pymc": "PyMC (NUTS)",
    "nutpie": "PyMC + nutpie",
    "nutpie_lowrank": "nutpie low-rank",
    "numpyro": "NumPyro",
}
RESULTS_JSON = os.path.join(HERE, "results.json")
RESULTS_MD = os.path.join(HERE, "RESULTS.md")


# ---------------------------------------------------------------------------------------------
# running


def run_fit(tool, model, *, timeout, draws, tune, chains, seed):
    """One fit in a fresh process; always returns a result dict (status ok/error/timeout)."""
    base = {
        "tool": tool,
        "model": model,
        "settings": {"draws": draws, "tune": tune, "chains": chains, "seed": seed},
    }
    py = VENV[tool]
    if not os.path.exists(py):
        hint = "bash scripts/setup.sh" if tool == "credo" else "bash bench/setup_anchors.sh"
        return {**base, "status": "error", "error": f"{py} not found (run `{hint}`)"}
    cmd = [py, os.path.join(HERE, "run_one.py"), tool, model]
    cmd += ["--draws", str(draws), "--tune", str(tune), "--chains", str(chains)]
    cmd += ["--seed", str(seed)]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    load_before = _loadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
        start_new_session=True,  # own process group: a timeout also ends its worker processes
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return {
            **base,
            "status": "timeout",
            "error": f"no result within {timeout:g} s",
            "process_s": time.perf_counter() - t0,
            "stderr_tail": (err or "")[-1500:],
        }
    process_s = time.perf_counter() - t0
    res = None
    for line in reversed((out or "").splitlines()):
        if line.startswith("BENCH_RESULT "):
            res = json.loads(line[len("BENCH_RESULT ") :])
            break
    if res is None:
        res = {
            **base,
            "status": "error",
            "error": f"process exited with code {proc.returncode} without a result",
            "stderr_tail": (err or "")[-1500:],
        }
    res["process_s"] = process_s
    res["returncode"] = proc.returncode
    res["loadavg_1min"] = [load_before, _loadavg()]
    return res


def _loadavg():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def _fmt_short(res):
    if res.get("status") != "ok":
        return f"{res.get('status')}: {res.get('error', '')[:120]}"
    return (
        f"wall {res['wall_s']:.2f}s  sampling {res['sampling_s']:.2f}s  "
        f"min ESS {res['min_ess_bulk']:.0f}  ESS/s {res['ess_per_s']:.1f}  "
        f"div {res['divergences']}"
    )


# ---------------------------------------------------------------------------------------------
# machine description


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def machine_info():
    cpu = "unknown"
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_gib = None
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal"):
            mem_gib = round(int(line.split()[1]) / 1024**2, 1)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    info = {
        "cpu": cpu,
        "cores": cores,
        "ram_gib": mem_gib,
        "os": platform.platform(),
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "venvs": {},
    }
    probe = (
        "import importlib.metadata as md, json, platform\n"
        "v = {'python': platform.python_version()}\n"
        "for p in ('credo', 'jax', 'jaxlib', 'numpy', 'arviz', 'pymc', 'pytensor', 'nutpie',"
        " 'numba', 'numpyro'):\n"
        "    try: v[p] = md.version(p)\n"
        "    except md.PackageNotFoundError: pass\n"
        "print(json.dumps(v))\n"
    )
    for name, py in (("credo", VENV["credo"]), ("anchors", VENV["pymc"])):
        if not os.path.exists(py):
            info["venvs"][name] = None
            continue
        try:
            out = subprocess.run(
                [py, "-c", probe], capture_output=True, text=True, timeout=120, cwd="/"
            ).stdout
            info["venvs"][name] = json.loads(out.strip().splitlines()[-1])
        except Exception as e:  # keep going: the report says what could not be probed
            info["venvs"][name] = {"error": str(e)}
    return info


# ---------------------------------------------------------------------------------------------
# report


def _median(xs):
    xs = [x for x in xs if x is not None and x == x]
    return statistics.median(xs) if xs else None


def aggregate(runs):
    """(model, tool) -> summary over repeats: medians of the numbers, statuses seen."""
    by = {}
    for r in runs:
        by.setdefault((r["model"], r["tool"]), []).append(r)
    agg = {}
    for key, rs in by.items():
        ok = [r for r in rs if r.get("status") == "ok"]
        a = {"n": len(rs), "n_ok": len(ok), "statuses": [r.get("status") for r in rs]}
        bad = [r for r in rs if r.get("status") != "ok"]
        if bad:
            a["problem"] = f"{bad[0].get('status')}: {bad[0].get('error', '')}"
            a["problem_status"] = bad[0].get("status")
        if ok:
            for k in (
                "wall_s",
                "sampling_s",
                "min_ess_bulk",
                "ess_per_s",
                "max_rhat",
                "grad_warmup",
                "grad_draws",
                "ess_per_1000_grad",
            ):
                a[k] = _median([r.get(k) for r in ok])
            a["divergences"] = _median([r.get("divergences") for r in ok])
            a["min_ess_var"] = ok[0].get("min_ess_var")
            a["sampling_s_source"] = ok[0].get("sampling_s_source")
        agg[key] = a
    return agg


def _num(x, fmt="{:.2f}"):
    return "–" if x is None else fmt.format(x)


def _cell_status(a, tool):
    if a is None:
        return "pending" if tool == "credo" else "not run"
    if a["n_ok"] == 0:
        return a.get("problem_status", "error")
    if a["n_ok"] < a["n"]:
        return f"ok {a['n_ok']}/{a['n']}"
    return "ok"


def best_anchor(agg, model):
    walls = [
        (agg[(model, t)]["wall_s"], t) for t in ANCHORS if agg.get((model, t), {}).get("wall_s")
    ]
    rates = [
        (agg[(model, t)]["ess_per_s"], t)
        for t in ANCHORS
        if agg.get((model, t), {}).get("ess_per_s")
    ]
    return (min(walls) if walls else None), (max(rates) if rates else None)


def write_report(results, path=RESULTS_MD):
    runs = results["runs"]
    agg = aggregate(runs)
    machine = results.get("machine", {})
    settings = results.get("settings", {})
    models = [m for m in MODEL_NAMES if any(r["model"] == m for r in runs)]
    titles = {m.name: m.title for m in MODELS}
    repeats = max((a["n"] for a in agg.values()), default=1)
    L = []
    L.append("# Benchmark: credo against PyMC, nutpie and NumPyro")
    L.append("")
    L.append(
        "The 16 models of the PyMC3 regression tutorial (`bench/data.py` reproduces its data), "
        "each fitted in a fresh process with every tool. Generated by `bench/run.py` "
        "(`make bench`); raw numbers in `bench/results.json`."
    )
    L.append("")
    L.append("## Machine")
    L.append("")
    L.append(f"- CPU: {machine.get('cpu')} ({machine.get('cores')} cores available)")
    L.append(f"- RAM: {machine.get('ram_gib')} GiB; OS: {machine.get('os')}")
    L.append(f"- Date: {machine.get('date')}")
    for name, v in (machine.get("venvs") or {}).items():
        if v:
            L.append(f"- `{name}` venv: " + ", ".join(f"{k} {val}" for k, val in v.items()))
        else:
            L.append(f"- `{name}` venv: not installed")
    loads = [x for r in runs for x in (r.get("loadavg_1min") or []) if x is not None]
    if loads:
        L.append(
            f"- 1-minute load average around the fits: median {statistics.median(loads):.1f}, "
            f"max {max(loads):.1f} (on {machine.get('cores')} cores; anything above the core "
            "count means other work shared the CPUs and inflated the times)"
        )
    if results.get("total_s") is not None:
        n = results.get("n_fits_this_run", len(runs))
        L.append(
            f"- Last `bench/run.py` invocation: {results['total_s'] / 60:.1f} min for {n} fits"
        )
    L.append("")
    L.append("## Settings")
    L.append("")
    L.append(
        f"- chains={settings.get('chains')}, tune={settings.get('tune')}, "
        f"draws={settings.get('draws')} for every model and tool (the tutorial's per-model "
        f"`pm.sample` arguments are not used, for a like-for-like comparison); default target "
        f"acceptance (0.8) everywhere; fixed seed {settings.get('seed')}; per-fit timeout "
        f"{settings.get('timeout')} s."
    )
    L.append(
        "- PyMC: default `pm.sample` (PyMC's NUTS, chains in 2 processes, C backend; "
        "PyTensor's on-disk compile cache is whatever the machine already has). "
        'nutpie: `pm.sample(nuts_sampler="nutpie")` (numba backend). '
        'NumPyro: `NUTS`, `chain_method="parallel"` over 2 host devices, float64. '
        "credo: `credo.sample(...)` with the tutorial's own code (`bench/credo_models.py`)."
    )
    L.append(
        "- **Wall s**: model build to ArviZ DataTree in a fresh process, compilation included, "
        "imports excluded."
    )
    L.append(
        "- **Sampling s**: the sampler's own time for initialisation, warmup and draws, without "
        "compilation. PyMC, nutpie and credo report it; NumPyro's chains run through an "
        "ahead-of-time compiled `pmap` whose execution is timed."
    )
    L.append(
        "- **Min ESS**: smallest rank-normalised bulk ESS over every scalar of the tutorial's "
        "posterior variables, named in `bench/data.py` (`bench/ess.py`, the same code for all "
        "tools; it matches ArviZ's `ess(method='bulk')`). **ESS/s** = min ESS / wall s. "
        "**R-hat**: rank-normalised split R-hat. **Div**: post-warmup divergences."
    )
    if repeats > 1:
        L.append(f"- Numbers are medians over {repeats} repeats.")
    L.append(
        "- Ratios compare credo with the best anchor per model: **wall ×** = credo wall / "
        "fastest anchor wall (below 1: credo faster); **ESS/s ×** = credo ESS/s / best anchor "
        "ESS/s (above 1: credo better)."
    )
    L.append("")

    # summary: wall and ESS/s per model, tools as columns
    L.append("## Summary")
    L.append("")
    hdr = "| Model | " + " | ".join(f"{TOOL_LABEL[t]} wall s" for t in TOOLS)
    hdr += " | " + " | ".join(f"{TOOL_LABEL[t]} ESS/s" for t in TOOLS)
    hdr += " | credo wall × | credo ESS/s × |"
    L.append(hdr)
    L.append("|" + "---|" * (1 + 2 * len(TOOLS) + 2))
    for m in models:
        walls, rates = [], []
        for t in TOOLS:
            a = agg.get((m, t))
            if a is not None and a.get("wall_s") is not None:
                walls.append(_num(a["wall_s"]))
                rates.append(_num(a["ess_per_s"], "{:.0f}"))
            else:
                s = _cell_status(a, t)
                walls.append(s)
                rates.append(s)
        (bw, _), (br, _) = [x if x else (None, None) for x in best_anchor(agg, m)]
        c = agg.get((m, "credo"))
        if c is not None and c.get("wall_s") is not None and bw:
            wr = _num(c["wall_s"] / bw)
            rr = _num(c["ess_per_s"] / br) if br else "–"
        else:
            wr = rr = _cell_status(c, "credo")
        L.append(f"| {titles[m]} | " + " | ".join(walls + rates) + f" | {wr} | {rr} |")
    L.append("")

    # machine-independent: gradient evaluations and ESS per 1,000 of them
    L.append("## Sampler efficiency (machine-independent)")
    L.append("")
    L.append(
        "Gradient evaluations (leapfrog steps summed over chains) in warm-up and draws, and "
        "min bulk ESS per 1,000 gradient evaluations, warm-up included. **× nutpie low-rank** = "
        "credo's ESS per 1,000 gradients / nutpie low-rank's (above 1: credo better). NumPyro "
        "does not record its warm-up steps."
    )
    L.append("")
    eff_tools = [t for t in TOOLS if t != "numpyro"]
    hdr = "| Model | " + " | ".join(
        f"{TOOL_LABEL[t]} grads warm-up / draws | {TOOL_LABEL[t]} ESS/1k grads" for t in eff_tools
    )
    L.append(hdr + " | × nutpie low-rank |")
    L.append("|" + "---|" * (2 + 2 * len(eff_tools)))
    ratios = []
    for m in models:
        cells = []
        for t in eff_tools:
            a = agg.get((m, t)) or {}
            gw, gd = a.get("grad_warmup"), a.get("grad_draws")
            cells.append(f"{_num(gw, '{:.0f}')} / {_num(gd, '{:.0f}')}")
            cells.append(_num(a.get("ess_per_1000_grad"), "{:.1f}"))
        c = (agg.get((m, "credo")) or {}).get("ess_per_1000_grad")
        n = (agg.get((m, "nutpie_lowrank")) or {}).get("ess_per_1000_grad")
        ratio = c / n if c and n else None
        if ratio:
            ratios.append(ratio)
        L.append(f"| {titles[m]} | " + " | ".join(cells) + f" | {_num(ratio)} |")
    if ratios:
        geo = float(np.exp(np.mean(np.log(ratios))))
        L.append("")
        L.append(
            f"Geometric mean of credo / nutpie low-rank over {len(ratios)} models: {geo:.2f}; "
            f"worst {min(ratios):.2f}, best {max(ratios):.2f}."
        )
    L.append("")

    # details
    L.append("## Details per model and tool")
    L.append("")
    L.append(
        "| Model | Tool | Status | Wall s | Sampling s | Min bulk ESS (variable) | ESS/s "
        "| Max R-hat | Div | wall × best anchor | ESS/s × best anchor |"
    )
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    problems = []
    for m in models:
        (bw, bwt), (br, brt) = [x if x else (None, None) for x in best_anchor(agg, m)]
        for t in TOOLS:
            a = agg.get((m, t))
            status = _cell_status(a, t)
            if a is not None and a.get("problem"):
                problems.append((m, t, a["problem"]))
            if a is None or a.get("wall_s") is None:
                L.append(f"| {titles[m]} | {TOOL_LABEL[t]} | {status} |" + " – |" * 8)
                continue
            ess_cell = f"{a['min_ess_bulk']:.0f} ({a['min_ess_var']})"
            if t == "credo":
                wr = _num(a["wall_s"] / bw) + f" (vs {bwt})" if bw else "–"
                rr = _num(a["ess_per_s"] / br) + f" (vs {brt})" if br else "–"
            else:
                wr = _num(a["wall_s"] / bw) if bw else "–"
                rr = _num(a["ess_per_s"] / br) if br else "–"
            L.append(
                f"| {titles[m]} | {TOOL_LABEL[t]} | {status} | {_num(a['wall_s'])} "
                f"| {_num(a['sampling_s'])} | {ess_cell} | {_num(a['ess_per_s'], '{:.0f}')} "
                f"| {_num(a['max_rhat'], '{:.3f}')} | {_num(a['divergences'], '{:.0f}')} "
                f"| {wr} | {rr} |"
            )
    L.append("")
    L.append("## Failures and time-outs")
    L.append("")
    if problems:
        for m, t, p in problems:
            L.append(f"- {titles[m]} / {TOOL_LABEL[t]}: {p.splitlines()[0][:300]}")
    else:
        L.append("None.")
    missing_credo = [m for m in models if (m, "credo") not in agg]
    if missing_credo:
        L.append("")
        L.append(
            "credo is shown as *pending* where it has not been run yet "
            "(re-run with `bash bench/run.sh --tools credo --merge` once `credo.sample` lands)."
        )
    L.append("")
    with open(path, "w") as f:
        f.write("\n".join(L))


# ---------------------------------------------------------------------------------------------


def _parse_list(value, allowed, what):
    if value in (None, "", "all"):
        return list(allowed)
    items = [v.strip() for v in value.split(",") if v.strip()]
    bad = [v for v in items if v not in allowed]
    if bad:
        raise SystemExit(f"unknown {what}: {', '.join(bad)}; choose from {', '.join(allowed)}")
    return items


def main(argv=None):
    ap = argparse.ArgumentParser(description="credo vs PyMC / nutpie / NumPyro benchmark")
    ap.add_argument("--models", help="comma-separated model names (default: all 16)")
    ap.add_argument(
        "--tools",
        help="comma-separated: credo,pymc,nutpie,nutpie_lowrank,numpyro (default: all)",
    )
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per fit")
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--tune", type=int, default=1000)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument(
        "--merge",
        action="store_true",
        help="keep earlier results in results.json for the model/tool pairs not re-run",
    )
    ap.add_argument("--report-only", action="store_true", help="rewrite RESULTS.md from JSON")
    ap.add_argument("--json", default=RESULTS_JSON)
    ap.add_argument("--md", default=RESULTS_MD)
    args = ap.parse_args(argv)

    if args.report_only:
        with open(args.json) as f:
            write_report(json.load(f), args.md)
        print(f"wrote {args.md}")
        return 0

    models = _parse_list(args.models, MODEL_NAMES, "model")
    tools = _parse_list(args.tools, TOOLS, "tool")
    settings = {
        "draws": args.draws,
        "tune": args.tune,
        "chains": args.chains,
        "seed": args.seed,
        "timeout": args.timeout,
    }

    previous = []
    if args.merge and os.path.exists(args.json):
        with open(args.json) as f:
            old = json.load(f)
        rerun = {(m, t) for m in models for t in tools}
        previous = [r for r in old.get("runs", []) if (r["model"], r["tool"]) not in rerun]

    results = {"machine": machine_info(), "settings": settings, "runs": list(previous)}
    t_start = time.perf_counter()
    n_total = len(models) * len(tools) * args.repeats
    k = 0
    for rep in range(args.repeats):
        for i, m in enumerate(models):
            order = tools[i % len(tools) :] + tools[: i % len(tools)]  # rotate the order
            for t in order:
                k += 1
                print(f"[{k}/{n_total}] {m} / {t} (repeat {rep + 1})", flush=True)
                res = run_fit(
                    t,
                    m,
                    timeout=args.timeout,
                    draws=args.draws,
                    tune=args.tune,
                    chains=args.chains,
                    seed=args.seed,
                )
                res["repeat"] = rep
                results["runs"].append(res)
                print("    " + _fmt_short(res), flush=True)
                results["total_s"] = time.perf_counter() - t_start
                with open(args.json, "w") as f:  # save as we go
                    json.dump(results, f, indent=1, default=float)
    results["total_s"] = time.perf_counter() - t_start
    results["n_fits_this_run"] = n_total
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1, default=float)
    write_report(results, args.md)
    print(f"wrote {args.json} and {args.md} ({results['total_s'] / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
