"""credo against nutpie on the 24 posteriordb posteriors: ESS per gradient evaluation, wall time.

Every fit runs in a fresh process under a per-fit timeout, one at a time, tools rotating from
one posterior to the next. credo fits the models of ``tests/statistical/posteriordb/models.py``
in ``.venv``; nutpie (default diagonal adaptation, and ``adaptation="low_rank"``) fits the
PyMC versions of ``bench/posteriordb_pymc.py`` in ``.venv-anchors``. Raw results go to
``bench/posteriordb_results.json``, the report to ``bench/POSTERIORDB.md``. A fit that fails
or times out is a row, never dropped.

    python bench/posteriordb_bench.py [--only a,b] [--tools credo,nutpie_lowrank] [--merge]
                                      [--chains 4] [--timeout 300] [--report-only]

Recorded per fit: wall time (model build to InferenceData, compilation included), gradient
evaluations (leapfrog steps summed over chains) in warm-up and in the draws, the smallest
rank-normalised bulk ESS over every scalar of the posterior group (``bench/ess.py``, the same
code for every tool), ESS per 1,000 gradient evaluations (warm-up included), divergences.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import signal
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

TOOLS = ("credo", "nutpie", "nutpie_lowrank")
TOOL_LABEL = {"credo": "credo", "nutpie": "nutpie (diag)", "nutpie_lowrank": "nutpie low-rank"}
VENV = {
    "credo": os.path.join(ROOT, ".venv", "bin", "python"),
    "nutpie": os.path.join(ROOT, ".venv-anchors", "bin", "python"),
    "nutpie_lowrank": os.path.join(ROOT, ".venv-anchors", "bin", "python"),
}
RESULTS_JSON = os.path.join(HERE, "posteriordb_results.json")
REPORT_MD = os.path.join(HERE, "POSTERIORDB.md")
SEED = 20240607

# The posteriors in the order they run (the slowest last); per-posterior settings that every
# tool gets. credo's runner also fits diamonds with a dense metric (init="jitter+adapt_full");
# here every tool keeps its default metric, so that the comparison is of the defaults.
NAMES = (
    "kidiq-kidscore_momiq",
    "kidiq-kidscore_interaction",
    "kidiq_with_mom_work-kidscore_mom_work",
    "kidiq_with_mom_work-kidscore_interaction_z",
    "kilpisjarvi_mod-kilpisjarvi",
    "earnings-earn_height",
    "earnings-logearn_interaction_z",
    "earnings-logearn_logheight_male",
    "mesquite-mesquite",
    "mesquite-logmesquite",
    "mesquite-logmesquite_logvas",
    "nes2000-nes",
    "sblrc-blr",
    "eight_schools-eight_schools_centered",
    "eight_schools-eight_schools_noncentered",
    "gp_pois_regr-gp_pois_regr",
    "gp_pois_regr-gp_regr",
    "arK-arK",
    "arma-arma11",
    "garch-garch11",
    "low_dim_gauss_mix-low_dim_gauss_mix",
    "hmm_example-hmm_example",
    "hudson_lynx_hare-lotka_volterra",
    "diamonds-diamonds",
)
EXTRA = {"eight_schools-eight_schools_centered": {"target_accept": 0.95}}


# ---------------------------------------------------------------------------------------------
# worker: one fit in this process


def _fit(tool, name, *, draws, tune, chains, seed):
    sys.path.insert(0, ROOT)
    sys.path.insert(0, HERE)
    t_imp = time.perf_counter()
    import ess
    from run_one import _divergences, _gradients, _group

    from tests.statistical.posteriordb import load_posterior

    if tool == "credo":
        import credo as pm
        from tests.statistical.posteriordb.models import SPECS

        builder = SPECS[name].build
    else:
        import posteriordb_pymc
        import pymc as pm

        builder = posteriordb_pymc.BUILDERS[name]
    import_s = time.perf_counter() - t_imp
    data = load_posterior(name)["data"]
    kwargs = dict(EXTRA.get(name, {}))
    if tool == "nutpie_lowrank":
        kwargs["nuts_sampler_kwargs"] = {"adaptation": "low_rank"}
    if tool != "credo":
        kwargs.update(nuts_sampler="nutpie", discard_tuned_samples=False)

    t0 = time.perf_counter()
    model = builder(data)
    idata = pm.sample(
        draws=draws,
        tune=tune,
        chains=chains,
        random_seed=seed,
        progressbar=False,
        model=model,
        **kwargs,
    )
    wall_s = time.perf_counter() - t0

    post = _group(idata, "posterior")
    arrays = {}
    for v in post.data_vars:
        da = post[v]
        dims = ("chain", "draw") + tuple(d for d in da.dims if d not in ("chain", "draw"))
        arrays[str(v)] = da.transpose(*dims).values
    summary = ess.summarize(arrays)
    finite = {k: s for k, s in summary.items() if s["min_ess_bulk"] == s["min_ess_bulk"]}
    if finite:
        min_var = min(finite, key=lambda k: finite[k]["min_ess_bulk"])
        min_ess = finite[min_var]["min_ess_bulk"]
        max_rhat = max(s["max_rhat"] for s in finite.values())
    else:
        min_var, min_ess, max_rhat = None, float("nan"), float("nan")
    n_scalars = sum(int(math.prod(a.shape[2:])) for a in arrays.values())
    grad_warmup, grad_draws = _gradients(idata)
    grad_total = None if None in (grad_warmup, grad_draws) else grad_warmup + grad_draws
    sampling_s = post.attrs.get("sampling_time")
    compile_s = None
    try:
        compile_s = _group(idata, "sample_stats").attrs.get("compile_time")
    except Exception:  # not every tool stamps one
        pass
    return {
        "status": "ok",
        "wall_s": wall_s,
        "sampling_s": float(sampling_s) if sampling_s is not None else None,
        "compile_s": float(compile_s) if compile_s is not None else None,
        "import_s": import_s,
        "min_ess_bulk": min_ess,
        "min_ess_var": min_var,
        "n_scalars": n_scalars,
        "max_rhat": max_rhat,
        "divergences": _divergences(idata),
        "grad_warmup": grad_warmup,
        "grad_draws": grad_draws,
        "ess_per_1000_grad": (
            1000.0 * min_ess / grad_total if grad_total and min_ess == min_ess else None
        ),
        "per_variable": summary,
        # Posterior means and sds per scalar, to check that the tools agree on the posterior.
        "means": {
            k: a.reshape(-1, *a.shape[2:]).mean(axis=0).ravel().tolist() for k, a in arrays.items()
        },
        "sds": {
            k: a.reshape(-1, *a.shape[2:]).std(axis=0).ravel().tolist() for k, a in arrays.items()
        },
        "sample_kwargs": {k: v for k, v in kwargs.items()},
    }


def worker(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("tool", choices=TOOLS)
    ap.add_argument("name")
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--tune", type=int, default=1000)
    ap.add_argument("--chains", type=int, default=4)
    ap.add_argument("--seed", type=int, default=SEED)
    a = ap.parse_args(argv)
    try:
        res = _fit(a.tool, a.name, draws=a.draws, tune=a.tune, chains=a.chains, seed=a.seed)
        rc = 0
    except Exception as e:  # a failure is a result
        res = {
            "status": "error",
            "error": f"{type(e).__name__}: {e}"[:500],
            "traceback": traceback.format_exc()[-3000:],
        }
        rc = 1
    sys.stdout.flush()
    print("BENCH_RESULT " + json.dumps(res, default=float), flush=True)
    return rc


# ---------------------------------------------------------------------------------------------
# driver


def _loadavg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def run_fit(tool, name, *, timeout, draws, tune, chains, seed):
    """One fit in a fresh process; always returns a result dict (ok / error / timeout)."""
    base = {
        "tool": tool,
        "name": name,
        "settings": {"draws": draws, "tune": tune, "chains": chains, "seed": seed},
    }
    cmd = [VENV[tool], os.path.abspath(__file__), "--worker", tool, name]
    cmd += ["--draws", str(draws), "--tune", str(tune), "--chains", str(chains)]
    cmd += ["--seed", str(seed)]
    load_before = _loadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        start_new_session=True,  # own process group: a timeout also ends its workers
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
            "loadavg": [load_before, _loadavg()],
            "stderr_tail": (err or "")[-1500:],
        }
    res = None
    for line in reversed((out or "").splitlines()):
        if line.startswith("BENCH_RESULT "):
            res = json.loads(line[len("BENCH_RESULT ") :])
            break
    if res is None:
        res = {
            "status": "error",
            "error": f"process exited with code {proc.returncode} without a result",
            "stderr_tail": (err or "")[-1500:],
        }
    res.update(base)
    res["process_s"] = time.perf_counter() - t0
    res["loadavg"] = [load_before, _loadavg()]
    return res


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def machine_info():
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in _read("/proc/cpuinfo").splitlines()
            if ln.startswith("model name")
        ),
        "unknown",
    )
    probe = (
        "import importlib.metadata as md, json, platform\n"
        "v = {'python': platform.python_version()}\n"
        "for p in ('credo', 'jax', 'jaxlib', 'numpy', 'pymc', 'pytensor', 'nutpie', 'numba'):\n"
        "    try: v[p] = md.version(p)\n"
        "    except md.PackageNotFoundError: pass\n"
        "print(json.dumps(v))\n"
    )
    venvs = {}
    for label, py in (("credo", VENV["credo"]), ("anchors", VENV["nutpie"])):
        try:
            out = subprocess.run(
                [py, "-c", probe], capture_output=True, text=True, timeout=120, cwd="/"
            )
            venvs[label] = json.loads(out.stdout.strip().splitlines()[-1])
        except Exception as e:
            venvs[label] = {"error": str(e)}
    rev = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "credo"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "credo_revision": (rev or "unknown") + ("+changes" if dirty else ""),
        "venvs": venvs,
    }


# ---------------------------------------------------------------------------------------------
# report

NOTES = """
- **The PyMC ports** (`bench/posteriordb_pymc.py`) follow credo's models line by line: flat
  priors as `Flat`/`HalfFlat`, the same design matrices and data transformations, the same
  Deterministics (`theta` in eight_schools_noncentered, `f` in gp_pois_regr), the
  mixture likelihood and the HMM forward algorithm as `pm.Potential`s, arma11's error and
  garch11's volatility recursions and lotka_volterra's fixed-step RK4 (10 steps per unit of
  time) with `pytensor.scan`, hmm_example's `mu` with a `positive_ordered` transform written
  on PyMC's `Transform` base. The unconstrained dimensions are equal; where the libraries'
  transforms differ (the simplex transform of the Dirichlet, the ordered transform, the
  lower bound of the TruncatedNormal, the interval of garch11's `beta1`), the dimension is
  the same but the parameterisation of the unconstrained space may not be. The **agree z**
  column checks that each pair of fits describes the same posterior. (credo's
  lotka_volterra has since moved to `pm.ode.DifferentialEquation`; PyMC's own ODE solver is
  timed against it in `bench/ODE.md`.)
- **Gradient evaluations** are the samplers' own leapfrog counts: `n_steps` in nutpie's
  `sample_stats` and `warmup_sample_stats`, credo's `tuning_gradient_evaluations` and
  `gradient_evaluations`. Initialisation (credo's and nutpie's start-point searches) is not
  counted by either.
- **Wall time** includes compilation, which dominates for the small posteriors. credo's
  persistent JAX compilation cache is on by default, so a credo model compiled by an earlier
  run on this machine (its test suite, the posteriordb runner) may load from the cache;
  nutpie compiles the PyTensor graph with numba afresh in every process. Compile seconds are
  shown where the sampler reports them (credo's `compile_time`).
- **Two chains**, not four: 72 fits one at a time on the loaded 2-core machine would not
  have finished in the time available with four. Two chains make min ESS noisier (one seed),
  so single-posterior ratios within about ±30% of each other are not distinguishable; the
  geometric mean over posteriors is steadier.
"""


def _f(x, spec):
    return "–" if x is None or not isinstance(x, int | float) or x != x else format(x, spec)


def _geomean(xs):
    xs = [x for x in xs if x is not None and x > 0 and math.isfinite(x)]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def _cell(r, key, spec):
    if r is None:
        return "not run"
    if r.get("status") != "ok":
        return r.get("status", "?")
    return _f(r.get(key), spec)


def _ratio(a, b, key):
    if not a or not b or a.get("status") != "ok" or b.get("status") != "ok":
        return None
    x, y = a.get(key), b.get(key)
    if x is None or y is None or not y:
        return None
    return x / y


def _agreement(a, b):
    """Largest |mean difference| / its standard error over the scalars two fits share.

    The standard error takes each variable's smallest bulk ESS for all its scalars (so it is
    conservative); a value well above 4 would mean the two tools disagree on the posterior.
    """
    if not a or not b or a.get("status") != "ok" or b.get("status") != "ok":
        return None
    if "means" not in a or "means" not in b:
        return None
    worst = None
    for v, ma in a["means"].items():
        mb = b["means"].get(v)
        if mb is None or len(mb) != len(ma):
            continue
        ea = a["per_variable"][v]["min_ess_bulk"]
        eb = b["per_variable"][v]["min_ess_bulk"]
        if not (ea and eb and ea == ea and eb == eb):
            continue
        for x, y, sa, sb in zip(ma, mb, a["sds"][v], b["sds"][v], strict=True):
            se = math.sqrt(sa**2 / ea + sb**2 / eb)
            if se > 0:
                z = abs(x - y) / se
                worst = z if worst is None else max(worst, z)
    return worst


def write_report(data, path):
    rows = {(r["name"], r["tool"]): r for r in data["results"]}
    names = [n for n in NAMES if any((n, t) in rows for t in TOOLS)]
    settings = data.get("settings", {})
    machine = data.get("machine", {})
    loads = [x for r in data["results"] for pair in [r.get("loadavg") or []] for x in pair if x]
    one_min = [x[0] for x in loads]
    lines = [
        "# posteriordb: credo against nutpie, ESS per gradient evaluation and wall time",
        "",
        "Generated by `python bench/posteriordb_bench.py` (do not edit by hand). credo fits the"
        " models of `tests/statistical/posteriordb/models.py`; nutpie fits the same posteriors"
        " written in PyMC (`bench/posteriordb_pymc.py`: same parameters, priors, names and"
        " unconstrained dimension, recursions with `pytensor.scan`) through"
        ' `pm.sample(nuts_sampler="nutpie")`, with its default diagonal adaptation and with'
        ' `nuts_sampler_kwargs={"adaptation": "low_rank"}`.',
        "",
        "## Machine and settings",
        "",
        f"- Machine: {machine.get('cores')} CPU cores ({machine.get('cpu')}), **shared and"
        " heavily loaded by other jobs**: the 1-minute load average, sampled before and after"
        + (
            f" each fit, ranged {min(one_min):.1f}–{max(one_min):.1f} (mean"
            f" {sum(one_min) / len(one_min):.1f}; one fit itself adds up to 2)."
            if one_min
            else " each fit, was not recorded."
        )
        + " Wall times are therefore noisy; the ESS per gradient evaluation is not.",
        f"- Run: {machine.get('date')}, credo at commit `{machine.get('credo_revision')}`"
        ' ("+changes": uncommitted edits in `credo/`, the sampler being worked on).',
        f"- Versions: credo venv {machine.get('venvs', {}).get('credo')}; anchors venv"
        f" {machine.get('venvs', {}).get('anchors')}.",
        f"- Settings, the same for every tool: chains={settings.get('chains')},"
        f" tune={settings.get('tune')}, draws={settings.get('draws')},"
        f" seed={settings.get('seed')}, target_accept 0.8 (0.95 for eight_schools_centered,"
        " as credo's posteriordb runner uses), max tree depth 10, each tool's default metric"
        ' (credo: `init="auto"`, the low-rank Fisher metric at these sizes; credo\'s runner'
        " fits diamonds with a dense metric, not used here). One fit at a time, each in a"
        f" fresh process, timeout {settings.get('timeout')} s per fit.",
        "- Wall time: model build to InferenceData, compilation included (credo: JAX trace and"
        " XLA compile, persistent compilation cache as configured; nutpie: PyTensor graph"
        " to numba), imports excluded.",
        "- Gradient evaluations: leapfrog steps summed over chains, warm-up (`grad warm`) and"
        " draws (`grad draws`), in thousands.",
        "- min ESS: the smallest rank-normalised bulk ESS over every scalar of the posterior"
        " group (free variables in their constrained space and Deterministics, the same"
        " scalars for every tool), by `bench/ess.py`. **ESS/1k grad** = min ESS per 1,000"
        " gradient evaluations, warm-up included.",
        "",
    ]

    ratios, wall_lr, wall_diag, ratio_diag, agree = {}, {}, {}, {}, {}
    for n in names:
        c, d, lr = (rows.get((n, t)) for t in TOOLS)
        ratios[n] = _ratio(c, lr, "ess_per_1000_grad")
        ratio_diag[n] = _ratio(c, d, "ess_per_1000_grad")
        wall_lr[n] = _ratio(c, lr, "wall_s")
        wall_diag[n] = _ratio(c, d, "wall_s")
        agree[n] = _agreement(c, lr)
    valid = [x for x in ratios.values() if x is not None]
    gm = _geomean(valid)
    lines += [
        "## Headline",
        "",
        f"- credo / nutpie low-rank in ESS per 1,000 gradients, over the {len(valid)}"
        f" posteriors where both fitted: geometric mean **{_f(gm, '.2f')}**;"
        f" credo >= 1x on **{sum(x >= 1 for x in valid)}**, >= 0.7x on"
        f" **{sum(x >= 0.7 for x in valid)}** of {len(valid)}.",
        f"- credo / nutpie (diag) in ESS per 1,000 gradients: geometric mean"
        f" {_f(_geomean(list(ratio_diag.values())), '.2f')}"
        f" ({sum(1 for x in ratio_diag.values() if x is not None)} posteriors).",
        f"- Wall time, credo / nutpie low-rank: geometric mean"
        f" {_f(_geomean(list(wall_lr.values())), '.2f')}; credo / nutpie (diag):"
        f" {_f(_geomean(list(wall_diag.values())), '.2f')} (> 1: credo slower; compilation"
        " included, loaded machine).",
        "",
        "## ESS per 1,000 gradient evaluations and wall time",
        "",
        "LR: nutpie low-rank. **agree z**: the largest |credo mean − nutpie low-rank mean| over"
        " the posterior's scalars in units of the difference's Monte Carlo standard error"
        " (each variable's smallest bulk ESS for all its scalars): a check that the two"
        " models are the same posterior (well above 4 would say they are not).",
        "",
        "| posterior | ESS/1k grad credo | nutpie | nutpie LR | **credo / LR** | credo / nutpie"
        " | wall s credo | nutpie | nutpie LR | wall credo / LR | agree z |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n in names:
        c, d, lr = (rows.get((n, t)) for t in TOOLS)
        cells = [f"`{n}`"]
        cells += [_cell(r, "ess_per_1000_grad", ".1f") for r in (c, d, lr)]
        cells += [f"**{_f(ratios[n], '.2f')}**", _f(ratio_diag[n], ".2f")]
        cells += [_cell(r, "wall_s", ".1f") for r in (c, d, lr)]
        cells += [_f(wall_lr[n], ".2f"), _f(agree[n], ".1f")]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Details per tool",
        "",
        "min ESS (its variable), gradient evaluations in thousands (warm-up + draws),"
        " divergences after warm-up, largest rank-normalised R-hat.",
        "",
        "| posterior | tool | min ESS | variable | grad warm (k) | grad draws (k) | div."
        " | R-hat | wall s (compile) | note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n in names:
        for t in TOOLS:
            r = rows.get((n, t))
            if r is None:
                lines.append(f"| `{n}` | {TOOL_LABEL[t]} | not run |  |  |  |  |  |  |  |")
                continue
            ok = r.get("status") == "ok"
            gw = r.get("grad_warmup") if ok else None
            gd = r.get("grad_draws") if ok else None
            note = "" if ok else f"{r.get('status')}: {r.get('error', '')}"[:200]
            note = note.replace("|", "\\|").replace("\n", " ")
            cells = [
                f"`{n}`",
                TOOL_LABEL[t],
                _f(r.get("min_ess_bulk") if ok else None, ".0f"),
                f"`{r.get('min_ess_var')}`" if ok else "–",
                _f(gw / 1000 if gw is not None else None, ".1f"),
                _f(gd / 1000 if gd is not None else None, ".1f"),
                str(r.get("divergences")) if ok else "–",
                _f(r.get("max_rhat") if ok else None, ".3f"),
                _f(r.get("wall_s") if ok else r.get("process_s"), ".1f")
                + (f" ({r['compile_s']:.1f})" if ok and r.get("compile_s") is not None else ""),
                note,
            ]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Notes", "", NOTES.strip()]
    if data.get("run_notes"):  # what happened during this particular run, kept in the JSON
        lines += ["", "## This run", "", data["run_notes"].strip()]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------------------------


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        return worker(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated posterior names (default: all 24)")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--merge", action="store_true", help="keep the other results in the JSON")
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--tune", type=int, default=1000)
    ap.add_argument("--chains", type=int, default=4)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--report-only", action="store_true", help="rewrite the report, fit nothing")
    args = ap.parse_args(argv)

    names = list(NAMES)
    if args.only:
        names = [s.strip() for s in args.only.split(",") if s.strip()]
        bad = [n for n in names if n not in NAMES]
        if bad:
            ap.error(f"unknown posterior(s) {bad}; choose from {', '.join(NAMES)}")
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    bad = [t for t in tools if t not in TOOLS]
    if bad:
        ap.error(f"unknown tool(s) {bad}; choose from {', '.join(TOOLS)}")

    data = {"results": []}
    if (args.merge or args.report_only) and os.path.exists(RESULTS_JSON):
        with open(RESULTS_JSON) as f:
            data = json.load(f)
    if args.report_only:
        write_report(data, REPORT_MD)
        print(f"wrote {REPORT_MD}")
        return 0

    settings = {
        "draws": args.draws,
        "tune": args.tune,
        "chains": args.chains,
        "seed": args.seed,
        "timeout": args.timeout,
    }
    old = data.get("settings")
    if old and {k: old.get(k) for k in ("draws", "tune", "chains", "seed")} != {
        k: settings[k] for k in ("draws", "tune", "chains", "seed")
    }:
        print(f"warning: merging results of other settings {old}", flush=True)
    data["settings"] = settings
    data["machine"] = machine_info()
    fresh = {(n, t) for n in names for t in tools}
    data["results"] = [r for r in data["results"] if (r["name"], r["tool"]) not in fresh]

    t_start = time.time()
    for i, name in enumerate(names):
        order = tools[i % len(tools) :] + tools[: i % len(tools)]
        for tool in order:
            print(f"== {name} / {tool}", flush=True)
            r = run_fit(
                tool,
                name,
                timeout=args.timeout,
                draws=args.draws,
                tune=args.tune,
                chains=args.chains,
                seed=args.seed,
            )
            data["results"].append(r)
            if r["status"] == "ok":
                print(
                    f"   wall {r['wall_s']:.1f}s  min ESS {r['min_ess_bulk']:.0f}"
                    f" ({r['min_ess_var']})  grad {r['grad_warmup']}+{r['grad_draws']}"
                    f"  ESS/1k grad {_f(r['ess_per_1000_grad'], '.2f')}"
                    f"  div {r['divergences']}  load {r['loadavg']}",
                    flush=True,
                )
            else:
                print(f"   {r['status']}: {r.get('error', '')[:300]}", flush=True)
            # Written after every fit, so that an interrupted run keeps what it has.
            with open(RESULTS_JSON, "w") as f:
                json.dump(data, f, indent=1, default=float)
            write_report(data, REPORT_MD)
    print(f"done in {(time.time() - t_start) / 60:.1f} min; wrote {RESULTS_JSON}, {REPORT_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
