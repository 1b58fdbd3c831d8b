"""The sixteen models of the PyMC3 regression tutorial, ported to credo.

Each module ``mNN_*`` holds the tutorial's data-generating code (``make_data``), its model
code unchanged but for ``import credo as pm`` (``run``), the data-generating values
(``TRUTH``), and the tutorial's conclusion as a check on the posterior (``check``).
``python -m examples.tutorial.demo`` runs them all and writes a report.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["MODULES", "load"]

MODULES = (
    "m01_sum_of_two",
    "m02_coin",
    "m03_simple_regression",
    "m04_independent_regression",
    "m05_pipe_confound",
    "m06_path_analysis",
    "m07_no_fork",
    "m08_fork",
    "m09_include_collider",
    "m10_exclude_collider",
    "m11_combined_confounds",
    "m12_categorical",
    "m13_pooled_categorical",
    "m14_no_heterogeneity",
    "m15_heterogeneity",
    "m16_bernoulli_treatment",
)


def load(name: str) -> ModuleType:
    """A tutorial module by its name (``"m08_fork"``), number (``"08"``, ``"8"``) or model
    name (``"fork_model"``)."""
    for mod in MODULES:
        if name in (mod, mod[1:3], mod[1:3].lstrip("0"), mod[4:]):
            return importlib.import_module(f"{__name__}.{mod}")
    for mod in MODULES:
        module = importlib.import_module(f"{__name__}.{mod}")
        if module.NAME == name:
            return module
    raise KeyError(f"no tutorial model {name!r}; the models are {', '.join(MODULES)}")
