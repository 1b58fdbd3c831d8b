"""Run the tutorial's sixteen models and write a report: ``make demo``, or

    python -m examples.tutorial.demo [--models 1,8,fork_model] [--out DIR] [--quick] [--jobs N]

Each model runs exactly as the tutorial writes it, with ``progressbar=False`` and a
``random_seed`` added to its ``pm.sample(...)`` call (``--quick`` also cuts draws and tuning).
The report (``DIR/index.html`` and ``DIR/README.md``) shows per model its code, the ArviZ
summary, a trace plot, the model graph, the data-generating values beside the posterior
means, and the tutorial's conclusion checked on the posterior. The exit status is 1 when a
model fails or a conclusion does not hold. Models run two at a time in worker processes on
a machine with two or more cores (``--jobs 1``: one after the other in this process), and
JAX's persistent compilation cache (credo's, unless ``--compile-cache DIR``) spares a second
run most compiling.
"""

from __future__ import annotations

import time

_T_START = time.perf_counter()  # the total time printed includes the imports

import argparse  # noqa: E402
import inspect  # noqa: E402
import logging  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Iterator, Sequence  # noqa: E402
from concurrent.futures import ProcessPoolExecutor, as_completed  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402

import arviz as az  # noqa: E402
import jax  # noqa: E402
import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import (  # noqa: E402
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

import credo  # noqa: E402
from credo.graphviz import render_graph  # noqa: E402
from examples.tutorial import MODULES, load  # noqa: E402
from examples.tutorial.common import HDI_PROB, tutorial_api  # noqa: E402
from examples.tutorial.report import (  # noqa: E402
    ModelResult,
    data_code,
    plot_trace,
    truth_rows,
    tutorial_code,
    write_html,
    write_markdown,
)

__all__ = ["main", "run_model", "QUICK"]

QUICK = {"draws": 200, "tune": 300}  # --quick: enough for the report, not for the checks
DEFAULT_OUT = Path("out") / "tutorial"
DEFAULT_CACHE = Path("out") / ".jax_cache"  # where credo has set up no cache
# NUTS runs to its maximum tree depth on these posteriors' long thin ridges.
_LONGEST = ("m11_combined_confounds", "m08_fork")


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m examples.tutorial.demo",
        description="Run the PyMC3 tutorial's models with credo and write a report.",
    )
    p.add_argument(
        "--models",
        default="",
        help="comma-separated models to run: numbers (8), module names (m08_fork) or the "
        "tutorial's model names (fork_model); default: all sixteen",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="report folder")
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"sample with {QUICK} instead of the tutorial's draws and tuning",
    )
    p.add_argument("--seed", type=int, default=1, help="random_seed for every pm.sample")
    p.add_argument(
        "--compile-cache",
        type=Path,
        default=None,
        help="JAX's persistent compilation cache folder, where a second run finds most of its "
        "compiled programs (default: the one credo sets up, ~/.cache/credo/jax)",
    )
    p.add_argument("--no-compile-cache", action="store_true", help="compile everything afresh")
    p.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="models run side by side in this many worker processes (one model's compiling, "
        "which uses one core, then overlaps another's sampling)",
    )
    return p.parse_args(argv)


def _selected(spec: str) -> list[ModuleType]:
    if not spec.strip():
        return [load(m) for m in MODULES]
    return [load(s.strip()) for s in spec.split(",") if s.strip()]


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


@contextmanager
def _captured(sink: list[str]) -> Iterator[None]:
    """Collect credo's log warnings and Python warnings into ``sink`` (shown in the report,
    kept off the terminal)."""
    logger = logging.getLogger("credo")
    handler = _ListHandler(sink)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        sink.extend(f"{w.category.__name__}: {w.message}" for w in caught)
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _result(module: ModuleType) -> ModelResult:
    return ModelResult(
        module=module.__name__.rsplit(".", 1)[-1],
        title=module.TITLE,
        name=module.NAME,
        claim=module.CLAIM,
        note=getattr(module, "NOTE", ""),
        code=tutorial_code(module),
        data_code=data_code(module),
        criterion=" ".join((inspect.getdoc(module.check) or "").split()),
    )


