"""PyMC's re-exports of ArviZ (``pm.summary``, ``pm.plot_trace``, PyMC3's ``pm.traceplot``).

Each forwards to the ArviZ function of the same purpose, imported on first use (ArviZ's
import is slow and sampling does not need it).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "summary",
    "plot_trace",
    "traceplot",
    "plot_forest",
    "plot_pair",
    "plot_energy",
    "hdi",
    "loo",
    "compare",
    "ess",
    "rhat",
]


def _forward(name: str, target: str, doc: str):
    def fn(*args: Any, **kwargs: Any) -> Any:
        import arviz as az

        return getattr(az, target)(*args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"{doc} Forwards to ``arviz.{target}``; see its documentation."
    return fn


summary = _forward("summary", "summary", "Summary table of the posterior (mean, sd, ESS, R-hat).")
# PyMC3's traceplot drew densities (left) and traces (right): ArviZ 1.x's plot_trace_dist.
plot_trace = _forward(
    "plot_trace", "plot_trace_dist", "Trace plot: densities (left) and traces (right) per chain."
)
traceplot = _forward("traceplot", "plot_trace_dist", "PyMC3's name for plot_trace.")
plot_forest = _forward("plot_forest", "plot_forest", "Forest plot of credible intervals.")
plot_pair = _forward("plot_pair", "plot_pair", "Pair plot of posterior draws.")
plot_energy = _forward("plot_energy", "plot_energy", "Energy plot (NUTS diagnostics).")
hdi = _forward("hdi", "hdi", "Highest density interval.")
loo = _forward("loo", "loo", "PSIS leave-one-out cross-validation.")
compare = _forward("compare", "compare", "Compare models by expected log predictive density.")
ess = _forward("ess", "ess", "Effective sample size.")
rhat = _forward("rhat", "rhat", "R-hat convergence diagnostic.")
