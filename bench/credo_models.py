"""The tutorial's 16 models for credo: the tutorial modules' own code (examples/tutorial).

Each model is defined once, in ``examples/tutorial/mNN_*.py`` (``make_data`` and ``run(pm)``,
the PyMC3 tutorial's code as it is written, with ``import credo as pm``); the demo, the tests,
this file and ``anchor_pymc.py`` all run that definition. Here ``pm.sample(...)`` runs with the
benchmark's common settings (``draws=1000, tune=1000, chains=2``, fixed seed, no progress bar)
instead of the tutorial's per-model arguments.

``run(name, data, ...)`` builds the model and samples it, returning the ArviZ ``DataTree``;
``data`` is what ``data.py`` gives, the same arrays the tutorial's ``make_data`` builds inside
``run``. Runs in credo's own ``.venv``.
"""

from __future__ import annotations

import data as bench_data

import credo as pm
from examples.tutorial.common import tutorial_api

__all__ = ["pm", "build", "run"]


def build(name):
    """The credo model of benchmark model ``name``, not sampled."""
    module = bench_data.tutorial_module(bench_data.spec(name).module)
    model, _, _ = module.run(pm=tutorial_api(sample=False, library=pm))
    return model


def run(name, data=None, *, draws=1000, tune=1000, chains=2, random_seed=None):
    """Build model ``name`` and sample it; returns the ArviZ DataTree."""
    module = bench_data.tutorial_module(bench_data.spec(name).module)
    settings = dict(
        draws=draws, tune=tune, chains=chains, random_seed=random_seed, progressbar=False
    )
    _, trace, _ = module.run(pm=tutorial_api(library=pm, tutorial_args=False, **settings))
    return trace
