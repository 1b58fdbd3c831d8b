"""The tutorial report: per model its code, ArviZ summary, trace plot, model graph,
data-generating values beside the posterior means, and the checked conclusion; written as
``index.html`` and its Markdown twin ``README.md``.
"""

from __future__ import annotations

import html
import inspect
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: the report only writes files

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from pygments import highlight  # noqa: E402
from pygments.formatters import HtmlFormatter  # noqa: E402
from pygments.lexers import PythonLexer  # noqa: E402

__all__ = [
    "ModelResult",
    "tutorial_code",
    "data_code",
    "plot_trace",
    "truth_rows",
    "write_html",
    "write_markdown",
]

SUMMARY_COLUMNS = (
    "mean",
    "sd",
    "hdi94_lb",
    "hdi94_ub",
    "ess_bulk",
    "ess_tail",
    "r_hat",
    "mcse_mean",
    "mcse_sd",
)


@dataclass
class ModelResult:
    """What the report shows for one model (paths relative to the report's folder)."""

    module: str
    title: str
    name: str
    claim: str
    note: str
    code: str
    data_code: str
    criterion: str = ""  # what check() tests (its docstring)
    seconds: float = float("nan")
    cpu_seconds: float = float("nan")
    compile_seconds: float = float("nan")
    sampling_seconds: float = float("nan")
    sample_args: str = ""
    divergences: int = 0
    max_rhat: float = float("nan")
    min_ess_bulk: float = float("nan")
    holds: bool = False
    conclusion: str = ""
    summary: pd.DataFrame | None = None  # az.summary's numbers
    truth: list[tuple[str, str, str, str]] = field(default_factory=list)
    trace_png: str | None = None
    graph_file: str | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def number(self) -> str:
        return self.module[1:3]


# -- source extraction --------------------------------------------------------------------------
def tutorial_code(module: ModuleType) -> str:
    """The ``with pm.Model() as ...:`` block of ``module.run`` (with the comment lines just
    above it), as the tutorial writes it."""
    lines = inspect.getsource(module.run).splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("with pm.Model()"))
    indent = len(lines[start]) - len(lines[start].lstrip())
    first = start
    while first > 0 and _is_comment(lines[first - 1]):
        first -= 1
    end = start + 1
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
    ):
        end += 1
    block = "\n".join(lines[first:end]).rstrip()
    return textwrap.dedent(block)


def _is_comment(line: str) -> bool:
    # "# fmt: off" keeps the formatter off the tutorial's code; it is not the tutorial's.
    return line.lstrip().startswith("#") and not line.lstrip().startswith("# fmt:")


def data_code(module: ModuleType) -> str:
    """The body of ``module.make_data`` without its ``return``: the tutorial's
    data-generating code ('' where the tutorial has none)."""
    src = inspect.getsource(module.make_data)
    if "np.random.seed" not in src:
        return ""
    body = src.splitlines()[1:]
    body = [ln for ln in body if not ln.strip().startswith(("return", "# fmt:"))]
    return textwrap.dedent("\n".join(body)).strip()


# -- numbers ----------------------------------------------------------------------------------
def _entry_names(name: str, shape: tuple[int, ...]) -> list[str]:
    if not shape:
        return [name]
    return [f"{name}[{', '.join(map(str, idx))}]" for idx in np.ndindex(*shape)]


def truth_rows(truth: dict[str, Any], posterior: Any) -> list[tuple[str, str, str, str]]:
    """``(entry, data-generating value, posterior mean, posterior sd)`` for each entry of
    each variable in ``truth`` that the posterior holds."""
    rows = []
    for name, value in truth.items():
        if name not in posterior:
            continue
        da = posterior[name]
        mean = np.asarray(da.mean(("chain", "draw")))
        sd = np.asarray(da.std(("chain", "draw")))
        val = np.broadcast_to(np.asarray(value, dtype=float), mean.shape)
        for label, v, m, s in zip(
            _entry_names(name, mean.shape), val.ravel(), mean.ravel(), sd.ravel()
        ):
            rows.append((label, f"{v:.4g}", f"{m:.4g}", f"{s:.2g}"))
    return rows