def run_model(
    module: ModuleType, out_dir: Path, *, seed: int = 1, quick: bool = False
) -> ModelResult:
    """Run one tutorial module, check its conclusion, draw its figures into ``out_dir/img``."""
    res = _result(module)
    overrides: dict[str, Any] = {"progressbar": False, "random_seed": seed}
    if quick:
        overrides.update(QUICK)
    res.sample_args = ", ".join(f"{k}={v!r}" for k, v in overrides.items())
    img = out_dir / "img"
    img.mkdir(parents=True, exist_ok=True)
    with _captured(res.warnings):
        t0, cpu0 = time.perf_counter(), time.process_time()
        try:
            model, trace, _ = module.run(pm=tutorial_api(**overrides))
        except Exception:
            res.seconds = time.perf_counter() - t0
            res.error = traceback.format_exc(limit=6)
            return res
        res.seconds = time.perf_counter() - t0
        res.cpu_seconds = time.process_time() - cpu0  # all of this process's threads
        try:
            _describe(res, module, model, trace, out_dir)
        except Exception:
            res.error = traceback.format_exc(limit=6)
    return res


def _describe(res: ModelResult, module: ModuleType, model: Any, trace: Any, out: Path) -> None:
    posterior = trace["posterior"]
    res.compile_seconds = float(trace.attrs.get("compile_time", np.nan))
    res.sampling_seconds = float(trace.attrs.get("sampling_time", np.nan))
    res.divergences = int(trace["sample_stats"]["diverging"].values.sum())
    names = [v.name for v in model.free_RVs + model.deterministics if v.name in posterior]
    summary = az.summary(trace, var_names=names, ci_prob=HDI_PROB, ci_kind="hdi", round_to="none")
    res.max_rhat = float(np.nanmax(summary["r_hat"].to_numpy(dtype=float)))
    res.min_ess_bulk = float(np.nanmin(summary["ess_bulk"].to_numpy(dtype=float)))
    res.summary = summary
    res.holds, res.conclusion = module.check(trace)
    res.truth = truth_rows(module.TRUTH, posterior)
    res.trace_png = plot_trace(posterior, names, out / "img" / f"{res.module}_trace.png")
    res.trace_png = str(Path(res.trace_png).relative_to(out))
    graph = render_graph(model, out / "img" / f"{res.module}_graph.png")
    res.graph_file = str(Path(graph).relative_to(out))


def _line(r: ModelResult) -> str:
    if r.error:
        verdict = "[bold red]model failed[/]"
    else:
        verdict = "[green]holds[/]" if r.holds else "[bold red]does not hold[/]"
    mark = "[green]✔[/]" if (r.holds and not r.error) else "[red]✘[/]"
    rhat = "  -  " if not np.isfinite(r.max_rhat) else f"{r.max_rhat:5.3f}"
    warn = f" [yellow]⚠ {len(r.warnings)}[/]" if r.warnings else ""  # listed in the report
    return (
        f"{mark} {r.number} {r.name:<31} {r.seconds:5.1f} s  div {r.divergences:>2}  "
        f"R-hat {rhat}  {verdict}{warn}"
    )


def _use_cache(folder: Path | None) -> None:
    """Compile into ``folder`` (JAX's persistent cache), or compile afresh when ``None``."""
    if folder is None:
        jax.config.update("jax_enable_compilation_cache", False)
        return
    jax.config.update("jax_enable_compilation_cache", True)
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


