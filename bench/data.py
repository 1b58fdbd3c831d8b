"""Data for the benchmark models, generated exactly as the PyMC3 regression tutorial does.

Each function reproduces the tutorial's data-generating block (same seeds, same numpy calls in
the same order) and returns a dict of numpy arrays. ``center(x)`` is ``x - x.mean()``.

``MODELS`` lists the 16 benchmark models in tutorial order; for each it names the data function
and the posterior variables whose bulk ESS is compared across tools (the tutorial's own names:
free random variables and deterministics, never a tool-specific parametrisation).
"""

# The tutorial's legacy global-state numpy calls are kept verbatim (same seeds, same streams).
# ruff: noqa: NPY002
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def center(x):
    return x - x.mean()


def sum_two_rvs():
    """`a + b` for two normal random variables: no data."""
    return {}


def coin():
    """8 heads out of 10 tosses."""
    return {"n": np.array(10), "heads": np.array(8)}


def simple_regression():
    np.random.seed(2019)
    x1 = np.random.normal(loc=10, scale=3, size=100)
    noise = np.random.normal(loc=0, scale=0.1, size=100)
    beta1 = 5
    y1 = beta1 * x1 + noise
    return {"x1": center(x1), "y1": y1}


def multivariate_regression():
    np.random.seed(2019)
    beta1 = 2
    beta2 = 5
    x1 = np.random.normal(loc=10, scale=3, size=100)
    x2 = np.random.normal(loc=10, scale=3, size=100)
    y1 = beta1 * x1 + beta2 * x2 + np.random.normal(loc=0, scale=0.1, size=100)
    return {"x1": x1, "x2": x2, "y1": y1}


def pipe():
    """Mediator data, shared by the pipe-confound and path-analysis models."""
    np.random.seed(2019)
    beta1 = 2
    beta2 = 5
    x1 = np.random.normal(loc=10, scale=3, size=100)
    x2 = x1 * beta1 + np.random.normal(loc=0, scale=0.1, size=100)
    y1 = beta2 * x2 + np.random.normal(loc=0, scale=0.1, size=100)
    return {"x1": x1, "x2": x2, "y1": y1}


def fork():
    """Common-cause data, shared by the no-fork and fork models."""
    np.random.seed(2025)
    beta1 = 3
    beta2 = 2
    z = np.random.normal(loc=10, scale=3, size=1000)
    x = z * beta1 + np.random.normal(loc=0, scale=0.1, size=1000)
    y = beta2 * z + np.random.normal(loc=0, scale=0.1, size=1000)
    return {"x": x, "z": z, "y": y}


def collider():
    """Collider data, shared by the include- and exclude-collider models."""
    np.random.seed(2025)
    beta1 = 3
    beta2 = 2
    x = np.random.normal(loc=10, scale=3, size=100)
    y = np.random.normal(loc=2, scale=3, size=100)
    z = x * beta1 + y * beta2 + np.random.normal(loc=0, scale=0.1, size=100)
    return {"x": x, "z": z, "y": y}


def combined_confounds():
    np.random.seed(2025)
    beta1 = 3
    beta2 = 2
    beta3 = -2
    beta4 = -1
    beta5 = 5
    x1 = np.random.normal(loc=10, scale=3, size=1000)
    x2 = x1 * beta1 + np.random.normal(loc=0, scale=0.1, size=1000)
    y = x1 * beta3 + x2 * beta2 + np.random.normal(loc=0, scale=0.5, size=1000)
    z = x1 * beta4 + y * beta5 + np.random.normal(loc=0, scale=0.1, size=1000)
    return {"x1": x1, "x2": x2, "z": z, "y": y}


def categories():
    """Categorical data, shared by the categorical and pooled-categorical models."""
    np.random.seed(2025)
    beta1 = np.random.normal(loc=0, scale=2, size=5)
    beta2 = np.random.normal(loc=1, scale=1, size=4)

    x1 = np.random.choice(5, size=100)
    x2 = np.random.choice(4, p=[0.1, 0.2, 0.3, 0.4], size=100)
    y1 = beta1[x1] + beta2[x2] + np.random.normal(loc=0, scale=0.1, size=100)
    return {"x1": x1, "x2": x2, "y1": y1}


def heterogeneity():
    """Heterogeneous-effect data, shared by the no-heterogeneity and heterogeneity models."""
    np.random.seed(2025)
    beta3 = np.array([[2, 1], [-2.5, 2], [-3, 3]])  # x1->x2

    x1 = np.random.choice(3, size=100)
    x2 = np.random.choice(2, size=100)
    y1 = beta3[x1, x2] + np.random.normal(loc=0, scale=0.1, size=100)
    return {"x1": x1, "x2": x2, "y1": y1}


def bernoulli_treatment():
    np.random.seed(2020)
    beta3 = np.array([[0.1, 0.2], [0.2, 0.1], [0.3, 0.3]])

    x1 = np.random.choice(3, size=10000)
    x2 = np.random.choice(2, size=10000)
    p1 = beta3[x1, x2]
    y1 = np.random.binomial(1, p1, size=10000)
    return {"x1": x1, "x2": x2, "y1": y1}


@dataclass(frozen=True)
class ModelSpec:
    name: str
    title: str
    data: object  # callable returning the model's dict of arrays
    ess_vars: tuple[str, ...]


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec("sum_two_rvs", "sum of two RVs", sum_two_rvs, ("a", "b", "c")),
    ModelSpec("coin", "coin (Beta-Binomial, 8/10)", coin, ("a",)),
    ModelSpec(
        "simple_regression",
        "simple regression",
        simple_regression,
        ("intercept", "coeff", "error"),
    ),
    ModelSpec(
        "multivariate_regression",
        "multivariate regression",
        multivariate_regression,
        ("intercept_1", "coeff_1", "coeff_2", "error"),
    ),
    ModelSpec(
        "pipe_confound",
        "pipe confound",
        pipe,
        ("intercept_1", "coeff_1", "coeff_2", "error_2"),
    ),
    ModelSpec(
        "path_analysis",
        "path analysis",
        pipe,
        ("intercept_1", "coeff_1", "error_1", "intercept_2", "coeff_2", "error_2"),
    ),
    ModelSpec("no_fork", "no fork", fork, ("intercept", "slope", "error")),
    ModelSpec("fork", "fork", fork, ("intercept", "slope_x", "slope_z", "error")),
    ModelSpec(
        "include_collider",
        "include collider",
        collider,
        ("intercept", "slope_x", "slope_z", "error"),
    ),
    ModelSpec("exclude_collider", "exclude collider", collider, ("intercept", "slope_x", "error")),
    ModelSpec(
        "combined_confounds",
        "combined confounds (exclude collider)",
        combined_confounds,
        ("intercept_1", "slope_1", "slope_2", "slope_3", "error_1", "error_2"),
    ),
    ModelSpec("categorical", "categorical", categories, ("cat_x1", "cat_x2", "error")),
    ModelSpec(
        "pooled_categorical",
        "pooled categorical",
        categories,
        ("pooled_x2_mu", "pooled_x2_sigma", "cat_x1", "cat_x2", "error"),
    ),
    ModelSpec(
        "no_heterogeneity",
        "no heterogeneity",
        heterogeneity,
        ("cat_x1", "cat_x2", "error"),
    ),
    ModelSpec(
        "heterogeneity",
        "heterogeneity (LKJ)",
        heterogeneity,
        ("error", "a_bar", "b_bar", "sigma_ab", "Rho", "ab_did"),
    ),
    ModelSpec(
        "bernoulli_treatment",
        "Bernoulli treatment (10,000 rows)",
        bernoulli_treatment,
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