# -- trace plot --------------------------------------------------------------------------------
_LINESTYLES = ("-", "--", ":", "-.")


def plot_trace(posterior: Any, var_names: list[str], path: Path) -> Path:
    """PyMC3's trace plot: one row per variable, the density of each chain on the left (every
    entry of an array variable in its own colour) and the draws in order on the right."""
    n = len(var_names)
    fig, axes = plt.subplots(n, 2, figsize=(11, 1.9 * n + 0.4), squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for row, name in enumerate(var_names):
        values = np.asarray(posterior[name])  # (chain, draw, *shape)
        chains, draws = values.shape[:2]
        flat = values.reshape(chains, draws, -1)
        ax_d, ax_t = axes[row]
        for k in range(flat.shape[2]):
            color = colors[k % len(colors)]
            for c in range(chains):
                x = flat[c, :, k]
                ls = _LINESTYLES[c % len(_LINESTYLES)]
                ax_t.plot(np.arange(draws), x, color=color, ls=ls, lw=0.6, alpha=0.8)
                grid, dens = _density(x)
                ax_d.plot(grid, dens, color=color, ls=ls, lw=1.2)
        ax_d.set_title(name, fontsize=10)
        ax_t.set_title(name, fontsize=10)
        ax_d.set_yticks([])
        for ax in (ax_d, ax_t):
            ax.tick_params(labelsize=8)
    axes[-1, 1].set_xlabel("draw", fontsize=9)
    # Fixed margins: tight_layout would draw the figure twice.
    fig.subplots_adjust(
        left=0.04,
        right=0.98,
        top=1 - 0.35 / fig.get_figheight(),
        bottom=0.5 / fig.get_figheight(),
        wspace=0.12,
        hspace=0.55,
    )
    fig.savefig(path, dpi=72)
    plt.close(fig)
    return path


def _density(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A Gaussian KDE of ``x`` (Scott's bandwidth) on 200 points, binned: the histogram
    smoothed with the kernel (a spike for constant draws)."""
    lo, hi = float(np.min(x)), float(np.max(x))
    sd = float(np.std(x))
    if not np.isfinite(lo) or not np.isfinite(hi) or sd <= 1e-12 * max(1.0, abs(lo)):
        return np.array([lo, lo]), np.array([0.0, 1.0])
    bw = 1.06 * sd * x.size ** (-0.2)
    grid = np.linspace(lo - 3 * bw, hi + 3 * bw, 200)
    step = grid[1] - grid[0]
    counts, _ = np.histogram(x, bins=grid.size, range=(grid[0] - step / 2, grid[-1] + step / 2))
    half = int(np.ceil(4 * bw / step))
    offsets = np.arange(-half, half + 1) * step
    kernel = np.exp(-0.5 * (offsets / bw) ** 2)
    dens = np.convolve(counts, kernel, mode="same")
    return grid, dens / (dens.sum() * step)


# -- HTML --------------------------------------------------------------------------------------
_CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1100px; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-top: 1px solid #ddd; padding-top: 1em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.overview td:nth-child(2) { text-align: left; }
.highlight pre, pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
blockquote { color: #555; border-left: 4px solid #ccc; margin-left: 0; padding-left: 1em; }
.pass { color: #1a7f37; font-weight: bold; } .fail { color: #cf222e; font-weight: bold; }
.note { color: #555; font-size: 0.92em; }
img { max-width: 100%; }
.figs { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
"""


def _mark(holds: bool) -> str:
    return (
        '<span class="pass">&#10004; holds</span>'
        if holds
        else ('<span class="fail">&#10008; does not hold</span>')
    )


def _code_html(code: str) -> str:
    return highlight(code, PythonLexer(), HtmlFormatter(noclasses=True, nobackground=True))


def _table_html(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary_cell(column: str, x: Any) -> str:
    x = float(x)
    if not np.isfinite(x):
        return "-"
    if column.startswith("ess"):
        return f"{x:.0f}"
    if column == "r_hat":
        return f"{x:.3f}"
    return f"{x:.4g}"


def _summary_rows(summary: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """ArviZ's summary as strings: 4 significant digits, ESS whole, R-hat to 3 decimals."""
    cols = [c for c in SUMMARY_COLUMNS if c in summary.columns]
    rows = [
        [str(idx), *(_summary_cell(c, summary.loc[idx, c]) for c in cols)] for idx in summary.index
    ]
    return ["", *cols], rows


def _fmt_rhat(x: float) -> str:
    return "-" if not np.isfinite(x) else f"{x:.3f}"


def _overview_rows(results: list[ModelResult], anchors: bool) -> list[list[str]]:
    rows = []
    for r in results:
        title = html.escape(r.title)
        link = f'<a href="#m{r.number}">{title}</a>' if anchors else title
        rows.append(
            [
                r.number,
                link,
                f"{r.seconds:.1f}",
                str(r.divergences),
                _fmt_rhat(r.max_rhat),
                "error" if r.error else _mark(r.holds),
            ]
        )
    return rows


def write_html(results: list[ModelResult], out_dir: Path, header: dict[str, str]) -> Path:
    """Write ``out_dir/index.html``; every image it references lies in ``out_dir``."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>credo: the PyMC3 regression tutorial</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>The PyMC3 regression tutorial, run with credo</h1>",
        "<p>"
        + " &middot; ".join(f"{html.escape(k)}: {html.escape(v)}" for k, v in header.items())
        + "</p>",
        _table_html(
            ["#", "model", "seconds", "divergences", "max R-hat", "conclusion"],
            _overview_rows(results, anchors=True),
            cls="overview",
        ),
    ]
    for r in results:
        parts.append(_model_html(r, out_dir))
    parts.append("</body></html>")
    path = out_dir / "index.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def _image(out_dir: Path, rel: str | None, alt: str) -> str:
    if rel is None or not (out_dir / rel).exists():
        return ""
    if rel.endswith(".png"):
        return f'<img src="{html.escape(rel)}" alt="{html.escape(alt)}">'
    return f'<p><a href="{html.escape(rel)}">{html.escape(alt)} (Graphviz DOT text)</a></p>'


def _model_html(r: ModelResult, out_dir: Path) -> str:
    out = [
        f'<h2 id="m{r.number}">{r.number}. {html.escape(r.title)} '
        f"<code>{html.escape(r.name)}</code></h2>",
        f"<p>The tutorial:</p><blockquote>{html.escape(r.claim)}</blockquote>",
    ]
    if r.error:
        out.append(f"<p class='fail'>The model failed:</p><pre>{html.escape(r.error)}</pre>")
        out.append(_code_html(r.code))
        return "\n".join(out)
    out.append(f"<p><b>Conclusion</b> {_mark(r.holds)}: {html.escape(r.conclusion)}.</p>")
    if r.criterion:
        out.append(f"<p class='note'>Checked: {html.escape(r.criterion)}</p>")
    out.append(
        f"<p class='note'>{r.seconds:.1f} s, {r.cpu_seconds:.1f} s of CPU (compile "
        f"{r.compile_seconds:.1f} s, sampling "
        f"{r.sampling_seconds:.1f} s); {r.divergences} divergences; max R-hat "
        f"{_fmt_rhat(r.max_rhat)}; min bulk ESS {r.min_ess_bulk:.0f}. "
        f"Sampled as written, with {html.escape(r.sample_args)} added.</p>"
    )
    out.append(_code_html(r.code))
    if r.data_code:
        out.append("<details><summary>data-generating code</summary>")
        out.append(_code_html(r.data_code))
        out.append("</details>")
    if r.truth:
        out.append("<h3>Data-generating values and posterior means</h3>")
        out.append(
            _table_html(
                ["variable", "data-generating", "posterior mean", "posterior sd"],
                [[html.escape(c) for c in row] for row in r.truth],
            )
        )
    if r.note:
        out.append(f"<p class='note'>{html.escape(r.note)}</p>")
    if r.summary is not None:
        out.append("<h3>ArviZ summary (94% HDI)</h3>")
        head, rows = _summary_rows(r.summary)
        out.append(_table_html(head, [[html.escape(c) for c in row] for row in rows]))
    out.append('<div class="figs">')
    out.append(_image(out_dir, r.trace_png, f"trace plot of {r.name}"))
    out.append(_image(out_dir, r.graph_file, f"model graph of {r.name}"))
    out.append("</div>")
    if r.warnings:
        out.append("<h3>Warnings while sampling</h3><ul>")
        out.extend(f"<li>{html.escape(w)}</li>" for w in r.warnings)
        out.append("</ul>")
    return "\n".join(out)


# -- Markdown ----------------------------------------------------------------------------------
def _md_table(header: list[str], rows: list[list[str]]) -> str:
    def cell(x: str) -> str:
        return x.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |"]
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|")
    lines.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in rows)
    return "\n".join(lines)


def write_markdown(results: list[ModelResult], out_dir: Path, header: dict[str, str]) -> Path:
    """Write ``out_dir/README.md``, the report's Markdown twin (same images)."""
    md = [
        "# The PyMC3 regression tutorial, run with credo",
        "",
        " · ".join(f"{k}: {v}" for k, v in header.items()),
        "",
        _md_table(
            ["#", "model", "seconds", "divergences", "max R-hat", "conclusion"],
            [
                [
                    r.number,
                    r.title,
                    f"{r.seconds:.1f}",
                    str(r.divergences),
                    _fmt_rhat(r.max_rhat),
                    "error" if r.error else ("✔ holds" if r.holds else "✘ does not hold"),
                ]
                for r in results
            ],
        ),
        "",
    ]
    for r in results:
        md += [
            f"## {r.number}. {r.title} (`{r.name}`)",
            "",
            "The tutorial:",
            "",
            f"> {r.claim}",
            "",
        ]
        if r.error:
            md += ["**The model failed:**", "", "```", r.error, "```", ""]
            md += ["```python", r.code, "```", ""]
            continue
        mark = "✔ holds" if r.holds else "✘ does not hold"
        md += [f"**Conclusion ({mark}):** {r.conclusion}.", ""]
        if r.criterion:
            md += [f"*Checked: {r.criterion}*", ""]
        md += [
            f"{r.seconds:.1f} s, {r.cpu_seconds:.1f} s of CPU (compile {r.compile_seconds:.1f} s, "
            "sampling "
            f"{r.sampling_seconds:.1f} s); {r.divergences} divergences; max R-hat "
            f"{_fmt_rhat(r.max_rhat)}; min bulk ESS {r.min_ess_bulk:.0f}. Sampled as written, "
            f"with {r.sample_args} added.",
            "",
            "```python",
            r.code,
            "```",
            "",
        ]
        if r.data_code:
            md += [
                "<details><summary>data-generating code</summary>",
                "",
                "```python",
                r.data_code,
                "```",
                "",
                "</details>",
                "",
            ]
        if r.truth:
            md += [
                _md_table(
                    ["variable", "data-generating", "posterior mean", "posterior sd"],
                    [list(row) for row in r.truth],
                ),
                "",
            ]
        if r.note:
            md += [f"*{r.note}*", ""]
        if r.summary is not None:
            head, rows = _summary_rows(r.summary)
            md += ["ArviZ summary (94% HDI):", "", _md_table(head, rows), ""]
        for rel, alt in ((r.trace_png, "trace plot"), (r.graph_file, "model graph")):
            if rel is None or not (out_dir / rel).exists():
                continue
            md += [f"![{alt}]({rel})" if rel.endswith(".png") else f"[{alt}]({rel})", ""]
        if r.warnings:
            md += ["Warnings while sampling:", ""] + [f"- {w}" for w in r.warnings] + [""]
    path = out_dir / "README.md"
    path.write_text("\n".join(md), encoding="utf-8")
    return path