def _cache(args: argparse.Namespace) -> tuple[Path | None, str]:
    """The cache folder to use (the one credo set up, unless --compile-cache names one) and
    how it stands."""
    if args.no_compile_cache:
        _use_cache(None)
        return None, "off"
    configured = jax.config.jax_compilation_cache_dir
    folder = args.compile_cache or (Path(configured) if configured else DEFAULT_CACHE)
    folder.mkdir(parents=True, exist_ok=True)
    entries = sum(1 for _ in folder.iterdir())
    _use_cache(folder)
    return folder, f"{folder} ({'warm, ' + str(entries) + ' entries' if entries else 'cold'})"


def _worker(name: str, out: Path, seed: int, quick: bool, cache: Path | None) -> ModelResult:
    _use_cache(cache)
    return run_model(load(name), out, seed=seed, quick=quick)


def _run_all(
    modules: list[ModuleType], args: argparse.Namespace, cache: Path | None, report: Any
) -> list[ModelResult]:
    """Run the models (in ``args.jobs`` worker processes when more than one); ``report`` is
    called with each result as it comes."""
    if args.jobs <= 1:
        results = []
        for module in modules:
            results.append(run_model(module, args.out, seed=args.seed, quick=args.quick))
            report(results[-1])
        return results
    names = [m.__name__.rsplit(".", 1)[-1] for m in modules]
    # The longest runs start first, so that the workers finish at about the same time.
    order = sorted(names, key=lambda n: (n not in _LONGEST, names.index(n)))
    done: dict[str, ModelResult] = {}
    ctx = multiprocessing.get_context("spawn")  # a fresh JAX runtime per worker
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=ctx) as pool:
        futures = {
            pool.submit(_worker, n, args.out, args.seed, args.quick, cache): n for n in order
        }
        for fut in as_completed(futures):
            name = futures[fut]
            try:
                done[name] = fut.result()
            except Exception:  # the worker died (run_model itself catches model errors)
                done[name] = _result(load(name))
                done[name].error = traceback.format_exc(limit=6)
            report(done[name])
    return [done[n] for n in names]


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished worker processes."""
    try:
        import resource
    except ImportError:  # not POSIX: this process only
        return time.process_time()
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: Sequence[str] | None = None, console: Console | None = None) -> int:
    args = _parse(argv)
    console = console or Console()
    modules = _selected(args.models)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cache, cache_text = _cache(args)
    header = {
        "credo": credo.__version__,
        "jax": jax.__version__,
        "arviz": az.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {load1:.1f} at start",
        "compile cache": cache_text,
        "draws": "quick " + str(QUICK) if args.quick else "the tutorial's",
        "random_seed": str(args.seed),
    }
    console.print(
        f"[bold]The PyMC3 tutorial with credo[/]: {len(modules)} models, "
        f"{os.cpu_count()} cores (load {load1:.1f}), {args.jobs} at a time, compile cache "
        f"{header['compile cache']}"
    )
    t_models = time.perf_counter()
    cpu_models = _cpu_seconds()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("running the models", total=len(modules))

        def report(res: ModelResult) -> None:
            console.print(_line(res))
            progress.advance(task)

        results = _run_all(modules, args, cache, report)
    models_s = time.perf_counter() - t_models
    models_cpu = _cpu_seconds() - cpu_models
    total = time.perf_counter() - _T_START
    header["time"] = (
        f"{total:.1f} s in all, {models_s:.1f} s running the models ({models_cpu:.0f} s of CPU, "
        f"{args.jobs} at a time)"
    )
    html_path = write_html(results, out, header)
    write_markdown(results, out, header)
    holding = sum(r.holds and not r.error for r in results)
    total = time.perf_counter() - _T_START
    console.print(
        f"[bold]{holding}/{len(results)} conclusions hold[/]; total {total:.1f} s "
        f"(running, summarising and plotting the models {models_s:.1f} s, using "
        f"{models_cpu:.0f} s of CPU; imports and writing the report {total - models_s:.1f} s)"
    )
    console.print(f"report: {html_path} (and {out / 'README.md'})")
    return 0 if holding == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
