"""Answering the tutorial's causal questions by intervention: ``pm.observe`` and ``pm.do``.

The tutorial's fork data (``m08_fork``): z causes both x and y, x has no effect on y. A
regression of y on x alone finds a strong slope (about 2/3). The question "what happens
to y if we *set* x?" is answered by writing the structural model (z -> x, z -> y, and a
possible x -> y), conditioning it on the data with ``pm.observe``, and drawing y from
the intervened model ``pm.do(model, {"x": value})`` at each posterior draw: the average
causal effect of one unit of x is about 0.

The collider data (``m09_include_collider``): x and y both cause z. Regressing y on x and
z makes x seem to act on y (slope about -1.5); under ``do(x)`` the distribution of y does
not move at all, because y is not downstream of x.

Run: ``python -m examples.causal_do``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import credo as pm
from examples.tutorial import m08_fork, m09_include_collider


def fork_scm(n: int) -> pm.Model:
    """The fork's structural causal model, nothing observed yet."""
    with pm.Model() as scm:
        mu_z = pm.Normal("mu_z", 0, 20)
        sd_z = pm.HalfNormal("sd_z", 5)
        z = pm.Normal("z", mu_z, sd_z, shape=n)
        a_x = pm.Normal("a_x", 0, 10)
        b_zx = pm.Normal("b_zx", 0, 5)
        s_x = pm.HalfNormal("s_x", 1)
        x = pm.Normal("x", a_x + b_zx * z, s_x)
        a_y = pm.Normal("a_y", 0, 10)
        b_xy = pm.Normal("b_xy", 0, 1)  # the causal effect asked about
        b_zy = pm.Normal("b_zy", 0, 5)
        s_y = pm.HalfNormal("s_y", 1)
        pm.Normal("y", a_y + b_xy * x + b_zy * z, s_y)
    return scm


def collider_scm(n: int) -> pm.Model:
    """The collider's structural causal model: x -> z <- y."""
    with pm.Model() as scm:
        mu_x = pm.Normal("mu_x", 0, 20)
        s_x = pm.HalfNormal("s_x", 5)
        x = pm.Normal("x", mu_x, s_x, shape=n)
        mu_y = pm.Normal("mu_y", 0, 20)
        s_y = pm.HalfNormal("s_y", 5)
        y = pm.Normal("y", mu_y, s_y, shape=n)
        a_z = pm.Normal("a_z", 0, 10)
        b_xz = pm.Normal("b_xz", 0, 5)
        b_yz = pm.Normal("b_yz", 0, 5)
        s_z = pm.HalfNormal("s_z", 1)
        pm.Normal("z", a_z + b_xz * x + b_yz * y, s_z)
    return scm


def effect_of_setting_x(
    scm: pm.Model, idata: Any, n: int, low: float, high: float, seed: int
) -> np.ndarray:
    """Posterior draws of E[y | do(x = high)] - E[y | do(x = low)], per unit of x."""
    means = []
    for value in (low, high):
        intervened = pm.do(scm, {"x": np.full(n, value)})
        redraw = [v.name for v in intervened.free_RVs if v.name not in idata["posterior"]]
        # The same seed for both values: common random numbers, so the difference shows
        # the effect of x alone, not the noise of two independent draws.
        pred = pm.sample_posterior_predictive(
            idata, model=intervened, var_names=redraw, random_seed=seed
        )
        means.append(pred["posterior_predictive"]["y"].mean("y_dim_0").values)
    return (means[1] - means[0]) / (high - low)


def run(draws: int = 500, tune: int = 1000, random_seed: int = 1) -> dict[str, Any]:
    """Fit both structural models and answer "does setting x change y?" for each."""
    out: dict[str, Any] = {}
    for label, module, build, covariates in (
        ("fork", m08_fork, fork_scm, ["x"]),  # the tutorial's m07: y on x alone
        ("collider", m09_include_collider, collider_scm, ["x", "z"]),  # its m09
    ):
        data = module.make_data()
        n = len(data)
        scm = build(n)
        fitted = pm.observe(scm, {k: data[k].values for k in ("x", "y", "z")})
        idata = pm.sample(
            draws,
            tune=tune,
            chains=2,
            random_seed=random_seed,
            progressbar=False,
            model=fitted,
            init="jitter+adapt_full",  # x and z are nearly collinear
        )
        x = data["x"].values
        effect = effect_of_setting_x(
            scm,
            idata,
            n,
            float(np.percentile(x, 25)),
            float(np.percentile(x, 75)),
            random_seed,
        )
        design = np.column_stack([np.ones(n)] + [data[c].values for c in covariates])
        coef = np.linalg.lstsq(design, data["y"].values, rcond=None)[0]
        out[label] = {
            "regression": f"y ~ {' + '.join(covariates)}",
            "regression_slope_x": float(coef[1]),
            "effect_of_do_x": effect,
            "idata": idata,
        }
    return out


if __name__ == "__main__":
    results = run()
    for label, res in results.items():
        eff = res["effect_of_do_x"]
        print(
            f"{label:9s} {res['regression']}: slope of x {res['regression_slope_x']:+.3f};  "
            f"effect of do(x) on E[y] per unit of x: {eff.mean():+.4f} ± {eff.std():.4f}"
        )
