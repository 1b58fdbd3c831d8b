"""Gaussian process regression with ``pm.gp.Marginal``, as PyMC's "Marginal Likelihood
Implementation" page writes it: a Matern 5/2 GP with unknown lengthscale, amplitude and noise
on noisy 1-d data; the MAP estimate, a posterior by NUTS, predictions at new inputs from the
exact conditional (``gp.conditional`` drawn by ``sample_posterior_predictive``) and from
``gp.predict`` at the MAP, and a plot saved to ``out/gp_regression.png``.

Run: ``python -m examples.gp_regression``.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np


def _credo() -> Any:
    import credo

    return credo


def make_data(n: int = 100, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Noisy draws of a smooth function: X (n, 1), y (n,), and the true function at X."""
    rng = np.random.default_rng(seed)
    X = np.sort(rng.uniform(0, 10, n))[:, None]
    f_true = np.sin(X[:, 0]) + 0.5 * np.cos(0.5 * X[:, 0])
    y = f_true + 0.3 * rng.normal(size=n)
    return X, y, f_true


def build(X: np.ndarray, y: np.ndarray, pm: Any = None) -> tuple[Any, Any]:
    """The model; ``pm`` is the library (credo by default; PyMC in the benchmark, which runs
    this same code)."""
    pm = pm or _credo()
    with pm.Model() as model:
        ls = pm.Gamma("ls", alpha=2, beta=1)
        eta = pm.HalfCauchy("eta", beta=5)
        cov = eta**2 * pm.gp.cov.Matern52(1, ls)
        gp = pm.gp.Marginal(cov_func=cov)
        sigma = pm.HalfCauchy("sigma", beta=5)
        gp.marginal_likelihood("y", X=X, y=y, sigma=sigma)
    return model, gp


def run(
    n: int = 100,
    n_new: int = 200,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int = 1,
    plot: bool = True,
) -> dict[str, Any]:
    """Fit, predict and (optionally) plot; returns the results and timings."""
    pm = _credo()
    X, y, f_true = make_data(n, random_seed)
    X_new = np.linspace(-1, 11, n_new)[:, None]
    model, gp = build(X, y)
    t0 = time.perf_counter()
    with model:
        mp = pm.find_MAP(progressbar=False)
    t_map = time.perf_counter() - t0
    t0 = time.perf_counter()
    with model:
        idata = pm.sample(
            draws=draws, tune=tune, chains=chains, random_seed=random_seed, progressbar=False
        )
    t_sample = time.perf_counter() - t0
    t0 = time.perf_counter()
    with model:
        gp.conditional("f_pred", X_new)
        pp = pm.sample_posterior_predictive(idata, var_names=["f_pred"], random_seed=random_seed)
    t_pred = time.perf_counter() - t0
    mu, var = gp.predict(X_new, point=mp, diag=True)
    out = {
        "map": mp,
        "idata": idata,
        "f_pred": pp.posterior_predictive["f_pred"].values,
        "X": X,
        "y": y,
        "X_new": X_new,
        "mu_map": mu,
        "var_map": var,
        "seconds": {"find_MAP": t_map, "sample": t_sample, "predict": t_pred},
    }
    if plot:
        out["figure"] = _plot(out, f_true)
    return out


def _plot(res: dict[str, Any], f_true: np.ndarray) -> str:
    pm = _credo()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4))
    x_new = res["X_new"][:, 0]
    pm.gp.util.plot_gp_dist(ax, res["f_pred"], x_new, palette="Blues")
    sd = np.sqrt(res["var_map"])
    ax.plot(x_new, res["mu_map"], "k--", lw=1.5, label="predict at the MAP")
    ax.fill_between(x_new, res["mu_map"] - 2 * sd, res["mu_map"] + 2 * sd, color="k", alpha=0.1)
    ax.plot(res["X"][:, 0], f_true, "dodgerblue", lw=2, label="true f")
    ax.plot(res["X"][:, 0], res["y"], "ok", ms=3, alpha=0.6, label="data")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title("Marginal GP: posterior predictive of f")
    ax.legend(loc="upper right")
    os.makedirs("out", exist_ok=True)
    path = os.path.join("out", "gp_regression.png")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return path


def main() -> None:
    pm = _credo()
    res = run()
    s = res["seconds"]
    print(pm.summary(res["idata"], var_names=["ls", "eta", "sigma"]))
    print(
        f"find_MAP {s['find_MAP']:.1f} s, sample {s['sample']:.1f} s, predictions "
        f"{s['predict']:.1f} s; plot: {res['figure']}"
    )


if __name__ == "__main__":
    main()
