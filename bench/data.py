"""Data for the benchmark models: the tutorial modules' own ``make_data`` (examples/tutorial),
as dicts of numpy arrays.

``MODELS`` lists the 16 benchmark models in tutorial order; for each it names the tutorial
module that defines the model and its data (``make_data`` and ``run(pm)``: one definition for
the demo, the tests and every tool here) and the posterior variables whose bulk ESS is compared
across tools (the tutorial's own names: free random variables and deterministics, never a
tool-specific parametrisation). Imports only numpy and pandas, so it runs in every venv.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)  # the repository, for examples.tutorial


def tutorial_module(module: str):
    """The tutorial module ``examples.tutorial.<module>`` (make_data, run)."""
    return importlib.import_module(f"examples.tutorial.{module}")


def tutorial_data(module: str) -> dict:
    """The tutorial's data for ``module`` as a dict of numpy arrays ({} where it has none)."""
    data = tutorial_module(module).make_data()
    if data is None:
        return {}
    if hasattr(data, "columns"):  # a DataFrame
        return {k: data[k].to_numpy() for k in data.columns}
    return {k: np.asarray(v) for k, v in data.items()}


@dataclass(frozen=True)
class ModelSpec:
    name: str
    title: str
    module: str  # the tutorial module (examples/tutorial/<module>.py) that defines it
    ess_vars: tuple[str, ...]

    def data(self) -> dict:
        """The model's data, a dict of numpy arrays."""
        return tutorial_data(self.module)


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec("sum_two_rvs", "sum of two RVs", "m01_sum_of_two", ("a", "b", "c")),
    ModelSpec("coin", "coin (Beta-Binomial, 8/10)", "m02_coin", ("a",)),
    ModelSpec(
        "simple_regression",
        "simple regression",
        "m03_simple_regression",
        ("intercept", "coeff", "error"),
    ),
    ModelSpec(
        "multivariate_regression",
        "multivariate regression",
        "m04_independent_regression",
        ("intercept_1", "coeff_1", "coeff_2", "error"),
    ),
    ModelSpec(
        "pipe_confound",
        "pipe confound",
        "m05_pipe_confound",
        ("intercept_1", "coeff_1", "coeff_2", "error_2"),
    ),
    ModelSpec(
        "path_analysis",
        "path analysis",
        "m06_path_analysis",
        ("intercept_1", "coeff_1", "error_1", "intercept_2", "coeff_2", "error_2"),
    ),
    ModelSpec("no_fork", "no fork", "m07_no_fork", ("intercept", "slope", "error")),
    ModelSpec("fork", "fork", "m08_fork", ("intercept", "slope_x", "slope_z", "error")),
    ModelSpec(
        "include_collider",
        "include collider",
        "m09_include_collider",
        ("intercept", "slope_x", "slope_z", "error"),
    ),
    ModelSpec(
        "exclude_collider",
        "exclude collider",
        "m10_exclude_collider",
        ("intercept", "slope_x", "error"),
    ),
    ModelSpec(
        "combined_confounds",
        "combined confounds (exclude collider)",
        "m11_combined_confounds",
        ("intercept_1", "slope_1", "slope_2", "slope_3", "error_1", "error_2"),
    ),
    ModelSpec("categorical", "categorical", "m12_categorical", ("cat_x1", "cat_x2", "error")),
    ModelSpec(
        "pooled_categorical",
        "pooled categorical",
        "m13_pooled_categorical",
        ("pooled_x2_mu", "pooled_x2_sigma", "cat_x1", "cat_x2", "error"),
    ),
    ModelSpec(
        "no_heterogeneity",
        "no heterogeneity",
        "m14_no_heterogeneity",
        ("cat_x1", "cat_x2", "error"),
    ),
    ModelSpec(
        "heterogeneity",
        "heterogeneity (LKJ)",
        "m15_heterogeneity",
        ("error", "a_bar", "b_bar", "sigma_ab", "Rho", "ab_did"),
    ),
    ModelSpec(
        "bernoulli_treatment",
        "Bernoulli treatment (10,000 rows)",
        "m16_bernoulli_treatment",
        ("treatment effect", "diff"),
    ),
)

MODEL_NAMES: tuple[str, ...] = tuple(m.name for m in MODELS)


def spec(name: str) -> ModelSpec:
    for m in MODELS:
        if m.name == name:
            return m
    raise KeyError(f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}")


def load(name: str) -> dict:
    """The data dict for model `name`."""
    return spec(name).data()
