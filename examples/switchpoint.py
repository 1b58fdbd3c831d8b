"""The coal-mining disasters switchpoint model of PyMC's getting-started tutorial, with the
discrete switchpoint summed out: NUTS samples the two rates alone, and
``pm.recover_marginals`` draws the switchpoint from its conditional afterwards.

Run: ``python -m examples.switchpoint``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# Disasters per year, 1851-1961 (two years unrecorded).
# fmt: off
DISASTERS = np.array([
    4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6,
    3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3, 4, 2, 5,
    2, 2, 3, 4, 2, 1, 3, np.nan, 2, 1, 1, 1, 1, 3, 0, 0,
    1, 0, 1, 1, 0, 0, 3, 1, 0, 3, 2, 2, 0, 1, 1, 1,
    0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2,
    3, 3, 1, np.nan, 2, 1, 1, 1, 1, 2, 4, 2, 0, 0, 1, 4,
    0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1,
])
# fmt: on
YEARS = np.arange(1851, 1962)


def recorded() -> tuple[np.ndarray, np.ndarray]:
    """(years, counts) of the years with a record: shapes (109,), (109,)."""
    keep = ~np.isnan(DISASTERS)
    return YEARS[keep], DISASTERS[keep].astype(np.int64)


def disaster_model(pm: Any = None) -> Any:
    """The tutorial's model: the rate is ``early_rate`` up to the switchpoint year (included)
    and ``late_rate`` after it. ``pm``: the library (credo by default; PyMC for the
    benchmark's anchors)."""
    if pm is None:
        import credo as pm
    years, counts = recorded()
    with pm.Model() as model:
        switchpoint = pm.DiscreteUniform("switchpoint", lower=years.min(), upper=years.max())
        early_rate = pm.Exponential("early_rate", 1.0)
        late_rate = pm.Exponential("late_rate", 1.0)
        rate = pm.math.switch(switchpoint >= years, early_rate, late_rate)
        pm.Poisson("disasters", rate, observed=counts)
    return model


def main(draws: int = 1000, tune: int = 1000, random_seed: int = 1851) -> None:
    import credo as pm

    marginal_model = pm.marginalize(disaster_model(), ["switchpoint"])
    with marginal_model:
        idata = pm.sample(draws=draws, tune=tune, random_seed=random_seed, progressbar=False)
    pm.recover_marginals(marginal_model, idata, random_seed=random_seed)
    post = idata.posterior
    years, counts = np.unique(post["switchpoint"].values, return_counts=True)
    print(f"switchpoint: posterior mode {years[np.argmax(counts)]}")
    for name in ("early_rate", "late_rate"):
        x = post[name].values
        print(f"{name}: mean {x.mean():.3f}, sd {x.std():.3f}")


if __name__ == "__main__":
    main()
