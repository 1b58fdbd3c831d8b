"""A Hilbert space GP approximation (``pm.gp.HSGP``) on 10^4 noisy points: an ExpQuad GP
with unknown lengthscale, amplitude and noise, whose exact version would need 10^4 x 10^4
Cholesky factors at every gradient. ``m`` and ``c`` come from
``pm.gp.hsgp_approx.approx_hsgp_hyperparams`` for the lengthscales the prior allows; the
posterior is drawn by NUTS and the GP predicted at new inputs with ``gp.conditional``.

Run: ``python -m examples.hsgp``.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np


def _credo() -> Any:
    import credo

    return credo


def make_data(n: int = 10_000, seed: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (n, 1) on [0, 20], y (n,) = f(X) + noise, and f at X."""
    rng = np.random.default_rng(seed)
    X = np.sort(rng.uniform(0, 20, n))[:, None]
    f_true = np.sin(0.8 * X[:, 0]) + 0.4 * np.sin(0.25 * X[:, 0] + 1.0)
    return X, f_true + 0.5 * rng.normal(size=n), f_true


def build(X: np.ndarray, y: np.ndarray, pm: Any = None) -> tuple[Any, Any]:
    """The model; ``pm`` is the library (credo by default; PyMC in the benchmark, which runs
    this same code)."""
    pm = pm or _credo()
    m, c = pm.gp.hsgp_approx.approx_hsgp_hyperparams(
        x_range=[float(X.min()), float(X.max())], lengthscale_range=[0.8, 6.0], cov_func="expquad"
    )
    with pm.Model() as model:
        ell = pm.InverseGamma("ell", mu=2.5, sigma=1.0)
        eta = pm.Exponential("eta", lam=1.0)
        cov = eta**2 * pm.gp.cov.ExpQuad(1, ls=ell)
        gp = pm.gp.HSGP(m=[m], c=c, cov_func=cov)
        f = gp.prior("f", X=X)
        sigma = pm.HalfNormal("sigma", 1.0)
        pm.Normal("y", mu=f, sigma=sigma, observed=y)
    return model, gp


def run(
    n: int = 10_000,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int = 2,
) -> dict[str, Any]:
    pm = _credo()
    X, y, f_true = make_data(n, random_seed)
    model, gp = build(X, y)
    t0 = time.perf_counter()
    with model:
        idata = pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=random_seed,
            progressbar=False,
            var_names=["ell", "eta", "sigma", "f_hsgp_coeffs"],
        )
    t_sample = time.perf_counter() - t0
    X_new = np.linspace(0, 20, 100)[:, None]
    with model:
        gp.conditional("f_new", X_new)
        pp = pm.sample_posterior_predictive(idata, var_names=["f_new"], random_seed=random_seed)
    return {
        "idata": idata,
        "f_new": pp.posterior_predictive["f_new"].values,
        "X_new": X_new,
        "f_true_new": np.sin(0.8 * X_new[:, 0]) + 0.4 * np.sin(0.25 * X_new[:, 0] + 1.0),
        "m": gp.n_basis_vectors,
        "seconds": {"sample": t_sample},
    }


def main() -> None:
    pm = _credo()
    res = run()
    print(pm.summary(res["idata"], var_names=["ell", "eta", "sigma"]))
    err = np.abs(res["f_new"].mean(axis=(0, 1)) - res["f_true_new"]).max()
    print(
        f"m = {res['m']} basis functions; sample {res['seconds']['sample']:.1f} s; "
        f"max |E f - f_true| on the grid {err:.3f}"
    )


if __name__ == "__main__":
    main()
