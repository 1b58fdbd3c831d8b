"""ESS per second of the switchpoint model and a two-component mixture with latent labels,
marginalised (credo: ``pm.marginalize`` + NUTS; PyMC: the same sum written as a Potential, or
NormalMixture) and, in PyMC, compound sampling of the discrete variables.

Run ``python bench/marginal.py credo`` (the project's venv) or ``python bench/marginal.py
pymc`` (``.venv-anchors``); 2 chains, 1000 tuning steps and 1000 draws each, seed 1.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from examples.switchpoint import disaster_model, recorded  # noqa: E402

SAMPLE = {"draws": 1000, "tune": 1000, "chains": 2, "random_seed": 1, "progressbar": False}


def mixture_data() -> np.ndarray:
    rng = np.random.default_rng(42)
    labels = rng.uniform(size=120) < 0.3
    return np.where(labels, 2.5, -1.0) + 0.7 * rng.normal(size=120)


def mixture(pm, latent: bool):
    y = mixture_data()
    with pm.Model() as m:
        w = pm.Beta("w", 2, 2)
        mu = pm.Normal("mu", [-1.0, 2.0], 1.0)
        sigma = pm.HalfNormal("sigma", 1.0)
        if latent:
            z = pm.Bernoulli("z", p=w, shape=len(y))
            pm.Normal("y", mu=mu[z], sigma=sigma, observed=y)
        else:
            pm.NormalMixture("y", w=pm.math.stack([1 - w, w]), mu=mu, sigma=sigma, observed=y)
    return m


def report(label: str, idata, names, seconds: float, ess) -> None:
    parts = []
    for n in names:
        x = np.asarray(idata.posterior[n].values, dtype=float)
        e = float(np.nanmin(ess(x.reshape(x.shape[0], x.shape[1], -1))))
        parts.append(f"{n} ESS {e:.0f} ({e / seconds:.0f}/s)")
    print(f"{label}: {seconds:.2f} s sampling; " + "; ".join(parts))


def run_credo() -> None:
    import credo as pm
    from credo.sampling.diagnostics import ess_bulk

    cases = (
        ("switchpoint", disaster_model(pm), "switchpoint", ["early_rate", "late_rate"]),
        ("mixture", mixture(pm, latent=True), "z", ["w", "mu", "sigma"]),
    )
    shown = {"switchpoint": ["switchpoint"], "mixture": []}  # labels: many constant draws
    for label, model, z, names in cases:
        marginal = pm.marginalize(model, [z])
        with marginal:
            idata = pm.sample(**SAMPLE)
        t0 = time.perf_counter()
        pm.recover_marginals(marginal, idata, random_seed=2)
        recover = time.perf_counter() - t0
        seconds = idata.posterior.attrs["sampling_time"]
        names = [*names, *shown[label]]
        report(f"credo {label} marginalised NUTS", idata, names, seconds, ess_bulk)
        print(f"  recover_marginals {recover:.2f} s")


def run_pymc() -> None:
    import arviz as az
    import pymc as pm
    import pytensor.tensor as pt

    def ess(x):
        return az.ess(az.convert_to_dataset(x), method="bulk")["x"].values

    def sample(model):
        with model:
            idata = pm.sample(**SAMPLE, cores=1, compute_convergence_checks=False)
        return idata, idata.posterior.attrs["sampling_time"]

    idata, s = sample(disaster_model(pm))
    names = ["early_rate", "late_rate", "switchpoint"]
    report("PyMC switchpoint compound (Metropolis + NUTS)", idata, names, s, ess)
    years, counts = recorded()
    support = np.arange(years.min(), years.max() + 1)
    with pm.Model() as by_hand:
        early = pm.Exponential("early_rate", 1.0)
        late = pm.Exponential("late_rate", 1.0)
        rate = pt.switch(support[:, None] >= years[None, :], early, late)
        lp = pm.logp(pm.Poisson.dist(rate), counts[None, :]).sum(axis=1)
        pm.Potential("marginal", pm.math.logsumexp(lp - np.log(len(support))))
    idata, s = sample(by_hand)
    report("PyMC switchpoint marginalised by hand (NUTS)", idata, names[:2], s, ess)
    idata, s = sample(mixture(pm, latent=True))
    report(
        "PyMC mixture compound (BinaryGibbsMetropolis + NUTS)", idata, ["w", "mu", "sigma"], s, ess
    )
    idata, s = sample(mixture(pm, latent=False))
    report("PyMC NormalMixture (NUTS)", idata, ["w", "mu", "sigma"], s, ess)


if __name__ == "__main__":
    {"credo": run_credo, "pymc": run_pymc}[sys.argv[1] if len(sys.argv) > 1 else "credo"]()
