"""Predator and prey: the Lotka-Volterra equations fitted to the Hudson's Bay Company's hare
and lynx pelts, 1900-1920, with ``pm.ode.DifferentialEquation``.

The prey u (hares) and predators v (lynx, both in thousands) follow

    du/dt = (alpha - beta v) u,      dv/dt = (-gamma + delta u) v,

from unknown initial populations z_init in 1900. The pelts counted each year are the
populations with multiplicative (lognormal) error. This is posteriordb's
``hudson_lynx_hare-lotka_volterra`` (Carpenter's Stan case study), with its priors.

Run: ``python -m examples.lotka_volterra`` (4 chains x 1000 draws; a summary, and
``out/lotka_volterra/populations.png``: the data with the posterior's trajectories).
The model is written once, ``build_model(pm)``, for credo or PyMC (``bench/ode_bench.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

YEARS = np.arange(1900, 1921)
# Thousands of pelts, 1900-1920 (posteriordb's hudson_lynx_hare data).
HARE = np.array(
    [30.0, 47.2, 70.2, 77.4, 36.3, 20.6, 18.1, 21.4, 22.0, 25.4, 27.1]
    + [40.3, 57.0, 76.6, 52.3, 19.5, 11.2, 7.6, 14.6, 16.2, 24.7]
)
LYNX = np.array(
    [4.0, 6.1, 9.8, 35.2, 59.4, 41.7, 19.0, 13.0, 8.3, 9.1, 7.4]
    + [8.0, 12.3, 19.5, 45.7, 51.1, 29.7, 15.8, 9.7, 10.1, 8.6]
)
OUT = Path("out") / "lotka_volterra"


def dz_dt(z: Any, t: Any, theta: Any) -> list[Any]:
    """dz/dt for z = (hares, lynx) and theta = (alpha, beta, gamma, delta)."""
    u, v = z[0], z[1]
    alpha, beta, gamma, delta = theta[0], theta[1], theta[2], theta[3]
    return [(alpha - beta * v) * u, (-gamma + delta * u) * v]


def starting_theta() -> np.ndarray:
    """A start for theta read off the data: over a cycle the average populations are the
    equilibrium (gamma / delta, alpha / beta), and a cycle lasts about 2 pi / sqrt(alpha
    gamma) (the hares peak in 1903 and 1913). From the priors' centre instead, about one
    chain in four settles in a poorer local mode (log-density ~40 lower)."""
    rate = 2 * np.pi / 10.0
    return np.array([rate, rate / LYNX[1:].mean(), rate, rate / HARE[1:].mean()])


def build_model(pm: Any, **ode_options: Any) -> Any:
    """The model with ``pm`` = credo or pymc (the same code runs with either).

    ``ode_options`` go to ``DifferentialEquation`` (credo's solver options: ``adjoint``,
    ``rtol``, ...)."""
    times = (YEARS[1:] - YEARS[0]).astype(float)
    observed = np.stack([HARE[1:], LYNX[1:]], axis=1)
    ode_model = pm.ode.DifferentialEquation(func=dz_dt, times=times, n_states=2, n_theta=4, t0=0)
    coords = {
        "year": YEARS[1:],
        "species": ["hare", "lynx"],
        "param": ["alpha", "beta", "gamma", "delta"],
    }
    with pm.Model(coords=coords) as model:
        theta = pm.TruncatedNormal(
            "theta",
            mu=np.array([1.0, 0.05, 1.0, 0.05]),
            sigma=np.array([0.5, 0.05, 0.5, 0.05]),
            lower=0.0,
            initval=starting_theta(),
            dims="param",
        )
        first = np.array([HARE[0], LYNX[0]])
        # started at the pelts of 1900
        z_init = pm.LogNormal("z_init", np.log(10.0), 1, initval=first, dims="species")
        sigma = pm.LogNormal("sigma", -1, 1, dims="species")
        z = pm.Deterministic(
            "populations", ode_model(y0=z_init, theta=theta), dims=("year", "species")
        )
        pm.LogNormal("pelts_1900", pm.math.log(z_init), sigma, observed=first)
        pm.LogNormal("pelts", pm.math.log(z), sigma, observed=observed, dims=("year", "species"))
    return model


def plot(idata: Any, path: Path) -> Path:
    """The pelts and the posterior's population trajectories (median, 90% band)."""
    import matplotlib.pyplot as plt

    post = idata["posterior"]
    z = np.concatenate([post["z_init"].values[:, :, None], post["populations"].values], axis=2)
    z = z.reshape(-1, len(YEARS), 2)
    lo, mid, hi = np.quantile(z, [0.05, 0.5, 0.95], axis=0)
    fig, ax = plt.subplots(figsize=(8, 4))
    for k, (name, data, colour) in enumerate(
        (("hares", HARE, "tab:blue"), ("lynx", LYNX, "tab:orange"))
    ):
        ax.fill_between(YEARS, lo[:, k], hi[:, k], color=colour, alpha=0.25)
        ax.plot(YEARS, mid[:, k], color=colour, label=f"{name}: posterior median, 90%")
        ax.plot(YEARS, data, "o", color=colour, ms=4, label=f"{name}: pelts")
    ax.set_xlabel("year")
    ax.set_ylabel("thousands")
    ax.legend(ncol=2, fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return path


def main(draws: int = 1000, tune: int = 1000, chains: int = 4, out: Path = OUT) -> Any:
    import arviz as az

    import credo as pm

    model = build_model(pm)
    with model:
        idata = pm.sample(draws, tune=tune, chains=chains, random_seed=1900, progressbar=False)
    summary = az.summary(idata, var_names=["theta", "z_init", "sigma"])
    print(summary)
    print("plot:", plot(idata, Path(out) / "populations.png"))
    return idata, summary


if __name__ == "__main__":
    main()
