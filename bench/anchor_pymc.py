"""The tutorial's 16 models in current PyMC: the tutorial modules' own code (examples/tutorial),
run with ``pm`` bound to PyMC as PyMC 3 spelled it.

Each model is defined once, in ``examples/tutorial/mNN_*.py``; ``run(pm)`` there takes the
library as an argument. ``_PyMC3Spelling`` gives it current PyMC with what the PyMC 3 code
needs and current PyMC changed: ``sd=`` is ``sigma=``, ``pm.LKJCholeskyCov`` returns the
packed Cholesky factor (``compute_corr=False``), ``pm.expand_packed_triangular`` moved to
``pm.math``.

``observed=y - mu``: current PyMC refuses observed data that depends on random variables, so
such a likelihood (the tutorial's residual form) becomes a ``pm.Potential`` carrying
``Normal(0, sigma).logp(y - mu)``, exactly the density PyMC 3 evaluated.

Runs in ``.venv-anchors`` only. ``sample(model, sampler=...)`` picks PyMC's own NUTS
(``"pymc"``) or nutpie (``"nutpie"``) through ``pm.sample(nuts_sampler=...)``.
"""

from __future__ import annotations

import data as bench_data
import pymc as pm
from pytensor.graph.basic import Variable, ancestors

from examples.tutorial.common import tutorial_api


def _depends_on_free_rvs(value) -> bool:
    if not isinstance(value, Variable):
        return False
    free = set(pm.modelcontext(None).free_RVs)
    return any(v in free for v in ancestors([value]))


class _PyMC3Spelling:
    """``pymc`` as the PyMC 3 tutorial calls it (see the module docstring)."""

    math = pm.math

    def __getattr__(self, name):
        return getattr(pm, name)

    @staticmethod
    def Normal(name, *args, observed=None, **kwargs):  # noqa: N802 (PyMC's name)
        if "sd" in kwargs:
            kwargs["sigma"] = kwargs.pop("sd")
        if observed is not None and _depends_on_free_rvs(observed):
            return pm.Potential(name, pm.logp(pm.Normal.dist(*args, **kwargs), observed))
        return pm.Normal(name, *args, observed=observed, **kwargs)

    @staticmethod
    def LKJCholeskyCov(*args, compute_corr=False, **kwargs):  # noqa: N802
        return pm.LKJCholeskyCov(*args, compute_corr=compute_corr, **kwargs)

    @staticmethod
    def expand_packed_triangular(*args, **kwargs):
        return pm.math.expand_packed_triangular(*args, **kwargs)


def build(name, data=None):
    """The PyMC model of benchmark model ``name`` (``data``: unused, the tutorial's code
    builds the same arrays with its own ``make_data``)."""
    module = bench_data.tutorial_module(bench_data.spec(name).module)
    model, _, _ = module.run(pm=tutorial_api(sample=False, library=_PyMC3Spelling()))
    return model


def sample(model, *, sampler="pymc", draws=1000, tune=1000, chains=2, random_seed=0):
    """Sample with PyMC's NUTS (``sampler="pymc"``), nutpie's default diagonal adaptation
    (``"nutpie"``) or nutpie's low-rank modified mass matrix (``"nutpie_lowrank"``). Warm-up
    statistics are kept (``warmup_sample_stats``) so that gradient evaluations can be counted."""
    kwargs = {}
    if sampler == "nutpie_lowrank":
        sampler = "nutpie"
        kwargs["nuts_sampler_kwargs"] = {"adaptation": "low_rank"}
    with model:
        return pm.sample(
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=random_seed,
            progressbar=False,
            nuts_sampler=sampler,
            discard_tuned_samples=False,
            **kwargs,
        )
